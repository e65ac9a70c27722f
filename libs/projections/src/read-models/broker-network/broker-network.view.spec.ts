import { TestLog, type LogCommand } from '../../testing';
import { stateAgencyCommands, toolPathCommands } from '../../testing/read-model-histories';
import { evolveBrokerNetworkDocument, initialBrokerNetworkDocument, type BrokerNetworkDocument } from './broker-network.document';
import { brokerNetworkView } from './broker-network.view';

const on = (date: string) => new Date(`${date}T12:00:00.000Z`);

function fold(commands: LogCommand[]): BrokerNetworkDocument {
  const log = new TestLog();
  const p = log.partnership();
  p.run(commands);
  return log.events.reduce(evolveBrokerNetworkDocument, initialBrokerNetworkDocument(p.partnershipId));
}

describe('brokerNetworkView', () => {
  const tool = fold(toolPathCommands());

  it('lists each broker with the organizations bridged, from → to, by kind, and keeps a departed broker marked departed', () => {
    const view = brokerNetworkView(tool, on('2025-11-20'));
    expect(view.brokers.map((b) => b.participantId)).toEqual(['p-county-broker', 'p-dist-broker']);
    expect(view.brokers[1]).toEqual({
      participantId: 'p-dist-broker',
      organizationId: 'org-valley-usd',
      organizationName: 'Valley USD',
      recognized: true,
      recognizedOn: '2024-01-10',
      departed: true,
      departedOn: '2025-10-15',
      successorParticipantId: null,
      active: false,
      activityCount: 3,
      firstActivityOn: '2025-08-05',
      lastActivityOn: '2025-08-07',
      daysSinceLastActivity: 105,
      inactive: false,
      byKind: { connect: 1, translate_research: 1, convene: 1 },
      organizationsBridged: ['org-valley-coe', 'org-valley-usd', 'org-westlab'],
      bridges: [
        { fromOrganizationId: 'org-valley-usd', toOrganizationId: 'org-westlab', count: 1, byKind: { translate_research: 1 }, firstOn: '2025-08-05', lastOn: '2025-08-05' },
        { fromOrganizationId: 'org-westlab', toOrganizationId: 'org-valley-usd', count: 1, byKind: { convene: 1 }, firstOn: '2025-08-06', lastOn: '2025-08-06' },
        { fromOrganizationId: 'org-valley-usd', toOrganizationId: 'org-valley-coe', count: 1, byKind: { connect: 1 }, firstOn: '2025-08-07', lastOn: '2025-08-07' },
      ],
    });
  });

  it('finds the pairs connected through one broker only (both directions are one pair)', () => {
    const view = brokerNetworkView(tool, on('2025-11-20'));
    expect(view.pairs).toEqual([
      { organizationIds: ['org-valley-coe', 'org-valley-usd'], brokerParticipantIds: ['p-county-broker', 'p-dist-broker'], activityCount: 2, lastOn: '2025-08-08' },
      { organizationIds: ['org-valley-usd', 'org-westlab'], brokerParticipantIds: ['p-dist-broker'], activityCount: 2, lastOn: '2025-08-06' },
    ]);
    expect(view.singleBrokerPairs).toEqual([
      { organizationIds: ['org-valley-usd', 'org-westlab'], brokerParticipantId: 'p-dist-broker', brokerDeparted: true, brokerActive: false, activityCount: 2, lastOn: '2025-08-06' },
    ]);
  });

  it('lists organizations brokering connects to no other, and totals', () => {
    const view = brokerNetworkView(tool, on('2025-11-20'));
    expect(view.unconnectedOrganizations.map((o) => o.organizationId)).toEqual(['org-elm-es', 'org-oak-es', 'org-pine-es']);
    expect(view.totals).toEqual({
      brokers: 2,
      recognizedBrokers: 2,
      activeRecognizedBrokers: 1,
      departedBrokers: 1,
      inactiveBrokers: 0,
      activities: 4,
      byKind: { connect: 1, translate_research: 1, convene: 1, share_strategies: 1 },
      organizations: 6,
      pairs: 2,
      singleBrokerPairs: 1,
      unconnectedOrganizations: 3,
    });
  });

  it('flags a recognised broker with no brokering in more than 180 days (not on the 180th day)', () => {
    const state = fold(stateAgencyCommands()); // last brokering 2025-01-10
    expect(brokerNetworkView(state, on('2025-07-09')).inactiveBrokers).toEqual([]);
    expect(brokerNetworkView(state, on('2025-07-10')).inactiveBrokers).toEqual([
      { participantId: 'p-sea-director', organizationId: 'org-sea', lastActivityOn: '2025-01-10', inactiveSince: '2025-01-10' },
    ]);
    expect(brokerNetworkView(state, on('2025-07-10'), 365).inactiveBrokers).toEqual([]);
    // Every pair the SEA director bridged depends on them alone.
    expect(brokerNetworkView(state, on('2025-07-10')).singleBrokerPairs.map((p) => p.organizationIds)).toEqual([
      ['org-lea-metro', 'org-lea-plains'],
      ['org-lea-metro', 'org-sea'],
      ['org-lea-plains', 'org-sea'],
    ]);
  });

  it('counts a broker who never brokered as inactive from recognition, and follows role changes and withdrawals', () => {
    const commands: LogCommand[] = [
      { type: 'ProposePartnership', data: { name: 'Roles', initiationMode: 'community', focus: 'x' }, on: '2024-01-01' },
      { type: 'JoinOrganization', data: { organizationId: 'o-a', name: 'A', orgType: 'community_organization', side: 'community' }, on: '2024-01-01' },
      { type: 'JoinOrganization', data: { organizationId: 'o-b', name: 'B', orgType: 'research_organization', side: 'research' }, on: '2024-01-01' },
      { type: 'JoinParticipant', data: { participantId: 'quiet', organizationId: 'o-a', roles: ['broker'] }, on: '2024-01-02' },
      { type: 'JoinParticipant', data: { participantId: 'later', organizationId: 'o-b', roles: ['researcher'] }, on: '2024-01-02' },
      { type: 'ChangeParticipantRoles', data: { participantId: 'later', roles: ['researcher', 'broker'] }, on: '2024-03-01' },
      { type: 'RecordBrokeringActivity', data: { brokerParticipantId: 'later', fromOrganizationId: 'o-b', toOrganizationId: 'o-a', activityKind: 'translate_research' }, on: '2024-03-05' },
      { type: 'ChangeParticipantRoles', data: { participantId: 'later', roles: ['researcher'] }, on: '2024-04-01' },
    ];
    const doc = fold(commands);
    let view = brokerNetworkView(doc, on('2024-07-01'));
    expect(view.brokers.map((b) => [b.participantId, b.recognized, b.recognizedOn, b.activityCount, b.inactive])).toEqual([
      ['later', false, '2024-03-01', 1, false], // no longer recognised: stays, with its history
      ['quiet', true, '2024-01-02', 0, true], // recognised 2024-01-02, nothing in 181 days
    ]);
    expect(view.inactiveBrokers).toEqual([{ participantId: 'quiet', organizationId: 'o-a', lastActivityOn: null, inactiveSince: '2024-01-02' }]);
    expect(view.unconnectedOrganizations).toEqual([]);

    const log = new TestLog();
    const p = log.partnership();
    p.run([...commands, { type: 'WithdrawOrganization', data: { organizationId: 'o-a', reason: 'merged' }, on: '2024-06-01' }]);
    view = brokerNetworkView(log.events.reduce(evolveBrokerNetworkDocument, initialBrokerNetworkDocument(p.partnershipId)), on('2024-07-01'));
    expect(view.brokers.find((b) => b.participantId === 'quiet')).toMatchObject({ active: false, inactive: false });
    expect(view.organizations.find((o) => o.organizationId === 'o-a')).toMatchObject({ withdrawn: true, brokerCount: 1 });
    expect(view.totals).toMatchObject({ activeRecognizedBrokers: 0, inactiveBrokers: 0 });
  });
});
