/**
 * `GET /partnerships/:id/effectiveness` as plain data: for each of Henrick et al.'s five dimensions,
 * the event-derived indicators BESIDE the partners' own reflection ratings by side, and the current
 * signals bearing on it. There is deliberately no composite score — not per dimension, not overall:
 * the framework's authors warn that indicators must be read against each partnership's own theory of
 * improvement (research/domain-research.md §4.2). Respondent counts under 5 are shown as "<5".
 */
import { EFFECTIVENESS_DIMENSIONS, SIDES, type EffectivenessDimension, type Side } from '@trellis/domain';
import { evaluatePartnershipSignals, recordingShares } from '../../signals/partnership-signals';
import { SIGNAL_CATALOG, SIGNAL_CODES, type SignalCode } from '../../signals/signal-catalog';
import type { SignalInstance } from '../../signals/signal-instance';
import { factsLookup, isActiveParticipant } from '../../signals/signal-facts';
import type { EffectivenessDoc, ReflectionEntry } from './effectiveness.projection';

export const DIMENSION_TITLES: Readonly<Record<EffectivenessDimension, string>> = {
  d1: 'Building trust and cultivating partnership relationships',
  d2: 'Conducting rigorous research to inform action',
  d3: 'Supporting the practice organization in achieving its goals',
  d4: 'Producing knowledge that can inform educational improvement efforts more broadly',
  d5: 'Building the capacity of participating researchers, practitioners, practice organizations and research organizations to engage in partnership work',
};

export const NO_COMPOSITE_SCORE_NOTE =
  'Indicators derived from the log are shown beside the partners\' own ratings; no composite score is computed (Henrick et al. 2017: indicators must be read against each partnership\'s theory of improvement).';

/** A count of people; under 5 it is shown as "<5" so that small groups cannot be singled out. */
export type SuppressedCount = number | '<5';
export const suppressSmall = (n: number): SuppressedCount => (n < 5 ? '<5' : n);

export interface SideRatingHistory {
  readonly count: number;
  /** Mean of this side's ratings of this dimension (one decimal); a summary, not a score. */
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly first: number;
  readonly latest: number;
  readonly latestAt: string;
}

export interface DimensionRatings {
  /** The latest reflection that rated this dimension, by side. */
  readonly latest: { readonly at: string; readonly instrument: string; readonly bySide: Readonly<Partial<Record<Side, number>>> } | null;
  readonly history: Readonly<Partial<Record<Side, SideRatingHistory>>>;
}

export interface DimensionView {
  readonly dimension: EffectivenessDimension;
  readonly title: string;
  readonly indicators: Readonly<Record<string, unknown>>;
  readonly ratings: DimensionRatings;
  /** Current signals bearing on this dimension (a signal may bear on several). */
  readonly signals: readonly SignalInstance[];
  /** Event-level signals raised over the whole history that bear on this dimension. */
  readonly signalsRaisedSoFar: ReadonlyArray<{ readonly code: SignalCode; readonly title: string; readonly count: number }>;
}

export interface EffectivenessView {
  readonly partnershipId: string;
  readonly name: string;
  readonly status: string;
  readonly asOfPosition: string;
  readonly evaluatedAt: string;
  readonly note: string;
  readonly dimensions: readonly DimensionView[];
  readonly reflections: {
    readonly count: number;
    readonly lastAt: string | null;
    readonly recent: readonly ReflectionEntry[];
  };
  /** Every current signal, once (catalog order). */
  readonly signals: readonly SignalInstance[];
}

const mean1 = (sum: number, n: number): number => Math.round((sum / n) * 10) / 10;
const meanOrNull = (total: number, n: number): number | null => (n === 0 ? null : mean1(total, n));

