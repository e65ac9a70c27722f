/**
 * The broker-network projection against PostgreSQL: given events → one network document per
 * partnership.
 */
import { PartnershipFixtures } from '@trellis/domain';
import { ProjectionSpecification, TestLog, createTestSchema, expectBatchInvariance, type TestSchema } from '../../testing';
import { brokerNetworkProjection } from './broker-network.projection';
import type { BrokerNetworkDocument } from './broker-network.document';
import { CLOSED_PARTNERSHIP_ID, PILOT_PARTNERSHIP_ID, STATE_PARTNERSHIP_ID, TOOL_PARTNERSHIP_ID, mixedHistory } from '../../testing/read-model-histories';

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('brk');
});
afterAll(async () => db?.drop());

const spec = () => ProjectionSpecification.for(brokerNetworkProjection, db.sql, db.schema);

it('builds the state-agency network: the SEA director bridges the SEA to both LEAs', async () => {
  const log = new TestLog();
  log.partnership(STATE_PARTNERSHIP_ID).run(PartnershipFixtures.seedStateAgencyPath());
  const s = await (await spec()).given(log.events);
  const doc = (await s.doc<BrokerNetworkDocument>(STATE_PARTNERSHIP_ID))!;
  expect(doc).toMatchObject({ partnershipId: STATE_PARTNERSHIP_ID, name: 'Statewide teacher retention alliance', status: 'active' });
  expect(doc.members).toEqual({ 'p-sea-director': 'org-sea', 'p-metro-hr': 'org-lea-metro', 'p-plains-supt': 'org-lea-plains', 'p-univ-pi': 'org-state-univ' });
  expect(doc.organizations['org-sea']).toEqual({ name: 'State Department of Education', orgType: 'SEA', side: 'practice', withdrawn: false });
  expect(doc.brokers).toEqual({
    'p-sea-director': {
      participantId: 'p-sea-director',
      organizationId: 'org-sea',
      recognized: true,
      recognizedOn: '2024-03-03',
      departed: false,
      activityCount: 2,
      firstActivityOn: '2024-04-20',
      lastActivityOn: '2024-09-10',
      byKind: { convene: 1, share_strategies: 1 },
      bridges: [
        { fromOrganizationId: 'org-sea', toOrganizationId: 'org-lea-metro', count: 1, byKind: { convene: 1 }, firstOn: '2024-04-20', lastOn: '2024-04-20' },
        { fromOrganizationId: 'org-sea', toOrganizationId: 'org-lea-plains', count: 1, byKind: { share_strategies: 1 }, firstOn: '2024-09-10', lastOn: '2024-09-10' },
      ],
    },
  });
});

describe('across partnerships', () => {
  const history = mixedHistory();

  it('keeps a departed broker, marked departed, next to the one who stays', async () => {
    const s = await (await spec()).given(history.log.events);
    const doc = (await s.doc<BrokerNetworkDocument>(TOOL_PARTNERSHIP_ID))!;
    expect(doc.brokers['p-dist-broker']).toMatchObject({ recognized: true, departed: true, departedOn: '2025-10-15', activityCount: 3, lastActivityOn: '2025-08-07' });
    expect(doc.brokers['p-county-broker']).toMatchObject({ organizationId: 'org-valley-coe', recognized: true, recognizedOn: '2025-08-02', departed: false, activityCount: 1 });
    expect(Object.keys(doc.brokers).sort()).toEqual(['p-county-broker', 'p-dist-broker']);
  });

  it('counts repeated brokering on one bridge, and keeps every partnership apart', async () => {
    const s = await (await spec()).given(history.log.events);
    const state = (await s.doc<BrokerNetworkDocument>(STATE_PARTNERSHIP_ID))!;
    expect(state.brokers['p-sea-director']!.bridges.map((b) => [b.fromOrganizationId, b.toOrganizationId, b.count])).toEqual([
      ['org-sea', 'org-lea-metro', 1],
      ['org-sea', 'org-lea-plains', 1],
      ['org-lea-metro', 'org-lea-plains', 1],
    ]);
    expect(state.status).toBe('paused');
    expect(Object.keys((await s.doc<BrokerNetworkDocument>(PILOT_PARTNERSHIP_ID))!.brokers)).toEqual(['h-broker']);
    expect((await s.doc<BrokerNetworkDocument>(CLOSED_PARTNERSHIP_ID))!).toMatchObject({ status: 'closed', brokers: { 'c-a': { activityCount: 1 } } });
  });

  it('gives the same tables whatever the batching', async () => {
    await expectBatchInvariance(brokerNetworkProjection, db.sql, db.schema, history.log.events);
  });
});
