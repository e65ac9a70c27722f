/**
 * Effectiveness (DOMAIN.md "Read models"; research/domain-research.md §4.2): per partnership,
 * event-derived indicators along Henrick et al.'s five dimensions, the partners' own reflection
 * ratings by side, and the signal facts from which the current signals are evaluated at query time.
 * Indicators are counters and last dates, never a score: the view shows them beside the ratings.
 *
 * Bounded: counters per closed vocabulary, per-quarter joint activity for the last 8 quarters, the
 * last 8 reflections and rating statistics per side and dimension.
 */
import {
  EFFECTIVENESS_DIMENSIONS,
  PARTNERSHIP_EVENT_TYPES,
  SIDES,
  type EffectivenessDimension,
  type ReflectionRatings,
  type Role,
  type Side,
} from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import { documentProjection } from '../../core/document-projection';
import { dataOf, namedParticipants, num, occurredAtOf, partnershipIdOf, recorderOf, respondentCategories, str, strList } from '../../signals/event-access';
import type { SignalCode } from '../../signals/signal-catalog';
import { factsLookup, initialSignalFacts, isCollaborative, stepSignalFacts, type SignalFacts } from '../../signals/signal-facts';
import { participantSide, practiceLike } from '../../signals/event-signals';
import { DAY_MS, instantMs, quarterOf } from '../../signals/signal-time';

export const EFFECTIVENESS = 'effectiveness';

/**
 * Event-derived counters, sparse and flat to keep documents small: only non-zero counts, keyed by
 * dimension and indicator (`d2.agendasAgreed`, `d1.brokeringByKind.convene`,
 * `d1.brokeringByBroker.<participantId>`, …; ids never contain dots). The view expands them with
 * zeros. Joint activity per quarter is kept apart, as a capped list.
 */
export type EffectivenessCounters = Readonly<Record<string, number>>;

export interface JointActivity {
  readonly total: number;
  /** The latest quarters, oldest first (capped). */
  readonly byQuarter: ReadonlyArray<{ readonly quarter: string; readonly count: number }>;
}

export interface RatingStats {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly first: number;
  readonly firstAt: string;
  readonly latest: number;
  readonly latestAt: string;
}

export interface ReflectionEntry {
  readonly at: string;
  readonly position: string;
  readonly instrument: string;
  readonly ratings: ReflectionRatings;
  readonly actionsAgreed: readonly string[];
}

export interface ReflectionHistory {
  readonly count: number;
  /** The latest reflections by occurrence, oldest first (capped). */
  readonly recent: readonly ReflectionEntry[];
  readonly stats: Readonly<Partial<Record<Side, Partial<Record<EffectivenessDimension, RatingStats>>>>>;
}

export interface EffectivenessDoc {
  readonly partnershipId: string;
  readonly name: string;
  readonly facts: SignalFacts;
  readonly counters: EffectivenessCounters;
  /** Events whose named participants and recorder include the research side and the practice (or community) side. */
  readonly jointActivity: JointActivity;
  readonly reflections: ReflectionHistory;
  /** Event-level signals raised over the whole history, by code. */
  readonly signalsRaised: Readonly<Partial<Record<SignalCode, number>>>;
}

export const EFFECTIVENESS_LIMITS = { quarters: 8, reflections: 8, actionsAgreed: 20 } as const;

export function initialEffectivenessDoc(partnershipId: string): EffectivenessDoc {
  return {
    partnershipId,
    name: '',
    facts: initialSignalFacts(partnershipId),
    counters: {},
    jointActivity: { total: 0, byQuarter: [] },
    reflections: { count: 0, recent: [], stats: {} },
    signalsRaised: {},
  };
}

export function evolveEffectiveness(doc: EffectivenessDoc, event: RecordedEvent): EffectivenessDoc | null {
  const before = doc.facts;
  const step = stepSignalFacts(before, event);
  if (step.facts.status === 'none') return null; // nothing before the proposal
  let signalsRaised = doc.signalsRaised;
  for (const s of step.raised) signalsRaised = { ...signalsRaised, [s.code]: (signalsRaised[s.code] ?? 0) + 1 };
  const name = event.type === 'PartnershipProposed' && before.status === 'none' ? (str(dataOf(event)['name']) ?? '') : doc.name;
  return {
    ...doc,
    name,
    facts: step.facts,
    counters: count(doc.counters, before, event),
    jointActivity: joint(doc.jointActivity, before, event),
    reflections: event.type === 'PartnershipReflectionRecorded' ? reflect(doc.reflections, event) : doc.reflections,
    signalsRaised,
  };
}

export const effectivenessProjection = documentProjection<EffectivenessDoc>({
  name: EFFECTIVENESS,
  version: 1,
  eventTypes: PARTNERSHIP_EVENT_TYPES,
  key: (e) => partnershipIdOf(e),
  initial: (key) => initialEffectivenessDoc(key),
  evolve: (doc, e) => evolveEffectiveness(doc, e),
  columns: { status: 'text' },
  project: (doc) => ({ status: doc.facts.status }),
  // Every event rewrites its partnership's row: leave room on each page for HOT updates.
  indexes: (t) => [`ALTER TABLE ${t} SET (fillfactor = 70)`],
});

