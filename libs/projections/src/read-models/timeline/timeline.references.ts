/**
 * Who and what an event names, and in which capacity ("attendee", "site", …), for the audit
 * timeline. Participants appear only by their pseudonymous ids. Tolerant of malformed data, like
 * the rest of the read side: a missing or mistyped field names nobody.
 */
import type { RecordedEvent } from '@trellis/event-store';
import { dataOf, str, strList } from '../../signals/event-access';

export type ParticipantCapacity =
  | 'joined'
  | 'roles_changed'
  | 'departed'
  | 'successor'
  | 'co_lead'
  | 'certifier'
  | 'broker'
  | 'lead'
  | 'proposer'
  | 'agreed_by'
  | 'contributor'
  | 'co_designer'
  | 'convener'
  | 'reviser'
  | 'attendee';

export type OrganizationCapacity =
  | 'joined'
  | 'parent'
  | 'withdrew'
  | 'member_of'
  | 'party'
  | 'provider'
  | 'recipient'
  | 'brokered_from'
  | 'brokered_to'
  | 'site'
  | 'approver'
  | 'shared_with'
  | 'reviewer'
  | 'decider';

export interface Named<C extends string> {
  readonly id: string;
  /** Capacities in the order the event names them, distinct. */
  readonly as: readonly C[];
}

type Data = Readonly<Record<string, unknown>>;

/** Participants an event names, each once with every capacity it is named in. */
export function participantsNamed(event: RecordedEvent): Named<ParticipantCapacity>[] {
  const d = dataOf(event);
  const out = new Collector<ParticipantCapacity>();
  const one = (field: string, as: ParticipantCapacity) => out.add(str(d[field]), as);
  const many = (field: string, as: ParticipantCapacity) => strList(d[field]).forEach((id) => out.add(id, as));
  switch (event.type) {
    case 'ParticipantJoined':
      one('participantId', 'joined');
      break;
    case 'ParticipantRolesChanged':
      one('participantId', 'roles_changed');
      break;
    case 'ParticipantDeparted':
      one('participantId', 'departed');
      one('successorParticipantId', 'successor');
      break;
    case 'PartnershipFormalized':
      many('coLeadParticipantIds', 'co_lead');
      break;
    case 'DataDisposalCertified':
      one('certifiedByParticipantId', 'certifier');
      break;
    case 'BrokeringActivityRecorded':
      one('brokerParticipantId', 'broker');
      break;
    case 'WorkstreamOpened':
      many('leadParticipantIds', 'lead');
      break;
    case 'ProblemOfPracticeDefined':
      many('proposedByParticipantIds', 'proposer');
      break;
    case 'ResearchAgendaAgreed':
      many('agreedByParticipantIds', 'agreed_by');
      break;
    case 'EvidenceReviewed':
      many('contributorParticipantIds', 'contributor');
      break;
    case 'ToolCoDeveloped':
      many('coDesignerParticipantIds', 'co_designer');
      break;
    case 'StakeholderInputGathered':
      one('convenedByParticipantId', 'convener');
      break;
    case 'ToolRevised':
      many('revisedWithParticipantIds', 'reviser');
      break;
    case 'FindingsJointlyInterpreted':
      many('attendeeParticipantIds', 'attendee');
      break;
    default:
      break;
  }
  return out.list();
}

/** Organizations an event names (members, parties, DSA parties, sites, approvers, reviewers, …). */
export function organizationsNamed(event: RecordedEvent): Named<OrganizationCapacity>[] {
  const d = dataOf(event);
  const out = new Collector<OrganizationCapacity>();
  const one = (field: string, as: OrganizationCapacity) => out.add(str(d[field]), as);
  const many = (field: string, as: OrganizationCapacity) => strList(d[field]).forEach((id) => out.add(id, as));
  const approvers = () => {
    const approvals = Array.isArray(d['approvals']) ? (d['approvals'] as unknown[]) : [];
    for (const a of approvals) if (typeof a === 'object' && a !== null) out.add(str((a as Data)['organizationId']), 'approver');
  };
  switch (event.type) {
    case 'OrganizationJoined':
      one('organizationId', 'joined');
      one('parentOrganizationId', 'parent');
      break;
    case 'OrganizationWithdrew':
      one('organizationId', 'withdrew');
      break;
    case 'ParticipantJoined':
    case 'ParticipantDeparted':
      one('organizationId', 'member_of');
      break;
    case 'PartnershipFormalized':
      many('partyOrganizationIds', 'party');
      break;
    case 'DataSharingAgreementExecuted':
      one('providerOrganizationId', 'provider');
      many('recipientOrganizationIds', 'recipient');
      break;
    case 'BrokeringActivityRecorded':
      one('fromOrganizationId', 'brokered_from');
      one('toOrganizationId', 'brokered_to');
      break;
    case 'PilotApproved':
    case 'FormalStudyApproved':
      many('siteOrganizationIds', 'site');
      approvers();
      break;
    case 'PilotStarted':
      many('siteOrganizationIds', 'site');
      break;
    case 'DataReceivedUnderAgreement':
      one('recipientOrganizationId', 'recipient');
      break;
    case 'PreliminaryFindingsShared':
      many('sharedWithOrganizationIds', 'shared_with');
      break;
    case 'FindingsReviewedByPracticePartner':
      one('reviewerOrganizationId', 'reviewer');
      break;
    case 'ResearchUseRecorded':
      one('decidingOrganizationId', 'decider');
      break;
    default:
      break;
  }
  return out.list();
}

class Collector<C extends string> {
  private readonly byId = new Map<string, C[]>();

  add(id: string | undefined, as: C): void {
    if (id === undefined || id === '') return;
    const list = this.byId.get(id);
    if (!list) this.byId.set(id, [as]);
    else if (!list.includes(as)) list.push(as);
  }

  list(): Named<C>[] {
    return [...this.byId].map(([id, as]) => ({ id, as }));
  }
}
