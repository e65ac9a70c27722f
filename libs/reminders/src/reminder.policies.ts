/**
 * The reminder policies of DOMAIN.md ("Reminder policies"), as data: what each one is about, which
 * events start, satisfy or cancel its clock, how its due times are computed from the configured days,
 * whether a pause freezes it, and the roles it goes to. The clocks themselves are folded in
 * `reminder.state.ts`; due times are computed in `reminder.schedule.ts`.
 *
 * DOMAIN.md's table lists … …. R-02 (active, no open
 * workstream), R-09 (study approved, not started) and R-16 (no reflection) appear only in the
 * research notes (research §5) and are deliberately not in the contract, so they are not policies here.
 */
import type { PartnershipEventType } from '@trellis/domain';

export const REMINDER_POLICY_IDS = [
  'R-01',
  'R-03',
  'R-04',
  'R-05',
  'R-06',
  'R-07',
  'R-08',
  'R-10',
  'R-11',
  'R-12',
  'R-13',
  'R-14',
  'R-15',
  'R-17',
  'R-18',
] as const;
export type ReminderPolicyId = (typeof REMINDER_POLICY_IDS)[number];

export const isReminderPolicyId = (value: unknown): value is ReminderPolicyId =>
  typeof value === 'string' && (REMINDER_POLICY_IDS as readonly string[]).includes(value);

/**
 * Who a reminder is for, as roles relative to the partnership; the sender resolves them to people
 * when sending (erased or departed people are never contacted). How each resolves from the
 * partnership state (`@trellis/domain`):
 * - `initiator` — who proposed the partnership. No event DATA names a participant for it (none exists
 *   when a partnership is proposed); only the proposal's envelope `metadata.recordedBy` (an API key,
 *   perhaps a participant id) does.
 * - `co_leads` — `agreement.coLeadParticipantIds` (none before `PartnershipFormalized`).
 * - `workstream_leads` — the workstream's `leadParticipantIds`.
 * - `workstream_participants` — everyone named in the workstream's events (leads, proposers, agreers,
 *   contributors, co-designers, attendees, conveners).
 * - `brokers` — active participants holding the `broker` role.
 * - `practice_side_leads` — workstream leads (or, outside a workstream, co-leads) acting for a
 *   practice- or community-side organization.
 * - `practice_side_reviewers` — active members of the practice- or community-side organizations in
 *   `organizationIds` (the findings' audience and the DSAs' providers). The domain has no reviewer role.
 * - `data_stewards` — for the organizations in `organizationIds` (DSA provider and recipients). The
 *   domain has no data-steward role; a sender must choose who stands for it (e.g. those organizations'
 *   leads).
 * - `recipient_leads` — co-leads and workstream leads acting for the organizations in
 *   `organizationIds` (the DSA's recipients).
 * - `organization_members` — the remaining active members of the organizations in `organizationIds`.
 */
export const REMINDER_RECIPIENT_ROLES = [
  'initiator',
  'co_leads',
  'workstream_leads',
  'workstream_participants',
  'brokers',
  'practice_side_leads',
  'practice_side_reviewers',
  'data_stewards',
  'recipient_leads',
  'organization_members',
] as const;
export type ReminderRecipientRole = (typeof REMINDER_RECIPIENT_ROLES)[number];

/** What a reminder is about: the kind of thing its clock belongs to, and that thing's id. */
export type ReminderAboutKind = 'partnership' | 'agreement' | 'workstream' | 'tool' | 'pilot' | 'findings' | 'dsa' | 'participant';

/**
 * How the configured days turn into due times (dates in event data count from 00:00 UTC):
 * - `after_start`: days after the event that started the clock (one value per step);
 * - `after_date`: days after a date the starting event carries (`plannedStart`, `plannedEnd`);
 * - `before_date`: days before such a date (`expiresOn`, `termEnd`, `destructionDueBy`);
 * - `review_window`: the DSAs' no-surprises window after sharing; the days are the window used when
 *   a DSA leaves `noSurprisesReviewDays` unset;
 * - `every`: a check-in every that many days, for as long as the clock runs.
 */
export type StepBasis = 'after_start' | 'after_date' | 'before_date' | 'review_window' | 'every';

export interface ReminderPolicy {
  readonly id: ReminderPolicyId;
  /** DOMAIN.md's "fires when". */
  readonly title: string;
  readonly basis: StepBasis;
  /** Default days (DOMAIN.md), one per step; `before_date` lists are given as written (90, 30, 7). */
  readonly defaultDays: readonly number[];
  /** Whether the days may list several steps (escalations) rather than exactly one value. */
  readonly multiStep: boolean;
  /** Smallest day value accepted in configuration. */
  readonly minDays: number;
  /** R-14 only: after its notices, an "overdue" step at the end of the deadline day. */
  readonly overdueStep?: boolean;
  /** The date the steps count from or to (`after_date` / `before_date`), as named in the event data. */
  readonly anchor?: string;
  /** Activity clocks freeze while the partnership is paused; deadlines fixed by agreements do not. */
  readonly freezesWhilePaused: boolean;
  readonly aboutKind: ReminderAboutKind;
  readonly startedBy: readonly PartnershipEventType[];
  readonly satisfiedBy: readonly PartnershipEventType[];
  /** Events that end the clock without satisfying it (closure, a concluded workstream, …). */
  readonly cancelledBy: readonly PartnershipEventType[];
  readonly recipientRoles: readonly ReminderRecipientRole[];
  /** Notes on conditions, for the docs. */
  readonly notes?: string;
}

