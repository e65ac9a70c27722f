/**
 * The document-projection helper against PostgreSQL: set-based batches, extra indexed columns,
 * deletion, and batch invariance, over a history produced by the real decider.
 */
import { PartnershipFixtures } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import { ProjectionSpecification, TestLog, createTestSchema, expectBatchInvariance, type TestSchema } from '../testing';
import { documentProjection } from './document-projection';

interface CountDoc {
  partnershipId: string;
  events: number;
  types: string[];
  lastPosition: string;
}

const counter = documentProjection<CountDoc>({
  name: 'event_counter',
  version: 1,
  eventTypes: ['PartnershipProposed', 'OrganizationJoined', 'ParticipantJoined', 'PhaseTransitioned', 'PartnershipAbandoned'],
  key: (e) => String(e.metadata['partnershipId']),
  initial: (key) => ({ partnershipId: key, events: 0, types: [], lastPosition: '0' }),
  evolve: (doc, e) =>
    e.type === 'PartnershipAbandoned'
      ? null
      : { ...doc, events: doc.events + 1, types: doc.types.includes(e.type) ? doc.types : [...doc.types, e.type], lastPosition: e.position.toString() },
  columns: { event_count: 'integer', types: 'text[]' },
  project: (doc) => ({ event_count: doc.events, types: doc.types }),
  indexes: (t, ix) => [`CREATE INDEX ${ix}_count ON ${t} (event_count)`],
});

let db: TestSchema;
let log: TestLog;
let events: RecordedEvent[];

beforeAll(async () => {
  db = await createTestSchema();
  log = new TestLog();
  log.partnership().run(PartnershipFixtures.seedToolPath());
  log.partnership().run(PartnershipFixtures.seedStateAgencyPath());
  events = log.events.filter((e) => counter.eventTypes.includes(e.type));
});
afterAll(async () => db?.drop());

it('keeps one document per key with its indexed columns', async () => {
  const spec = await (await ProjectionSpecification.for(counter, db.sql, db.schema)).given(events);
  const rows = await spec.rows<{ key: string; event_count: number; types: string[]; position: string }>('docs', 'key');
  expect(rows).toHaveLength(2);
  for (const row of rows) {
    const mine = events.filter((e) => e.metadata['partnershipId'] === row.key);
    expect(row.event_count).toBe(mine.length);
    expect(row.position).toBe(mine[mine.length - 1]!.position.toString());
    expect(row.types).toContain('PhaseTransitioned');
  }
});

it('deletes a document when evolve returns null', async () => {
  const abandoned = new TestLog();
  const p = abandoned.partnership();
  p.run([{ type: 'ProposePartnership', data: { name: 'x', initiationMode: 'agency', focus: 'y' } }, { type: 'AbandonPartnership', data: { reason: 'no funding' } }]);
  const spec = await (await ProjectionSpecification.for(counter, db.sql, db.schema)).given(abandoned.events.slice(0, 1));
  expect(await spec.doc(p.partnershipId)).toMatchObject({ events: 1 });
  await spec.when(abandoned.events.slice(1));
  expect(await spec.doc(p.partnershipId)).toBeUndefined();
});

it('gives the same tables whatever the batching', async () => {
  await expectBatchInvariance(counter, db.sql, db.schema, events);
});
