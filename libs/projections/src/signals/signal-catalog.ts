/**
 * The health signals of DOMAIN.md ("Signals (the command succeeds; read models flag it)") and of the
 * phase rules (a skip problem_framing → co_design "raises a signal"), with stable codes. Each says
 * which of Henrick et al.'s five dimensions it bears on (research/domain-research.md §4.2), whether an
 * event raises it (the timeline shows it at that event) and whether it depends on the clock.
 *
 * The codes are part of the API: never rename one; add new ones at the end.
 */
import type { EffectivenessDimension } from '@trellis/domain';

export const SIGNAL_CODES = [
  'PROBLEM_FROM_RESEARCH_ONLY',
  'NO_RECOGNISED_BROKER',
  'NO_BROKERING_180_DAYS',
  'PHASE_WITHOUT_PRACTICE',
  'FAMILIES_COMMUNITY_ABSENT',
  'INPUT_SINGLE_ROLE',
  'DISSEMINATED_BEFORE_INTERPRETATION',
  'SINGLE_POINT_OF_CONTACT',
  'DEPARTURE_WITHOUT_SUCCESSOR',
  'TOOL_REVISED_WITHOUT_PRACTICE',
  'NO_REFLECTION_12_MONTHS',
  'RECORDING_DOMINATED_BY_ONE_SIDE',
  'INTERPRETATION_WITHOUT_USE',
  'PHASE_SKIPPED_EVIDENCE_REVIEW',
] as const;
export type SignalCode = (typeof SIGNAL_CODES)[number];

/** The thresholds of the time-dependent signals (DOMAIN.md). */
export const SIGNAL_THRESHOLDS = {
  /** NO_BROKERING_180_DAYS: more than this many days since the last brokering activity (or the proposal). */
  brokeringDays: 180,
  /** DEPARTURE_WITHOUT_SUCCESSOR: more than this many days since a departure nobody succeeded. */
  successorDays: 30,
  /** NO_REFLECTION_12_MONTHS: more than this many calendar months since the last reflection (or the proposal). */
  reflectionMonths: 12,
  /** RECORDING_DOMINATED_BY_ONE_SIDE: the window, in days ending today (UTC) … */
  recordingWindowDays: 90,
  /** … the share one side must exceed … */
  recordingShare: 0.8,
  /**
   * … and the fewest attributable events in the window for a share to mean anything (with one
   * event, one side always records 100%). An engine choice; DOMAIN.md gives no minimum.
   */
  recordingMinEvents: 5,
  /** INTERPRETATION_WITHOUT_USE: more than this many days after the (first) joint interpretation session. */
  useAfterInterpretationDays: 120,
} as const;

export interface SignalDefinition {
  readonly code: SignalCode;
  readonly title: string;
  readonly description: string;
  /** The effectiveness dimensions (Henrick et al. 2017) it bears on; the first is the main one. */
  readonly dimensions: readonly EffectivenessDimension[];
  /** Raised by one event (`detectEventSignals`): the timeline shows it at that event. */
  readonly eventLevel: boolean;
  /** Its current value depends on the clock (`evaluatePartnershipSignals(facts, now)`). */
  readonly timeDependent: boolean;
  /** Workstream-scoped signals are current while their workstream is open. */
  readonly scope: 'partnership' | 'workstream';
  /** The warning of research/domain-research.md §3.2 it implements. */
  readonly research: string;
}

const define = (d: SignalDefinition): SignalDefinition => d;

