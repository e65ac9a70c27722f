/**
 * The context-projection helper against PostgreSQL: rows written as the fold goes (every
 * `rowsPerWrite` rows) land exactly as if written at the end of the batch — one per event, with the
 * context beside them — whatever the batching.
 */
import { PartnershipFixtures } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import type { ProjectionTable } from '../../core/projection';
import { ProjectionSpecification, TestLog, createTestSchema, expectBatchInvariance, type TestSchema } from '../../testing';
import { contextProjection } from './context-projection';

interface Counted {
  readonly partnershipId: string;
  readonly events: number;
}
interface Row {
  readonly partnership_id: string;
  readonly position: string;
  readonly nth: number;
  readonly type: string;
}

const rowsTable: ProjectionTable = {
  name: 'rows',
  create: (t) => [`CREATE TABLE ${t} (partnership_id text NOT NULL, position bigint PRIMARY KEY, nth integer NOT NULL, type text NOT NULL)`],
};

const counter = (rowsPerWrite?: number) =>
  contextProjection<Counted, Row>({
    name: 'event_rows',
    version: 1,
    eventTypes: ['PartnershipProposed', 'OrganizationJoined', 'ParticipantJoined', 'PhaseTransitioned'],
    contextTable: 'partnerships',
    key: (e) => String(e.metadata['partnershipId']),
    initial: (key) => ({ partnershipId: key, events: 0 }),
    step: (context, e) => {
      const next = { ...context, events: context.events + 1 };
      return { context: next, rows: [{ partnership_id: next.partnershipId, position: e.position.toString(), nth: next.events, type: e.type }] };
    },
    rowTables: [rowsTable],
    rowsPerWrite,
    async writeRows(rows, ctx) {
      await ctx.query(
        `INSERT INTO ${ctx.table('rows')} SELECT * FROM json_to_recordset($1::json) AS r(partnership_id text, position bigint, nth integer, type text)`,
        [JSON.stringify(rows)],
      );
    },
  });

let db: TestSchema;
let events: RecordedEvent[];

beforeAll(async () => {
  db = await createTestSchema('ctx');
  const log = new TestLog();
  log.partnership().run(PartnershipFixtures.seedToolPath());
  log.partnership().run(PartnershipFixtures.seedStateAgencyPath());
  log.partnership().run(PartnershipFixtures.seedToolPath());
  events = log.events.filter((e) => counter().eventTypes.includes(e.type));
});
afterAll(async () => db?.drop());

it('writes every row of a batch once when they go out a few at a time as the fold goes', async () => {
  const spec = await (await ProjectionSpecification.for(counter(3), db.sql, db.schema)).given(events);
  const rows = await spec.rows<Row>('rows', 'position');
  expect(rows.map((r) => String(r.position))).toEqual(events.map((e) => e.position.toString()));
  const byPartnership = new Map<string, number>();
  for (const r of rows) {
    byPartnership.set(r.partnership_id, (byPartnership.get(r.partnership_id) ?? 0) + 1);
    expect(r.nth).toBe(byPartnership.get(r.partnership_id));
  }
  for (const [key, n] of byPartnership) expect(await spec.doc<Counted>(key, 'partnerships')).toEqual({ partnershipId: key, events: n });
});

it('gives the same tables as rows written at the end of the batch, whatever the batching', async () => {
  const atEnd = await (await ProjectionSpecification.for(counter(1_000_000), db.sql, db.schema)).given(events);
  const asTheyCome = await (await ProjectionSpecification.for(counter(2), db.sql, db.schema)).given(events);
  expect(await asTheyCome.dump()).toEqual(await atEnd.dump());
  await expectBatchInvariance(counter(2), db.sql, db.schema, events);
});
