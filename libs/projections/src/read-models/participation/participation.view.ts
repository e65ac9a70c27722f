/**
 * The participation ledger as readers see it (`GET /partnerships/:id/participation`): per
 * workstream and phase occurrence, which roles, organization types and sides were at the table and
 * the respondents to stakeholder input, with the partnership's totals.
 *
 * Small-cell suppression (DOMAIN.md "Read models", research §6.2): every count of PEOPLE under 5 —
 * respondents by category, distinct participants by role, participants present — is shown as the
 * string "<5", so that a small group (one family member in a pilot) cannot be singled out. Counts of
 * organizations and of events are not counts of people and are shown as they are. No participant id
 * appears here (the audit timeline names them, pseudonymously).
 *
 * Signals per occurrence: PHASE_WITHOUT_PRACTICE where it was raised (when the occurrence was left
 * with no practitioner — in a collaborative, no community member — present), and
 * FAMILIES_COMMUNITY_ABSENT on every occurrence while it holds for the partnership (equity-focused,
 * and no family member, community member or community-side organization in any phase). The ledger
 * is a record, so both are shown whatever the partnership's status (closed ones included).
 */
import { ORG_TYPES, ROLES, SIDES, type Phase, type PhaseDirection } from '@trellis/domain';
import type { SqlExecutor } from '@trellis/event-store';
import { readModelView } from '../../core/projection';
import { SIGNAL_CATALOG, SIGNAL_CODES, type SignalCode } from '../../signals/signal-catalog';
import { isCollaborative, isEquityFocused, type SignalFacts } from '../../signals/signal-facts';
import { suppressSmall, type SuppressedCount } from '../effectiveness/effectiveness.view';
import { countOrganizations, countRoles, occurrenceDoc, type OccurrenceSignal, type ParticipationContext, type PhaseOccurrenceDoc } from './participation.context';
import { PARTICIPATION } from './participation.projection';