const ENDS_PARTNERSHIP: readonly PartnershipEventType[] = ['PartnershipClosed', 'PartnershipAbandoned'];
/** A workstream concludes with `PhaseTransitioned {toPhase: 'concluded'}`. */
const ENDS_WORKSTREAM: readonly PartnershipEventType[] = ['PhaseTransitioned', ...ENDS_PARTNERSHIP];

export const REMINDER_POLICIES: Readonly<Record<ReminderPolicyId, ReminderPolicy>> = {
  'R-01': {
    id: 'R-01',
    title: 'exploring, not formalized',
    basis: 'after_start',
    defaultDays: [90],
    multiStep: false,
    minDays: 1,
    freezesWhilePaused: true,
    aboutKind: 'partnership',
    startedBy: ['PartnershipProposed'],
    satisfiedBy: ['PartnershipFormalized'],
    cancelledBy: ['PartnershipAbandoned'],
    recipientRoles: ['initiator', 'co_leads'],
    notes: 'co-leads exist only once formalized, and the initiator is named by no event data (see the roles)',
  },
  'R-03': {
    id: 'R-03',
    title: 'problem defined, no agreed agenda',
    basis: 'after_start',
    defaultDays: [45],
    multiStep: false,
    minDays: 1,
    freezesWhilePaused: true,
    aboutKind: 'workstream',
    startedBy: ['ProblemOfPracticeDefined'],
    satisfiedBy: ['ResearchAgendaAgreed'],
    cancelledBy: ENDS_WORKSTREAM,
    recipientRoles: ['workstream_leads', 'brokers'],
    notes: 'one clock per workstream; a problem defined after an agenda was agreed starts a new one',
  },
  'R-04': {
    id: 'R-04',
    title: 'agenda agreed, no evidence review or study',
    basis: 'after_start',
    defaultDays: [60],
    multiStep: false,
    minDays: 1,
    freezesWhilePaused: true,
    aboutKind: 'workstream',
    startedBy: ['ResearchAgendaAgreed'],
    satisfiedBy: ['EvidenceReviewed', 'FormalStudyApproved'],
    cancelledBy: ENDS_WORKSTREAM,
    recipientRoles: ['workstream_leads'],
  },
  'R-05': {
    id: 'R-05',
    title: 'tool created, no pilot approved',
    basis: 'after_start',
    defaultDays: [60],
    multiStep: false,
    minDays: 1,
    freezesWhilePaused: true,
    aboutKind: 'tool',
    startedBy: ['ToolCoDeveloped'],
    satisfiedBy: ['PilotApproved'],
    cancelledBy: ENDS_WORKSTREAM,
    recipientRoles: ['workstream_leads'],
    notes: 'one clock per tool, satisfied by a pilot of that tool; cancelled when the tool’s workstream concludes',
  },
  'R-06': {
    id: 'R-06',
    title: 'pilot approved, not started',
    basis: 'after_date',
    anchor: 'plannedStart',
    defaultDays: [30],
    multiStep: false,
    minDays: 0,
    freezesWhilePaused: true,
    aboutKind: 'pilot',
    startedBy: ['PilotApproved'],
    satisfiedBy: ['PilotStarted', 'PilotConcluded'],
    cancelledBy: ENDS_WORKSTREAM,
    recipientRoles: ['practice_side_leads'],
  },
  'R-07': {
    id: 'R-07',
    title: 'pilot running',
    basis: 'after_date',
    anchor: 'plannedEnd',
    defaultDays: [0, 30],
    multiStep: true,
    minDays: 0,
    freezesWhilePaused: true,
    aboutKind: 'pilot',
    startedBy: ['PilotStarted'],
    satisfiedBy: ['PilotConcluded'],
    cancelledBy: ENDS_WORKSTREAM,
    recipientRoles: ['workstream_leads'],
  },
  'R-08': {
    id: 'R-08',
    title: 'input gathered, no revision or decision',
    basis: 'after_start',
    defaultDays: [30],
    multiStep: false,
    minDays: 1,
    freezesWhilePaused: true,
    aboutKind: 'workstream',
    startedBy: ['StakeholderInputGathered'],
    satisfiedBy: ['ToolRevised', 'PhaseTransitioned'],
    cancelledBy: ENDS_PARTNERSHIP,
    recipientRoles: ['workstream_leads'],
    notes: 'the decision is a phase change of the workstream (a re-pilot, a study, findings, going back)',
  },
  'R-10': {
    id: 'R-10',
    title: 'findings shared, not jointly interpreted',
    basis: 'after_start',
    defaultDays: [21, 42],
    multiStep: true,
    minDays: 1,
    freezesWhilePaused: true,
    aboutKind: 'findings',
    startedBy: ['PreliminaryFindingsShared'],
    satisfiedBy: ['FindingsJointlyInterpreted'],
    cancelledBy: ENDS_WORKSTREAM,
    recipientRoles: ['workstream_participants'],
  },
  'R-11': {
    id: 'R-11',
    title: 'interpreted, no use or dissemination',
    basis: 'after_start',
    defaultDays: [60],
    multiStep: false,
    minDays: 1,
    freezesWhilePaused: true,
    aboutKind: 'findings',
    startedBy: ['FindingsJointlyInterpreted'],
    satisfiedBy: ['FindingsDisseminated', 'ResearchUseRecorded'],
    cancelledBy: ENDS_WORKSTREAM,
    recipientRoles: ['practice_side_leads', 'brokers'],
    notes:
      'satisfied by a dissemination of the findings, or a research use recorded in their workstream or citing them; not started when the findings were already disseminated',
  },
  'R-12': {
    id: 'R-12',
    title: 'no-surprises review pending',
    basis: 'review_window',
    defaultDays: [30],
    multiStep: false,
    minDays: 1,
    freezesWhilePaused: false,
    aboutKind: 'findings',
    startedBy: ['PreliminaryFindingsShared'],
    satisfiedBy: ['FindingsReviewedByPracticePartner', 'FindingsDisseminated'],
    cancelledBy: ENDS_WORKSTREAM,
    recipientRoles: ['practice_side_reviewers'],
    notes:
      'only for findings derived from DSA data (the source study’s DSAs, data received in the workstream by the sharing date), as the decider’s NO_SURPRISES_REVIEW_PENDING rule; due when the longest window ends; a public, field or policy release ends it',
  },
  'R-13': {
    id: 'R-13',
    title: 'DSA expiry',
    basis: 'before_date',
    anchor: 'expiresOn',
    defaultDays: [90, 30, 7],
    multiStep: true,
    minDays: 0,
    freezesWhilePaused: false,
    aboutKind: 'dsa',
    startedBy: ['DataSharingAgreementExecuted'],
    satisfiedBy: ['DataSharingAgreementEnded'],
    cancelledBy: ENDS_PARTNERSHIP,
    recipientRoles: ['data_stewards', 'co_leads'],
  },
  'R-14': {
    id: 'R-14',
    title: 'disposal due after a DSA ended',
    basis: 'before_date',
    anchor: 'destructionDueBy',
    defaultDays: [14],
    multiStep: true,
    minDays: 0,
    overdueStep: true,
    freezesWhilePaused: false,
    aboutKind: 'dsa',
    startedBy: ['DataSharingAgreementEnded'],
    satisfiedBy: ['DataDisposalCertified'],
    cancelledBy: [],
    recipientRoles: ['recipient_leads'],
    notes: 'the last step is "overdue", at the end of the destructionDueBy day; it outlives closure and abandonment (disposal may be certified after them)',
  },
  'R-15': {
    id: 'R-15',
    title: 'departure without successor',
    basis: 'after_start',
    defaultDays: [30],
    multiStep: false,
    minDays: 1,
    freezesWhilePaused: true,
    aboutKind: 'participant',
    startedBy: ['ParticipantDeparted'],
    satisfiedBy: ['ParticipantJoined'],
    cancelledBy: ['OrganizationWithdrew', ...ENDS_PARTNERSHIP],
    recipientRoles: ['organization_members', 'co_leads'],
    notes:
      'started by a departure naming no successor; satisfied when someone joins the same organization, cancelled when the organization withdraws',
  },
  'R-17': {
    id: 'R-17',
    title: 'partnership paused',
    basis: 'every',
    defaultDays: [90],
    multiStep: false,
    minDays: 1,
    freezesWhilePaused: false,
    aboutKind: 'partnership',
    startedBy: ['PartnershipStatusChanged'],
    satisfiedBy: ['PartnershipStatusChanged'],
    cancelledBy: ENDS_PARTNERSHIP,
    recipientRoles: ['co_leads'],
    notes: 'escalation n is the (n+1)-th check-in; it runs only while paused',
  },
  'R-18': {
    id: 'R-18',
    title: 'agreement term ending',
    basis: 'before_date',
    anchor: 'termEnd',
    defaultDays: [120, 30],
    multiStep: true,
    minDays: 0,
    freezesWhilePaused: false,
    aboutKind: 'agreement',
    startedBy: ['PartnershipFormalized', 'PartnershipAgreementAmended'],
    satisfiedBy: ['PartnershipAgreementAmended'],
    cancelledBy: ENDS_PARTNERSHIP,
    recipientRoles: ['co_leads'],
    notes: 'an amendment with a newTermEnd replaces the clock with one for the new term',
  },
};