// --- counters --------------------------------------------------------------------------------------

type Counter = Record<string, number>;

function count(c: EffectivenessCounters, facts: SignalFacts, event: RecordedEvent): EffectivenessCounters {
  const d = dataOf(event);
  const lookup = factsLookup(facts);
  const collaborative = isCollaborative(facts);
  const sideOf = (participantId: string) => participantSide(lookup, participantId);
  const withPractice = (ids: readonly string[]) => ids.some((p) => practiceLike(sideOf(p), collaborative));
  let next: Counter | undefined;
  const add = (key: string, by = 1) => {
    if (by === 0) return;
    next ??= { ...c };
    next[key] = (next[key] ?? 0) + by;
  };
  const addIn = (prefix: string, key: string | undefined, by = 1) => key !== undefined && add(`${prefix}.${key}`, by);

  switch (event.type) {
    case 'BrokeringActivityRecorded':
      addIn('d1.brokeringByKind', str(d['activityKind']));
      addIn('d1.brokeringByBroker', str(d['brokerParticipantId']));
      break;
    case 'ParticipantDeparted':
      add('d1.departures.total');
      add(str(d['successorParticipantId']) !== undefined ? 'd1.departures.withSuccessor' : 'd1.departures.withoutSuccessor');
      break;
    case 'ParticipantRolesChanged': {
      const previous = strList(d['previousRoles']) as Role[];
      const added = (strList(d['roles']) as Role[]).filter((r) => !previous.includes(r));
      const side = sideOf(str(d['participantId']) ?? '');
      if (added.includes('broker')) add('d5.roleGrowth.brokerRolesTaken');
      if (added.includes('researcher') && (side === 'practice' || side === 'community')) add('d5.roleGrowth.researchRolesTakenByPractice');
      break;
    }
    case 'ResearchAgendaAgreed':
      add('d2.agendasAgreed');
      add('d2.researchQuestionsAgreed', Array.isArray(d['researchQuestions']) ? d['researchQuestions'].length : 0);
      break;
    case 'EvidenceReviewed':
      add('d2.evidenceReviews');
      for (const t of new Set(strList(d['evidenceTypes']))) addIn('d5.evidenceTypesUsed', t);
      break;
    case 'PilotApproved':
      add('d2.pilots.approved');
      break;
    case 'PilotStarted':
      add('d2.pilots.started');
      break;
    case 'PilotConcluded':
      addIn('d2.pilots.concludedByOutcome', str(d['outcome']));
      break;
    case 'FormalStudyApproved':
      add('d2.studies.approved');
      if (d['usesStudentRecords'] === true) add('d2.studies.usingStudentRecords');
      if (strList(d['dsaIds']).length > 0) add('d2.studies.underDataSharingAgreement');
      break;
    case 'FormalStudyStarted':
      add('d2.studies.started');
      break;
    case 'StakeholderInputGathered': {
      add('d2.stakeholderInput.gathered');
      addIn('d2.stakeholderInput.byMethod', str(d['method']));
      const counts = d['respondentCounts'] as Record<string, unknown> | undefined;
      for (const category of respondentCategories(event)) addIn('d2.stakeholderInput.respondentsByCategory', category, num(counts?.[category]) ?? 0);
      break;
    }
    case 'DataReceivedUnderAgreement':
      add('d2.dataTransfers');
      break;
    case 'PreliminaryFindingsShared':
      add('d2.findingsShared');
      break;
    case 'FindingsJointlyInterpreted': {
      add('d2.jointInterpretations');
      const findings = facts.findings.find((f) => f.findingsId === str(d['findingsId']));
      const sessionOn = str(d['sessionOn']);
      if (findings !== undefined && findings.firstSessionOn === undefined && findings.sharedOn !== undefined && sessionOn !== undefined) {
        add('d2.sharedToInterpretation.count');
        add('d2.sharedToInterpretation.days', Math.max(0, Math.round((instantMs(sessionOn) - instantMs(findings.sharedOn)) / DAY_MS)));
      }
      break;
    }
    case 'ProblemOfPracticeDefined': {
      const sides = strList(d['proposedByParticipantIds']).map(sideOf);
      const research = sides.includes('research');
      const practice = sides.some((x) => x === 'practice' || x === 'community');
      add('d3.problemsOfPractice.defined');
      add(
        `d3.problemsOfPractice.${research && practice ? 'joint' : research && sides.every((x) => x === 'research') ? 'researchOnly' : practice && !research ? 'fromPracticeOrCommunity' : 'other'}`,
      );
      break;
    }
    case 'ProblemOfPracticeReframed':
      add('d3.problemsReframed');
      break;
    case 'ResearchUseRecorded':
      add('d3.researchUses.total');
      addIn('d3.researchUses.byDecisionLevel', str(d['decisionLevel']));
      addIn('d3.researchUses.byDecidingSide', lookup.organization(str(d['decidingOrganizationId']) ?? '')?.side ?? 'unknown');
      break;
    case 'FindingsReviewedByPracticePartner':
      addIn('d3.practicePartnerReviews', str(d['outcome']));
      break;
    case 'FindingsDisseminated':
      add('d4.disseminations.total');
      addIn('d4.disseminations.byAudience', str(d['audience']));
      addIn('d4.disseminations.byArtifactKind', str(d['artifactKind']));
      break;
    case 'ToolCoDeveloped':
      add('d5.tools.coDeveloped');
      if (withPractice(strList(d['coDesignerParticipantIds']))) add('d5.tools.coDevelopedWithPractice');
      break;
    case 'ToolRevised':
      add('d5.tools.revisions');
      if (withPractice(strList(d['revisedWithParticipantIds']))) add('d5.tools.revisionsWithPractice');
      break;
    case 'PartnershipFormalized':
      if (!c['d5.infrastructure.formalized']) add('d5.infrastructure.formalized');
      break;
    case 'PartnershipAgreementAmended':
      add('d5.infrastructure.amendments');
      if (d['amendmentKind'] === 'renewal') add('d5.infrastructure.renewals');
      break;
    case 'DataSharingAgreementExecuted':
      add('d5.infrastructure.dataSharingAgreementsExecuted');
      break;
    case 'DataSharingAgreementEnded':
      add('d5.infrastructure.dataSharingAgreementsEnded');
      break;
    case 'DataDisposalCertified':
      add('d5.infrastructure.disposalsCertified');
      break;
    default:
      break;
  }
  return next ?? c;
}