export interface ParticipationSignalView {
  readonly code: SignalCode;
  readonly title: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface PhaseOccurrenceView {
  readonly phase: Phase;
  /** 1 for the workstream's first phase, +1 at every transition. */
  readonly occurrence: number;
  readonly enteredAt: string | null;
  /** Null while the workstream is still in it. */
  readonly leftAt: string | null;
  /** How it was entered: `opened` (the first) or the transition's direction, and from where. */
  readonly enteredBy: 'opened' | PhaseDirection;
  readonly fromPhase: Phase | null;
  readonly leftTo: Phase | null;
  /** Distinct participants present by role ("<5" under 5). */
  readonly rolesPresent: Readonly<Record<string, SuppressedCount>>;
  readonly participantsPresent: SuppressedCount;
  /** Distinct organizations taking part, by type and by side. */
  readonly organizationTypes: Readonly<Record<string, number>>;
  readonly sides: Readonly<Record<string, number>>;
  /** Respondents to stakeholder input by role or organization type ("<5" under 5). */
  readonly respondents: Readonly<Record<string, SuppressedCount>>;
  readonly stakeholderInputs: number;
  readonly events: number;
  readonly practicePresent: boolean;
  readonly familiesOrCommunityPresent: boolean;
  readonly signals: readonly ParticipationSignalView[];
}

export interface ParticipationWorkstreamView {
  readonly workstreamId: string;
  readonly title: string;
  readonly parentWorkstreamId: string | null;
  readonly status: 'open' | 'concluded';
  /** The phase it is in now; null once concluded. */
  readonly currentPhase: Phase | null;
  readonly phases: readonly PhaseOccurrenceView[];
}

export interface ParticipationTotalsView {
  readonly workstreams: number;
  readonly workstreamsConcluded: number;
  readonly phaseOccurrences: number;
  /** Distinct participants present in any phase, by role ("<5" under 5). */
  readonly rolesPresent: Readonly<Record<string, SuppressedCount>>;
  readonly participantsPresent: SuppressedCount;
  readonly organizationTypes: Readonly<Record<string, number>>;
  readonly sides: Readonly<Record<string, number>>;
  /** Respondents over every stakeholder input of every phase ("<5" under 5). */
  readonly respondents: Readonly<Record<string, SuppressedCount>>;
  readonly stakeholderInputs: number;
  /** The ledger's signals by code: occurrences without practice, and families and community absent. */
  readonly signals: ReadonlyArray<{ readonly code: SignalCode; readonly title: string; readonly count: number }>;
}

export interface ParticipationView {
  readonly partnershipId: string;
  readonly name: string;
  readonly status: string;
  /** The position of the partnership's latest event in the read model. */
  readonly asOfPosition: string;
  /** In the order they were opened; phases in the order they were entered. */
  readonly workstreams: readonly ParticipationWorkstreamView[];
  readonly partnershipTotals: ParticipationTotalsView;
}

/** A row of the phases view as the query selects it (an occurrence left). */
export interface PhaseOccurrenceSelected {
  readonly workstream_id: string;
  readonly entered_position: string;
  readonly doc: PhaseOccurrenceDoc;
}

/** One partnership's ledger, or undefined when the read model does not know it. */
export async function readParticipation(sql: SqlExecutor, schema: string, partnershipId: string): Promise<ParticipationView | undefined> {
  const contexts = readModelView(schema, PARTICIPATION, 'partnerships');
  const phases = readModelView(schema, PARTICIPATION, 'phases');
  const { rows: found } = await sql.query<{ doc: ParticipationContext; position: string }>(`SELECT doc, position::text AS position FROM ${contexts} WHERE key = $1`, [partnershipId]);
  const context = found[0];
  if (!context) return undefined;
  const { rows } = await sql.query<PhaseOccurrenceSelected>(
    `SELECT workstream_id, entered_position::text AS entered_position, doc FROM ${phases} WHERE partnership_id = $1`,
    [partnershipId],
  );
  return participationView(context.doc, context.position, rows);
}

/** Families and community absent from every phase of an equity-focused partnership (W-04). */
export const familiesAndCommunityAbsent = (facts: SignalFacts): boolean =>
  isEquityFocused(facts) && facts.workstreamsOpened > 0 && !facts.familiesOrCommunityPresent;

/**
 * The ledger from the stored context and the rows of the occurrences left (pure): the occurrence
 * each open workstream is in now comes from the context, as it stands.
 */
export function participationView(context: ParticipationContext, position: string, left: readonly PhaseOccurrenceSelected[]): ParticipationView {
  const collaborative = isCollaborative(context.facts);
  const current: PhaseOccurrenceSelected[] = Object.entries(context.workstreams).map(([workstreamId, ws]) => ({
    workstream_id: workstreamId,
    entered_position: ws.current.enteredPosition,
    doc: occurrenceDoc(ws, collaborative, { signals: [] }),
  }));
  // Workstreams in the order they were opened, occurrences in the order they were entered.
  const rows = [...left, ...current].sort(
    (a, b) => comparePositions(a.entered_position, b.entered_position) || cmp(a.workstream_id, b.workstream_id) || a.doc.occurrence - b.doc.occurrence,
  );
  const absent = familiesAndCommunityAbsent(context.facts);
  const absentSignal: ParticipationSignalView | undefined = absent
    ? { code: 'FAMILIES_COMMUNITY_ABSENT', title: SIGNAL_CATALOG.FAMILIES_COMMUNITY_ABSENT.title, details: { equityFocused: true } }
    : undefined;

  const byWorkstream = new Map<string, PhaseOccurrenceDoc[]>();
  for (const r of rows) byWorkstream.set(r.workstream_id, [...(byWorkstream.get(r.workstream_id) ?? []), r.doc]);
  const workstreams = [...byWorkstream].map(([workstreamId, docs]): ParticipationWorkstreamView => {
    const sorted = [...docs].sort((a, b) => a.occurrence - b.occurrence);
    const last = sorted[sorted.length - 1]!;
    const concluded = last.leftTo === 'concluded';
    return {
      workstreamId,
      title: last.workstreamTitle,
      parentWorkstreamId: last.parentWorkstreamId ?? null,
      status: concluded ? 'concluded' : 'open',
      currentPhase: concluded ? null : last.phase,
      phases: sorted.map((doc) => occurrenceView(doc, absentSignal)),
    };
  });

  const t = context.totals;
  const { organizationTypes, sides } = countOrganizations(t.organizations);
  const participants = Object.keys(t.participants).length;
  const signalCounts: Partial<Record<SignalCode, number>> = {};
  if (t.phasesWithoutPractice > 0) signalCounts.PHASE_WITHOUT_PRACTICE = t.phasesWithoutPractice;
  if (absent) signalCounts.FAMILIES_COMMUNITY_ABSENT = 1;
  return {
    partnershipId: context.partnershipId,
    name: context.name,
    status: context.facts.status,
    asOfPosition: position,
    workstreams,
    partnershipTotals: {
      workstreams: t.workstreamsOpened,
      workstreamsConcluded: t.workstreamsConcluded,
      phaseOccurrences: t.phaseOccurrences,
      rolesPresent: suppressedCounts(countRoles(t.participants), ROLES),
      participantsPresent: participants === 0 ? 0 : suppressSmall(participants),
      organizationTypes: ordered(organizationTypes, ORG_TYPES),
      sides: ordered(sides, SIDES),
      respondents: suppressedCounts(t.respondents, RESPONDENT_ORDER),
      stakeholderInputs: t.stakeholderInputs,
      signals: SIGNAL_CODES.filter((code) => signalCounts[code] !== undefined).map((code) => ({ code, title: SIGNAL_CATALOG[code].title, count: signalCounts[code]! })),
    },
  };
}

function occurrenceView(doc: PhaseOccurrenceDoc, absent: ParticipationSignalView | undefined): PhaseOccurrenceView {
  const signals = doc.signals.map(signalView);
  if (absent && !doc.familiesOrCommunityPresent) signals.push(absent);
  return {
    phase: doc.phase,
    occurrence: doc.occurrence,
    enteredAt: doc.enteredAt ?? null,
    leftAt: doc.leftAt ?? null,
    enteredBy: doc.enteredBy,
    fromPhase: doc.fromPhase ?? null,
    leftTo: doc.leftTo ?? null,
    rolesPresent: suppressedCounts(doc.rolesPresent, ROLES),
    participantsPresent: doc.participantsPresent === 0 ? 0 : suppressSmall(doc.participantsPresent),
    organizationTypes: ordered(doc.organizationTypes, ORG_TYPES),
    sides: ordered(doc.sides, SIDES),
    respondents: suppressedCounts(doc.respondents, RESPONDENT_ORDER),
    stakeholderInputs: doc.stakeholderInputs,
    events: doc.events,
    practicePresent: doc.practicePresent,
    familiesOrCommunityPresent: doc.familiesOrCommunityPresent,
    signals,
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Decimal positions (no leading zeros) compare by length, then digits. */
const comparePositions = (a: string, b: string): number => a.length - b.length || cmp(a, b);

const signalView = (s: OccurrenceSignal): ParticipationSignalView => ({ code: s.code, title: SIGNAL_CATALOG[s.code]?.title ?? s.code, details: s.details ?? {} });

/** Respondent categories: roles first, then organization types, each in vocabulary order. */
const RESPONDENT_ORDER: readonly string[] = [...ROLES, ...ORG_TYPES];

/** Non-zero counts in vocabulary order (unknown keys last, sorted): jsonb does not keep key order. */
function ordered(counts: Readonly<Record<string, number>>, order: readonly string[]): Record<string, number> {
  const keys = Object.keys(counts).filter((k) => counts[k]! > 0);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, counts[k]!]));
}

function suppressedCounts(counts: Readonly<Record<string, number>>, order: readonly string[]): Record<string, SuppressedCount> {
  return Object.fromEntries(Object.entries(ordered(counts, order)).map(([k, n]) => [k, suppressSmall(n)]));
}
