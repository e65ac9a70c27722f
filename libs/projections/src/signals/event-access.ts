/**
 * Reading recorded partnership events defensively: who and what an event names. Read models must
 * never throw on a malformed event (like the domain's `evolve`), so every accessor tolerates missing
 * or mistyped fields.
 */
import { PARTNERSHIP_STREAM_PREFIX, ROLES, type Role } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';

type Data = Readonly<Record<string, unknown>>;

export const dataOf = (event: RecordedEvent): Data =>
  typeof event.data === 'object' && event.data !== null ? (event.data as Data) : {};

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const strList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The partnership an event belongs to: the envelope's `partnershipId`, else its stream's (`partnership-<id>`). */
export const partnershipIdOf = (event: RecordedEvent): string | undefined => {
  const id = str(event.metadata['partnershipId']);
  if (id) return id;
  return event.streamId.startsWith(PARTNERSHIP_STREAM_PREFIX) ? event.streamId.slice(PARTNERSHIP_STREAM_PREFIX.length) : undefined;
};

export const occurredAtOf = (event: RecordedEvent): string | undefined =>
  str(event.metadata['occurredAt']) ?? str(event.metadata['recordedAt']);

export const recordedAtOf = (event: RecordedEvent): string | undefined =>
  str(event.metadata['recordedAt']) ?? str(event.metadata['occurredAt']);

/** The workstream an event belongs to: its data's `workstreamId`, else the envelope's. */
export const workstreamIdOf = (event: RecordedEvent): string | undefined =>
  str(dataOf(event)['workstreamId']) ?? str(event.metadata['workstreamId']);

export interface Recorder {
  readonly participantId?: string | undefined;
  readonly organizationId?: string | undefined;
}

const NO_RECORDER: Recorder = {};

export function recorderOf(event: RecordedEvent): Recorder {
  const by = event.metadata['recordedBy'];
  if (typeof by !== 'object' || by === null || Array.isArray(by)) return NO_RECORDER;
  const record = by as Record<string, unknown>;
  const participantId = str(record['participantId']);
  const organizationId = str(record['organizationId']);
  return participantId === undefined && organizationId === undefined ? NO_RECORDER : { participantId, organizationId };
}

/** Participants an event's data names (leads, proposers, agreers, contributors, co-designers, …). */
export function namedParticipants(event: RecordedEvent): string[] {
  const d = dataOf(event);
  switch (event.type) {
    case 'WorkstreamOpened':
      return strList(d['leadParticipantIds']);
    case 'ProblemOfPracticeDefined':
      return strList(d['proposedByParticipantIds']);
    case 'ResearchAgendaAgreed':
      return strList(d['agreedByParticipantIds']);
    case 'EvidenceReviewed':
      return strList(d['contributorParticipantIds']);
    case 'ToolCoDeveloped':
      return strList(d['coDesignerParticipantIds']);
    case 'StakeholderInputGathered':
      return strList([d['convenedByParticipantId']]);
    case 'ToolRevised':
      return strList(d['revisedWithParticipantIds']);
    case 'FindingsJointlyInterpreted':
      return strList(d['attendeeParticipantIds']);
    case 'BrokeringActivityRecorded':
      return strList([d['brokerParticipantId']]);
    case 'PartnershipFormalized':
      return strList(d['coLeadParticipantIds']);
    case 'DataDisposalCertified':
      return strList([d['certifiedByParticipantId']]);
    default:
      return [];
  }
}

/** Organizations taking part in an event (sites, approvers, recipients, reviewers, deciders). */
export function namedOrganizations(event: RecordedEvent): string[] {
  const d = dataOf(event);
  const approvers = Array.isArray(d['approvals'])
    ? (d['approvals'] as unknown[]).map((a) => (typeof a === 'object' && a !== null ? (a as Data)['organizationId'] : undefined))
    : [];
  switch (event.type) {
    case 'PilotApproved':
    case 'FormalStudyApproved':
      return strList([...strList(d['siteOrganizationIds']), ...approvers]);
    case 'PilotStarted':
      return strList(d['siteOrganizationIds']);
    case 'DataReceivedUnderAgreement':
      return strList([d['recipientOrganizationId']]);
    case 'PreliminaryFindingsShared':
      return strList(d['sharedWithOrganizationIds']);
    case 'FindingsReviewedByPracticePartner':
      return strList([d['reviewerOrganizationId']]);
    case 'ResearchUseRecorded':
      return strList([d['decidingOrganizationId']]);
    default:
      return [];
  }
}

const ROLE_SET: ReadonlySet<string> = new Set(ROLES);

/** Respondent categories of a stakeholder input with a count above zero (roles and organization types). */
export function respondentCategories(event: RecordedEvent): string[] {
  const counts = dataOf(event)['respondentCounts'];
  if (typeof counts !== 'object' || counts === null || Array.isArray(counts)) return [];
  return Object.entries(counts as Record<string, unknown>)
    .filter(([, n]) => (num(n) ?? 0) > 0)
    .map(([k]) => k)
    .sort();
}

/** The respondent categories that are roles (respondents are present in the phase, in aggregate). */
export const respondentRoles = (event: RecordedEvent): Role[] =>
  respondentCategories(event).filter((k): k is Role => ROLE_SET.has(k));