/** Joint activity: both sides among the people an event names (and its recorder). */
function joint(j: JointActivity, facts: SignalFacts, event: RecordedEvent): JointActivity {
  const people = [...namedParticipants(event), ...strList([recorderOf(event).participantId])];
  const at = occurredAtOf(event);
  if (at === undefined || people.length < 2) return j;
  const lookup = factsLookup(facts);
  const collaborative = isCollaborative(facts);
  const sides = people.map((p) => participantSide(lookup, p));
  if (!sides.includes('research') || !sides.some((x) => practiceLike(x, collaborative))) return j;
  const quarter = quarterOf(at);
  const quarters = [...j.byQuarter];
  const i = quarters.findIndex((q) => q.quarter === quarter);
  if (i >= 0) quarters[i] = { quarter, count: quarters[i]!.count + 1 };
  else quarters.push({ quarter, count: 1 });
  quarters.sort((a, b) => (a.quarter < b.quarter ? -1 : 1));
  return { total: j.total + 1, byQuarter: quarters.slice(-EFFECTIVENESS_LIMITS.quarters) };
}

// --- reflections -----------------------------------------------------------------------------------

const isRating = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 5;

function reflect(h: ReflectionHistory, event: RecordedEvent): ReflectionHistory {
  const d = dataOf(event);
  const at = occurredAtOf(event);
  if (at === undefined) return h;
  const raw = typeof d['ratings'] === 'object' && d['ratings'] !== null ? (d['ratings'] as Record<string, unknown>) : {};
  const ratings: Partial<Record<Side, Partial<Record<EffectivenessDimension, number>>>> = {};
  let stats = h.stats;
  for (const side of SIDES) {
    const bySide = raw[side];
    if (typeof bySide !== 'object' || bySide === null) continue;
    for (const dim of EFFECTIVENESS_DIMENSIONS) {
      const value = (bySide as Record<string, unknown>)[dim];
      if (!isRating(value)) continue;
      (ratings[side] ??= {})[dim] = value;
      const s = stats[side]?.[dim];
      const nextStats: RatingStats = s
        ? {
            count: s.count + 1,
            sum: s.sum + value,
            min: Math.min(s.min, value),
            max: Math.max(s.max, value),
            ...(at < s.firstAt ? { first: value, firstAt: at } : { first: s.first, firstAt: s.firstAt }),
            ...(at >= s.latestAt ? { latest: value, latestAt: at } : { latest: s.latest, latestAt: s.latestAt }),
          }
        : { count: 1, sum: value, min: value, max: value, first: value, firstAt: at, latest: value, latestAt: at };
      stats = { ...stats, [side]: { ...stats[side], [dim]: nextStats } };
    }
  }
  const entry: ReflectionEntry = {
    at,
    position: event.position.toString(),
    instrument: str(d['instrument']) ?? '',
    ratings,
    actionsAgreed: strList(d['actionsAgreed']).slice(0, EFFECTIVENESS_LIMITS.actionsAgreed),
  };
  // Ordered by occurrence; among equal times the later recorded comes last (it is the latest).
  const recent = [...h.recent, entry].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(-EFFECTIVENESS_LIMITS.reflections);
  return { count: h.count + 1, recent, stats };
}
