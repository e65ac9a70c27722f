/**
 * A one-line, human summary of each partnership event for the audit timeline. It is built only from
 * ids, the closed vocabularies (roles, phases, kinds, audiences, …), dates and counts of the things
 * an event lists — NEVER from free text (names, statements, reasons, summaries, purposes, titles,
 * references typed by people), which may hold personal data (research §6.2 "P1-free-text"). The
 * timeline shows the one free text it must — a phase transition's reason — in its own field.
 */
import type { RecordedEvent } from '@trellis/event-store';
import { dataOf, num, respondentCategories, str, strList } from '../../signals/event-access';

type Data = Readonly<Record<string, unknown>>;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const items = (values: readonly string[]): string => values.join(', ');
/** A vocabulary value or id, or a placeholder when missing. */
const v = (value: unknown, missing = '?'): string => str(value) ?? missing;
const count = (d: Data, field: string): number => strList(d[field]).length;

export function summarizeEvent(event: RecordedEvent): string {
  const d = dataOf(event);
  switch (event.type) {
    case 'PartnershipProposed': {
      const types = strList(d['types']);
      return `Partnership proposed (initiated by ${v(d['initiationMode'])}${types.length > 0 ? `; ${items(types)}` : ''})`;
    }
    case 'OrganizationJoined':
      return `Organization ${v(d['organizationId'])} joined (${v(d['orgType'])}, ${v(d['side'])} side${str(d['parentOrganizationId']) ? `, part of ${v(d['parentOrganizationId'])}` : ''})`;
    case 'OrganizationWithdrew':
      return `Organization ${v(d['organizationId'])} withdrew`;
    case 'ParticipantJoined':
      return `Participant ${v(d['participantId'])} joined for ${v(d['organizationId'])} as ${items(strList(d['roles'])) || 'no role'}`;
    case 'ParticipantRolesChanged':
      return `Participant ${v(d['participantId'])} changed roles from ${items(strList(d['previousRoles'])) || 'none'} to ${items(strList(d['roles'])) || 'none'}`;
    case 'ParticipantDeparted': {
      const successor = str(d['successorParticipantId']);
      return `Participant ${v(d['participantId'])} departed from ${v(d['organizationId'])} (${successor ? `successor ${successor}` : 'no successor'})`;
    }
    case 'PartnershipFormalized': {
      const term = str(d['termEnd']);
      return `Partnership formalized under ${v(d['agreementRef'])} with ${plural(count(d, 'partyOrganizationIds'), 'party', 'parties')} and ${plural(count(d, 'coLeadParticipantIds'), 'co-lead')}, effective ${v(d['effectiveFrom'])}${term ? ` until ${term}` : ''}`;
    }
    case 'PartnershipAgreementAmended': {
      const term = str(d['newTermEnd']);
      return `Agreement ${v(d['agreementRef'])} amended (${v(d['amendmentKind'])}${term ? `; term now ends ${term}` : ''})`;
    }
    case 'DataSharingAgreementExecuted':
      return `Data-sharing agreement ${v(d['dsaId'])} executed: ${v(d['providerOrganizationId'])} to ${items(strList(d['recipientOrganizationIds'])) || 'no recipient'} under ${v(d['legalBasis'])}, ${d['piiIncluded'] === true ? 'with' : 'without'} PII, ${v(d['effectiveFrom'])} to ${v(d['expiresOn'])}`;
    case 'DataSharingAgreementEnded':
      return `Data-sharing agreement ${v(d['dsaId'])} ended (${v(d['endKind'])}) on ${v(d['endedOn'])}; data to be destroyed by ${v(d['destructionDueBy'])}`;
    case 'DataDisposalCertified':
      return `Disposal of the data under ${v(d['dsaId'])} certified by ${v(d['certifiedByParticipantId'])} (disposed ${v(d['disposedOn'])})`;
    case 'PartnershipStatusChanged':
      return `Status changed from ${v(d['fromStatus'])} to ${v(d['toStatus'])}`;
    case 'PartnershipReflectionRecorded': {
      const ratings = typeof d['ratings'] === 'object' && d['ratings'] !== null ? Object.keys(d['ratings'] as object).sort() : [];
      return `Partnership reflection recorded${ratings.length > 0 ? ` (ratings by the ${items(ratings)} side${ratings.length === 1 ? '' : 's'})` : ''}`;
    }
    case 'BrokeringActivityRecorded':
      return `Brokering (${v(d['activityKind'])}) by ${v(d['brokerParticipantId'])} from ${v(d['fromOrganizationId'])} to ${v(d['toOrganizationId'])}`;
    case 'PartnershipClosed': {
      const successor = str(d['successorPartnershipId']);
      return `Partnership closed (${v(d['closureKind'])}${successor ? `; successor ${successor}` : ''})`;
    }
    case 'PartnershipAbandoned':
      return 'Partnership abandoned';
    case 'WorkstreamOpened': {
      const parent = str(d['parentWorkstreamId']);
      return `Workstream ${v(d['workstreamId'])} opened with ${plural(count(d, 'leadParticipantIds'), 'lead')}${parent ? ` (follows ${parent})` : ''}`;
    }
    case 'ProblemOfPracticeDefined':
      return `Problem of practice ${v(d['problemId'])} defined, proposed by ${plural(count(d, 'proposedByParticipantIds'), 'participant')}${d['communityGoal'] === true ? ' (community goal)' : ''}`;
    case 'ProblemOfPracticeReframed':
      return `Problem of practice ${v(d['problemId'])} reframed`;
    case 'ResearchAgendaAgreed': {
      const questions = Array.isArray(d['researchQuestions']) ? d['researchQuestions'].length : 0;
      return `Research agenda ${v(d['agendaId'])} agreed by ${plural(count(d, 'agreedByParticipantIds'), 'participant')} (${plural(questions, 'research question')})`;
    }
    case 'EvidenceReviewed':
      return `Evidence review ${v(d['reviewId'])} recorded (${items(strList(d['evidenceTypes'])) || 'no evidence type'}) with ${plural(count(d, 'contributorParticipantIds'), 'contributor')}`;
    case 'ToolCoDeveloped':
      return `Tool ${v(d['toolId'])} co-developed (version 1) with ${plural(count(d, 'coDesignerParticipantIds'), 'co-designer')}`;
    case 'PilotApproved':
      return `Pilot ${v(d['pilotId'])} of ${v(d['toolId'])} v${num(d['toolVersion']) ?? '?'} approved at ${plural(count(d, 'siteOrganizationIds'), 'site')} (consent: ${v(d['consentBasis'])}), planned ${v(d['plannedStart'])} to ${v(d['plannedEnd'])}`;
    case 'PilotStarted':
      return `Pilot ${v(d['pilotId'])} started on ${v(d['startedOn'])} at ${plural(count(d, 'siteOrganizationIds'), 'site')}`;
    case 'StakeholderInputGathered': {
      const categories = respondentCategories(event);
      const tool = str(d['toolId']);
      return `Stakeholder input ${v(d['inputId'])} gathered by ${v(d['method'])}${tool ? ` on ${tool}` : ''}; respondents: ${items(categories) || 'none'}`;
    }
    case 'ToolRevised': {
      const answered = count(d, 'answersInputIds') + count(d, 'answersFindingsIds');
      return `Tool ${v(d['toolId'])} revised to version ${num(d['version']) ?? '?'} with ${plural(count(d, 'revisedWithParticipantIds'), 'participant')}, answering ${plural(answered, 'input or finding', 'inputs or findings')}`;
    }
    case 'PilotConcluded':
      return `Pilot ${v(d['pilotId'])} concluded (${v(d['outcome'])}) on ${v(d['endedOn'])}`;
    case 'FormalStudyApproved': {
      const dsas = strList(d['dsaIds']);
      return `Formal study ${v(d['studyId'])} approved: ${plural(count(d, 'questionIds'), 'question')}, ${plural(count(d, 'siteOrganizationIds'), 'site')}, ${d['usesStudentRecords'] === true ? 'uses' : 'does not use'} student records${dsas.length > 0 ? ` (under ${items(dsas)})` : ''}`;
    }
    case 'FormalStudyStarted':
      return `Formal study ${v(d['studyId'])} started on ${v(d['startedOn'])}`;
    case 'DataReceivedUnderAgreement':
      return `Data received under ${v(d['dsaId'])} (transfer ${v(d['transferId'])}) on ${v(d['receivedOn'])}, ${d['piiIncluded'] === true ? 'with' : 'without'} PII`;
    case 'PreliminaryFindingsShared':
      return `Preliminary findings ${v(d['findingsId'])} from ${v(d['sourceId'])} shared with ${plural(count(d, 'sharedWithOrganizationIds'), 'organization')}`;
    case 'FindingsJointlyInterpreted':
      return `Findings ${v(d['findingsId'])} interpreted jointly on ${v(d['sessionOn'])} by ${plural(count(d, 'attendeeParticipantIds'), 'attendee')}`;
    case 'FindingsReviewedByPracticePartner':
      return `Findings ${v(d['findingsId'])} reviewed by ${v(d['reviewerOrganizationId'])}: ${v(d['outcome'])}`;
    case 'FindingsDisseminated':
      return `Findings ${v(d['findingsId'])} disseminated (${v(d['artifactKind'])}, ${v(d['audience'])} audience) on ${v(d['releasedOn'])}`;
    case 'ResearchUseRecorded':
      return `Research use ${v(d['useId'])} recorded: ${v(d['decisionLevel'])}-level decision by ${v(d['decidingOrganizationId'])}, citing ${plural(count(d, 'evidenceIds'), 'piece', 'pieces')} of evidence`;
    case 'PhaseTransitioned': {
      const ws = v(d['workstreamId']);
      const from = v(d['fromPhase']);
      const to = v(d['toPhase']);
      switch (str(d['direction'])) {
        case 'forward':
          return `Workstream ${ws} moved forward from ${from} to ${to}${str(d['triggerEventId']) ? ' by its gate event' : ''}`;
        case 'backward':
          return `Workstream ${ws} moved back from ${from} to ${to}`;
        case 'skip':
          return to === 'concluded' ? `Workstream ${ws} concluded early from ${from}` : `Workstream ${ws} skipped from ${from} to ${to}`;
        default:
          return `Workstream ${ws} moved from ${from} to ${to}`;
      }
    }
    default:
      return event.type;
  }
}