export function effectivenessView(doc: EffectivenessDoc, position: string, now: Date): EffectivenessView {
  const signals = evaluatePartnershipSignals(doc.facts, now);
  const indicators = indicatorsOf(doc, now);
  return {
    partnershipId: doc.partnershipId,
    name: doc.name,
    status: doc.facts.status,
    asOfPosition: position,
    evaluatedAt: now.toISOString(),
    note: NO_COMPOSITE_SCORE_NOTE,
    dimensions: EFFECTIVENESS_DIMENSIONS.map((dimension) => ({
      dimension,
      title: DIMENSION_TITLES[dimension],
      indicators: indicators[dimension],
      ratings: ratingsOf(doc, dimension),
      signals: signals.filter((s) => s.dimensions.includes(dimension)),
      signalsRaisedSoFar: SIGNAL_CODES.filter((code) => (doc.signalsRaised[code] ?? 0) > 0 && SIGNAL_CATALOG[code].dimensions.includes(dimension)).map((code) => ({
        code,
        title: SIGNAL_CATALOG[code].title,
        count: doc.signalsRaised[code]!,
      })),
    })),
    reflections: { count: doc.reflections.count, lastAt: doc.facts.reflections.lastAt ?? null, recent: doc.reflections.recent },
    signals,
  };
}

function ratingsOf(doc: EffectivenessDoc, dimension: EffectivenessDimension): DimensionRatings {
  const history: Partial<Record<Side, SideRatingHistory>> = {};
  for (const side of SIDES) {
    const s = doc.reflections.stats[side]?.[dimension];
    if (s) history[side] = { count: s.count, mean: mean1(s.sum, s.count), min: s.min, max: s.max, first: s.first, latest: s.latest, latestAt: s.latestAt };
  }
  const latest = [...doc.reflections.recent].reverse().find((r) => SIDES.some((side) => r.ratings[side]?.[dimension] !== undefined));
  const bySide: Partial<Record<Side, number>> = {};
  if (latest) for (const side of SIDES) if (latest.ratings[side]?.[dimension] !== undefined) bySide[side] = latest.ratings[side]![dimension]!;
  return { latest: latest ? { at: latest.at, instrument: latest.instrument, bySide } : null, history };
}

