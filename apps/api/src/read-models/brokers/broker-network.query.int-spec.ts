/**
 * BrokerNetworkQuery against the real view of the broker-network read model (mixed history: both
 * seed paths, a departed broker, a paused partnership).
 */
import { serveReadModels, createTestSchema, type TestSchema } from '@trellis/projections/testing';

import { brokerNetworkProjection, partnershipSummaryProjection } from '@trellis/projections';
import { BROKER_SIGNAL_CODES, BrokerNetworkQuery } from './broker-network.query';
import { BROKER_NETWORK_EXAMPLE } from './broker-network.openapi';
import {
  STATE_PARTNERSHIP_ID,
  SignalScenarios,
  TOOL_PARTNERSHIP_ID,
  TestLog,
  mixedHistory,
} from '@trellis/projections/testing';

let db: TestSchema;
let query: BrokerNetworkQuery;
const on = (date: string) => new Date(`${date}T09:00:00.000Z`);

beforeAll(async () => {
  db = await createTestSchema('brkq');
  const events = mixedHistory().log.events;
  // The broker signals are evaluated over the facts the summary read model keeps.
  await serveReadModels(db.sql, db.schema, [brokerNetworkProjection, partnershipSummaryProjection], events);
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
    await serveReadModels(other.sql, other.schema, [brokerNetworkProjection], mixedHistory().log.events);
    const view = await new BrokerNetworkQuery(other.sql, { dbSchema: other.schema }).network(STATE_PARTNERSHIP_ID, on('2025-07-10'));
    expect(view.inactiveBrokers).toHaveLength(1);
    expect(view.signals).toEqual([]);
  } finally {
    await other.drop();
  }
});

it.each(SignalScenarios.allScenarios().filter((x) => (BROKER_SIGNAL_CODES as readonly string[]).includes(x.code)).map((x) => [x.code, x] as const))(
  'shows %s on the network of its partnership, and nothing on a clean one',
  async (code, scenario) => {
    const other = await createTestSchema('brkq3');
    try {
      const log = new TestLog();
      const clean = log.partnership();
      clean.run(SignalScenarios.cleanPartnership());
      const flagged = log.partnership();
      flagged.run(scenario.commands);
      await serveReadModels(other.sql, other.schema, [brokerNetworkProjection, partnershipSummaryProjection], log.events);
      const q = new BrokerNetworkQuery(other.sql, { dbSchema: other.schema });
      expect((await q.network(flagged.partnershipId, new Date(scenario.now))).signals.map((x) => x.code)).toContain(code);
      expect((await q.network(clean.partnershipId, new Date(SignalScenarios.CLEAN_NOW))).signals).toEqual([]);
    } finally {
      await other.drop();
    }
  },
);
