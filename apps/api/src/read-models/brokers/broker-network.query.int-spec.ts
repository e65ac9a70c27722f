/**
 * BrokerNetworkQuery against the real view of the broker-network read model (mixed history: both
 * seed paths, a departed broker, a paused partnership).
 */
import { ProjectionSpecification, createTestSchema, type TestSchema } from '@trellis/projections/testing';
import { pointViews } from '@trellis/projections';
import { brokerNetworkProjection, partnershipSummaryProjection } from '@trellis/projections';
import { BrokerNetworkQuery } from './broker-network.query';
import { BROKER_NETWORK_EXAMPLE } from './broker-network.openapi';
import {
  STATE_PARTNERSHIP_ID,
  TOOL_PARTNERSHIP_ID,
  mixedHistory,
} from '@trellis/projections/testing';

let db: TestSchema;
let query: BrokerNetworkQuery;
const on = (date: string) => new Date(`${date}T09:00:00.000Z`);

beforeAll(async () => {
  db = await createTestSchema('brkq');
  const events = mixedHistory().log.events;
  const spec = await (await ProjectionSpecification.for(brokerNetworkProjection, db.sql, db.schema)).given(events);
  await pointViews(db.sql, db.schema, brokerNetworkProjection, spec.generation);
  // The broker signals are evaluated over the facts the summary read model keeps.
  const summary = await (await ProjectionSpecification.for(partnershipSummaryProjection, db.sql, db.schema)).given(events);
  await pointViews(db.sql, db.schema, partnershipSummaryProjection, summary.generation);
  query = new BrokerNetworkQuery(db.sql, { dbSchema: db.schema });
});
afterAll(async () => db?.drop());

it('returns the network as of the given now (the documented example is a real answer)', async () => {
  const view = await query.network(TOOL_PARTNERSHIP_ID, on('2025-11-20'));
  expect(view.brokers.map((b) => b.participantId)).toEqual(['p-county-broker', 'p-dist-broker']);
  expect({ ...view, brokers: [view.brokers[1]] }).toEqual(BROKER_NETWORK_EXAMPLE);
});

it('flags inactive recognised brokers at query time: not on the 180th day, on the 181st', async () => {
  // The SEA director's last brokering: 2025-01-10 (the partnership is paused; the network still shows it).
  expect((await query.network(STATE_PARTNERSHIP_ID, on('2025-07-09'))).inactiveBrokers).toEqual([]);
  const view = await query.network(STATE_PARTNERSHIP_ID, on('2025-07-10'));
  expect(view.inactiveBrokers).toEqual([{ participantId: 'p-sea-director', organizationId: 'org-sea', lastActivityOn: '2025-01-10', inactiveSince: '2025-01-10' }]);
  expect(view).toMatchObject({ partnershipStatus: 'paused', totals: { inactiveBrokers: 1, singleBrokerPairs: 3, pairs: 3 } });
  expect(view.signals.map((x) => x.code)).toEqual(['NO_BROKERING_180_DAYS']);
  expect((await query.network(STATE_PARTNERSHIP_ID, on('2025-07-09'))).signals).toEqual([]);
  expect(view.unconnectedOrganizations).toEqual([{ organizationId: 'org-state-univ', name: 'State University', side: 'research' }]);
});

it('is 404 for a partnership the read model does not know', async () => {
  await expect(query.network('99999999-9999-4999-8999-999999999999', on('2025-01-01'))).rejects.toMatchObject({ code: 'PARTNERSHIP_NOT_FOUND', category: 'not_found' });
});

it('is 503 while the read model has not been built', async () => {
  const empty = new BrokerNetworkQuery(db.sql, { dbSchema: 'public' });
  await expect(empty.network(TOOL_PARTNERSHIP_ID, on('2025-01-01'))).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
});

it('answers the network without signals while the summary read model has not been built', async () => {
  const other = await createTestSchema('brkq2');
  try {
    const spec = await (await ProjectionSpecification.for(brokerNetworkProjection, other.sql, other.schema)).given(mixedHistory().log.events);
    await pointViews(other.sql, other.schema, brokerNetworkProjection, spec.generation);
    const view = await new BrokerNetworkQuery(other.sql, { dbSchema: other.schema }).network(STATE_PARTNERSHIP_ID, on('2025-07-10'));
    expect(view.inactiveBrokers).toHaveLength(1);
    expect(view.signals).toEqual([]);
  } finally {
    await other.drop();
  }
});
