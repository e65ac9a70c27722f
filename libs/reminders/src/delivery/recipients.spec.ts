/**
 * Who receives a reminder: roles resolved against the partnership's state (active members only) and
 * the operator's routing table turned into addresses.
 */
import { PartnershipFixtures, type PartnershipState } from '@trellis/domain';
import { reminderAudience } from './reminder-audience';
import { resolveFromRoutes } from './recipient-resolver';
import type { RecipientRoutes } from './recipient-routes';

const { P, ORG, PartnershipHistory } = PartnershipFixtures;

const history = () => new PartnershipHistory().proposed().members().formalized().workstreamAt('co_design', 'ws-1');
const members = (state: PartnershipState, target: Parameters<typeof reminderAudience>[1]) =>
  reminderAudience(state, target).map((m) => `${m.role}:${m.participantId}`).sort();

describe('reminderAudience', () => {
  it('resolves each recipient role', () => {
    const s = history().state();
    expect(members(s, { recipientRoles: ['co_leads'] })).toEqual([`co_leads:${P.practitioner}`, `co_leads:${P.researcher}`]);
    expect(members(s, { recipientRoles: ['workstream_leads'], workstreamId: 'ws-1' })).toEqual([`workstream_leads:${P.practitioner}`, `workstream_leads:${P.researcher}`]);
    expect(members(s, { recipientRoles: ['workstream_leads'] })).toEqual([]);
    expect(members(s, { recipientRoles: ['brokers'] })).toEqual([`brokers:${P.broker}`]);
    expect(members(s, { recipientRoles: ['practice_side_leads'], workstreamId: 'ws-1' })).toEqual([`practice_side_leads:${P.practitioner}`]);
    expect(members(s, { recipientRoles: ['organization_members'], organizationIds: [ORG.schoolA] })).toEqual([`organization_members:${P.student}`, `organization_members:${P.teacher}`]);
    expect(members(s, { recipientRoles: ['practice_side_reviewers'], organizationIds: [ORG.research, ORG.community] })).toEqual([`practice_side_reviewers:${P.community}`, `practice_side_reviewers:${P.family}`]);
    expect(members(s, { recipientRoles: ['data_stewards', 'recipient_leads'], organizationIds: [ORG.research] })).toEqual([`data_stewards:${P.researcher}`, `recipient_leads:${P.researcher}`]);
    expect(members(s, { recipientRoles: ['initiator'] })).toEqual([]);
    // Leads, proposers, agreers, contributors and co-designers of the workstream.
    expect(members(s, { recipientRoles: ['workstream_participants'], workstreamId: 'ws-1' })).toEqual(
      [P.practitioner, P.researcher, P.teacher].map((p) => `workstream_participants:${p}`).sort(),
    );
  });

  it('never includes a departed participant, nor the members of a withdrawn organization', () => {
    const h = history()
      .add('ParticipantDeparted', { participantId: P.practitioner, reason: 'left', organizationId: ORG.district })
      .add('OrganizationWithdrew', { organizationId: ORG.community, reason: 'capacity' });
    const s = h.state();
    expect(members(s, { recipientRoles: ['co_leads'] })).toEqual([`co_leads:${P.researcher}`]);
    expect(members(s, { recipientRoles: ['organization_members'], organizationIds: [ORG.community] })).toEqual([]);
  });

  it('is empty before the partnership exists', () => {
    expect(reminderAudience({ status: 'none' }, { recipientRoles: ['co_leads'] })).toEqual([]);
  });
});

describe('resolveFromRoutes', () => {
  const routes: RecipientRoutes = {
    roles: { co_leads: ['leads@x.example'], brokers: ['leads@x.example'] },
    organizations: {
      [ORG.schoolA]: { organization_members: ['office@a.example'] },
      [ORG.district]: { '*': ['district@x.example'] },
    },
    fallback: ['ops@x.example'],
  };

  it('uses the role mailboxes and those of organizations with an active member in the role, one entry per address', () => {
    const s = history().state();
    const target = { recipientRoles: ['organization_members', 'co_leads', 'brokers'] as const, organizationIds: [ORG.schoolA] };
    expect(resolveFromRoutes(routes, { target, audience: reminderAudience(s, target) })).toEqual([
      { address: 'office@a.example', roles: ['organization_members'] },
      { address: 'district@x.example', roles: ['co_leads', 'brokers'] },
      { address: 'leads@x.example', roles: ['co_leads', 'brokers'] },
    ]);
  });

  it('drops an organization’s mailbox once nobody there holds the role; falls back when nothing matched', () => {
    const s = history()
      .add('ParticipantDeparted', { participantId: P.teacher, reason: 'left', organizationId: ORG.schoolA })
      .add('ParticipantDeparted', { participantId: P.student, reason: 'graduated', organizationId: ORG.schoolA })
      .state();
    const target = { recipientRoles: ['organization_members'] as const, organizationIds: [ORG.schoolA] };
    expect(resolveFromRoutes(routes, { target, audience: reminderAudience(s, target) })).toEqual([{ address: 'ops@x.example', roles: ['organization_members'] }]);
    expect(resolveFromRoutes({ ...routes, fallback: [] }, { target, audience: reminderAudience(s, target) })).toEqual([]);
  });
});