function indicatorsOf(doc: EffectivenessDoc, now: Date): Record<EffectivenessDimension, Record<string, unknown>> {
  const { facts, counters: c } = doc;
  const n = (key: string): number => c[key] ?? 0;
  /** The counts under `prefix.` as an object (keys sorted). */
  const group = (prefix: string): Record<string, number> =>
    Object.fromEntries(
      Object.entries(c)
        .filter(([k]) => k.startsWith(`${prefix}.`))
        .map(([k, v]) => [k.slice(prefix.length + 1), v] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  const lookup = factsLookup(facts);
  const sidesAtTable: Partial<Record<Side, { organizations: number; participants: number }>> = {};
  for (const [id, org] of Object.entries(facts.organizations).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (org.withdrawn) continue;
    const participants = Object.entries(facts.participants).filter(([pid, p]) => p.organizationId === id && isActiveParticipant(facts, pid)).length;
    const entry = (sidesAtTable[org.side] ??= { organizations: 0, participants: 0 });
    entry.organizations += 1;
    entry.participants += participants;
  }
  const recording = recordingShares(facts, now);
  const shareOf = (k: number) => (recording.total === 0 ? 0 : Math.round((k / recording.total) * 100) / 100);
  const respondents = Object.fromEntries(Object.entries(group('d2.stakeholderInput.respondentsByCategory')).map(([k, v]) => [k, suppressSmall(v)]));
  const byAudience = group('d4.disseminations.byAudience');
  const beyond = Object.entries(byAudience).reduce((sum, [audience, k]) => (audience === 'partner_internal' ? sum : sum + k), 0);

  return {
    d1: {
      reflectionsHeld: facts.reflections.count,
      lastReflectionAt: facts.reflections.lastAt ?? null,
      brokering: {
        activities: facts.brokering.count,
        lastAt: facts.brokering.lastAt ?? null,
        byKind: group('d1.brokeringByKind'),
        distinctBrokers: Object.keys(group('d1.brokeringByBroker')).length,
        activeBrokers: lookup.activeBrokerCount(),
      },
      departures: { total: n('d1.departures.total'), withSuccessor: n('d1.departures.withSuccessor'), withoutSuccessor: n('d1.departures.withoutSuccessor') },
      sidesAtTable,
      jointActivity: doc.jointActivity,
      recordingLast90Days: {
        fromDay: recording.fromDay,
        toDay: recording.toDay,
        attributedEvents: recording.total,
        unattributedEvents: recording.unattributed,
        bySide: Object.fromEntries((Object.entries(recording.bySide) as Array<[Side, number]>).map(([side, k]) => [side, { events: k, share: shareOf(k) }])),
      },
    },
    d2: {
      agendasAgreed: n('d2.agendasAgreed'),
      researchQuestionsAgreed: n('d2.researchQuestionsAgreed'),
      evidenceReviews: n('d2.evidenceReviews'),
      pilots: { approved: n('d2.pilots.approved'), started: n('d2.pilots.started'), concludedByOutcome: group('d2.pilots.concludedByOutcome') },
      studies: {
        approved: n('d2.studies.approved'),
        started: n('d2.studies.started'),
        usingStudentRecords: n('d2.studies.usingStudentRecords'),
        underDataSharingAgreement: n('d2.studies.underDataSharingAgreement'),
      },
      stakeholderInput: { gathered: n('d2.stakeholderInput.gathered'), byMethod: group('d2.stakeholderInput.byMethod'), respondentsByCategory: respondents },
      dataTransfers: n('d2.dataTransfers'),
      findingsShared: n('d2.findingsShared'),
      jointInterpretations: n('d2.jointInterpretations'),
      meanDaysFromFindingsToJointInterpretation: meanOrNull(n('d2.sharedToInterpretation.days'), n('d2.sharedToInterpretation.count')),
    },
    d3: {
      problemsOfPractice: {
        defined: n('d3.problemsOfPractice.defined'),
        fromPracticeOrCommunity: n('d3.problemsOfPractice.fromPracticeOrCommunity'),
        joint: n('d3.problemsOfPractice.joint'),
        researchOnly: n('d3.problemsOfPractice.researchOnly'),
        other: n('d3.problemsOfPractice.other'),
      },
      problemsReframed: n('d3.problemsReframed'),
      researchUses: { total: n('d3.researchUses.total'), byDecisionLevel: group('d3.researchUses.byDecisionLevel'), byDecidingSide: group('d3.researchUses.byDecidingSide') },
      practicePartnerReviews: group('d3.practicePartnerReviews'),
    },
    d4: {
      disseminations: { total: n('d4.disseminations.total'), byAudience, byArtifactKind: group('d4.disseminations.byArtifactKind'), beyondPartnership: beyond },
      toolsShared: n('d4.disseminations.byArtifactKind.tool'),
    },
    d5: {
      tools: {
        coDeveloped: n('d5.tools.coDeveloped'),
        coDevelopedWithPractice: n('d5.tools.coDevelopedWithPractice'),
        revisions: n('d5.tools.revisions'),
        revisionsWithPractice: n('d5.tools.revisionsWithPractice'),
      },
      evidenceTypesUsed: group('d5.evidenceTypesUsed'),
      roleGrowth: { brokerRolesTaken: n('d5.roleGrowth.brokerRolesTaken'), researchRolesTakenByPractice: n('d5.roleGrowth.researchRolesTakenByPractice') },
      infrastructure: {
        formalized: n('d5.infrastructure.formalized') > 0,
        amendments: n('d5.infrastructure.amendments'),
        renewals: n('d5.infrastructure.renewals'),
        dataSharingAgreementsExecuted: n('d5.infrastructure.dataSharingAgreementsExecuted'),
        dataSharingAgreementsEnded: n('d5.infrastructure.dataSharingAgreementsEnded'),
        disposalsCertified: n('d5.infrastructure.disposalsCertified'),
      },
      workstreams: { opened: facts.workstreamsOpened, concluded: facts.workstreamsConcluded, open: Object.keys(facts.workstreams).length },
    },
  };
}