export const SIGNAL_CATALOG: Readonly<Record<SignalCode, SignalDefinition>> = {
  PROBLEM_FROM_RESEARCH_ONLY: define({
    code: 'PROBLEM_FROM_RESEARCH_ONLY',
    title: 'Problem of practice proposed by the research side only',
    description: 'Every participant who proposed the problem acts for a research-side organization; the work should stay rooted in the practice partner\'s needs.',
    dimensions: ['d3', 'd1'],
    eventLevel: true,
    timeDependent: false,
    scope: 'workstream',
    research: 'W-01',
  }),
  NO_RECOGNISED_BROKER: define({
    code: 'NO_RECOGNISED_BROKER',
    title: 'No recognised broker',
    description: 'No active participant holds the broker role. Raised at the event that removed the last one (a departure, a role change, a withdrawal) and current while none is recognised.',
    dimensions: ['d1', 'd5'],
    eventLevel: true,
    timeDependent: false,
    scope: 'partnership',
    research: 'W-02',
  }),
  NO_BROKERING_180_DAYS: define({
    code: 'NO_BROKERING_180_DAYS',
    title: 'No brokering in 180 days',
    description: 'More than 180 days since the last brokering activity (or, when there was none, since the partnership was proposed).',
    dimensions: ['d1'],
    eventLevel: false,
    timeDependent: true,
    scope: 'partnership',
    research: 'W-02',
  }),
  PHASE_WITHOUT_PRACTICE: define({
    code: 'PHASE_WITHOUT_PRACTICE',
    title: 'A phase with no practitioner present',
    description:
      'A workstream left a phase occurrence in which no practitioner took part (in a community research collaborative: no community member). Present are the participants named in the events of that occurrence and their recorders, respondents by role, and the organizations taking part (sites, approvers, recipients, reviewers, deciders) by side.',
    dimensions: ['d1', 'd3'],
    eventLevel: true,
    timeDependent: false,
    scope: 'workstream',
    research: 'W-03',
  }),
  FAMILIES_COMMUNITY_ABSENT: define({
    code: 'FAMILIES_COMMUNITY_ABSENT',
    title: 'Families and community absent from every phase',
    description:
      'An equity-focused partnership (a community research collaborative, community-initiated, or with a problem that has a community goal) in which no family member, community member or community-side organization has been present in any phase of any workstream.',
    dimensions: ['d1', 'd3'],
    eventLevel: false,
    timeDependent: false,
    scope: 'partnership',
    research: 'W-04',
  }),
  INPUT_SINGLE_ROLE: define({
    code: 'INPUT_SINGLE_ROLE',
    title: 'Stakeholder input from a single role',
    description: 'The respondents of a stakeholder input are of one category only (one role or organization type with a count above zero).',
    dimensions: ['d2', 'd1'],
    eventLevel: true,
    timeDependent: false,
    scope: 'workstream',
    research: 'W-05',
  }),
  DISSEMINATED_BEFORE_INTERPRETATION: define({
    code: 'DISSEMINATED_BEFORE_INTERPRETATION',
    title: 'Findings disseminated before joint interpretation',
    description: 'Findings were released beyond the partnership (any audience but partner_internal) with no joint interpretation session on or before the release date.',
    dimensions: ['d1', 'd4'],
    eventLevel: true,
    timeDependent: false,
    scope: 'workstream',
    research: 'W-06',
  }),
  SINGLE_POINT_OF_CONTACT: define({
    code: 'SINGLE_POINT_OF_CONTACT',
    title: 'Single point of contact in an organization',
    description: 'An organization that has not withdrawn has exactly one active participant. Raised at a departure that leaves one, and current while it lasts.',
    dimensions: ['d1', 'd5'],
    eventLevel: true,
    timeDependent: false,
    scope: 'partnership',
    research: 'W-07',
  }),
  DEPARTURE_WITHOUT_SUCCESSOR: define({
    code: 'DEPARTURE_WITHOUT_SUCCESSOR',
    title: 'Departure without a successor after 30 days',
    description: 'A participant departed without a successor more than 30 days ago and nobody has joined their organization since.',
    dimensions: ['d1'],
    eventLevel: false,
    timeDependent: true,
    scope: 'partnership',
    research: 'W-07',
  }),
  TOOL_REVISED_WITHOUT_PRACTICE: define({
    code: 'TOOL_REVISED_WITHOUT_PRACTICE',
    title: 'Tool revised without the practice side',
    description: 'No participant the tool was revised with acts for a practice-side organization (in a community research collaborative, a community-side one also counts).',
    dimensions: ['d3', 'd5'],
    eventLevel: true,
    timeDependent: false,
    scope: 'workstream',
    research: 'W-11',
  }),
  NO_REFLECTION_12_MONTHS: define({
    code: 'NO_REFLECTION_12_MONTHS',
    title: 'No partnership reflection in 12 months',
    description: 'More than 12 months since the last partnership reflection (or, when there was none, since the partnership was proposed).',
    dimensions: ['d5', 'd1'],
    eventLevel: false,
    timeDependent: true,
    scope: 'partnership',
    research: 'W-12',
  }),
  RECORDING_DOMINATED_BY_ONE_SIDE: define({
    code: 'RECORDING_DOMINATED_BY_ONE_SIDE',
    title: 'One side recorded more than 80% of events over 90 days',
    description:
      'Of the events recorded in the last 90 days whose recorder is known (recordedBy.participantId → that participant\'s organization side, else recordedBy.organizationId → that organization\'s side), one side recorded more than 80% (at least 5 such events).',
    dimensions: ['d1'],
    eventLevel: false,
    timeDependent: true,
    scope: 'partnership',
    research: 'W-10',
  }),
  INTERPRETATION_WITHOUT_USE: define({
    code: 'INTERPRETATION_WITHOUT_USE',
    title: 'Joint interpretation with no research use after 120 days',
    description: 'Findings were interpreted jointly more than 120 days ago and no research use has been recorded since, citing them or in their workstream.',
    dimensions: ['d3'],
    eventLevel: false,
    timeDependent: true,
    scope: 'workstream',
    research: 'W-09',
  }),
  PHASE_SKIPPED_EVIDENCE_REVIEW: define({
    code: 'PHASE_SKIPPED_EVIDENCE_REVIEW',
    title: 'Co-design entered without an evidence review',
    description: 'A workstream skipped from problem_framing to co_design (DOMAIN.md: the skip "raises a signal").',
    dimensions: ['d2'],
    eventLevel: true,
    timeDependent: false,
    scope: 'workstream',
    research: 'W-13',
  }),
};

export const signalDefinition = (code: SignalCode): SignalDefinition => SIGNAL_CATALOG[code];

/** Catalog order, for stable output. */
export const signalOrder = (code: SignalCode): number => SIGNAL_CODES.indexOf(code);
