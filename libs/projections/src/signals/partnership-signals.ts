/**
 * The CURRENT signals of a partnership: the event-level ones still current (kept in the facts),
 * the state ones (brokers, points of contact, families and community) and the time-dependent ones,
 * evaluated against `now` (queries pass the clock; projections never read it).
 *
 * A closed or abandoned partnership has no current signals: nothing can be acted on any more (its
 * history keeps the signals its events raised).
 */
import { SIDES, type Side } from '@trellis/domain';
import { SIGNAL_THRESHOLDS } from './signal-catalog';
import { compareSignals, hydrateSignal, type RaisedSignal, type SignalInstance } from './signal-instance';
import { factsLookup, isEquityFocused, isActiveParticipant, recordingDays, recordingIndex, type SignalFacts } from './signal-facts';
import { dayOfEpochDay, daysSince, epochDay, plusDays, plusMonths } from './signal-time';

/** Signals apply to partnerships that exist and are not closed or abandoned. */
export const signalsApplyTo = (status: SignalFacts['status']): boolean =>
  status !== 'closed' && status !== 'abandoned' && status !== 'none';

export function evaluatePartnershipSignals(facts: SignalFacts, now: Date): SignalInstance[] {
  if (!signalsApplyTo(facts.status)) return [];
  const nowIso = now.toISOString();
  const out: RaisedSignal[] = [...facts.flags];
  const lookup = factsLookup(facts);
  const floorDays = (from: string) => Math.floor(daysSince(from, now));

  if (lookup.activeBrokerCount() === 0) out.push({ code: 'NO_RECOGNISED_BROKER', raisedAt: nowIso });

  const brokeringSince = facts.brokering.lastAt ?? facts.proposedAt;
  if (brokeringSince !== undefined && daysSince(brokeringSince, now) > SIGNAL_THRESHOLDS.brokeringDays) {
    out.push({
      code: 'NO_BROKERING_180_DAYS',
      raisedAt: plusDays(brokeringSince, SIGNAL_THRESHOLDS.brokeringDays),
      details: { days: floorDays(brokeringSince), since: brokeringSince, everBrokered: facts.brokering.count > 0 },
    });
  }

  if (isEquityFocused(facts) && facts.workstreamsOpened > 0 && !facts.familiesOrCommunityPresent) {
    out.push({ code: 'FAMILIES_COMMUNITY_ABSENT', raisedAt: nowIso, details: { workstreamsOpened: facts.workstreamsOpened } });
  }

  for (const [organizationId, org] of Object.entries(facts.organizations)) {
    if (org.withdrawn) continue;
    const active = Object.entries(facts.participants).filter(([id, p]) => p.organizationId === organizationId && isActiveParticipant(facts, id));
    if (active.length === 1) {
      out.push({ code: 'SINGLE_POINT_OF_CONTACT', raisedAt: nowIso, subjects: { organizationId, participantId: active[0]![0] } });
    }
  }

  for (const d of facts.departures) {
    if (daysSince(d.departedAt, now) > SIGNAL_THRESHOLDS.successorDays) {
      out.push({
        code: 'DEPARTURE_WITHOUT_SUCCESSOR',
        eventId: d.eventId,
        position: d.position,
        raisedAt: plusDays(d.departedAt, SIGNAL_THRESHOLDS.successorDays),
        subjects: { organizationId: d.organizationId, participantId: d.participantId },
        details: { days: floorDays(d.departedAt), departedAt: d.departedAt },
      });
    }
  }

  const reflectionSince = facts.reflections.lastAt ?? facts.proposedAt;
  if (reflectionSince !== undefined) {
    const due = plusMonths(reflectionSince, SIGNAL_THRESHOLDS.reflectionMonths);
    if (nowIso > due) {
      out.push({ code: 'NO_REFLECTION_12_MONTHS', raisedAt: due, details: { since: reflectionSince, everReflected: facts.reflections.count > 0 } });
    }
  }

  const recording = recordingShares(facts, now);
  if (recording.dominantSide !== undefined) {
    const { dominantSide, total } = recording;
    out.push({
      code: 'RECORDING_DOMINATED_BY_ONE_SIDE',
      raisedAt: nowIso,
      details: { side: dominantSide, share: round2(recording.bySide[dominantSide]! / total), events: total, fromDay: recording.fromDay, toDay: recording.toDay },
    });
  }

  for (const i of facts.interpretations) {
    if (daysSince(i.sessionOn, now) > SIGNAL_THRESHOLDS.useAfterInterpretationDays) {
      out.push({
        code: 'INTERPRETATION_WITHOUT_USE',
        eventId: i.eventId,
        position: i.position,
        workstreamId: i.workstreamId,
        raisedAt: plusDays(i.sessionOn, SIGNAL_THRESHOLDS.useAfterInterpretationDays),
        subjects: { findingsId: i.findingsId },
        details: { days: floorDays(i.sessionOn), sessionOn: i.sessionOn },
      });
    }
  }

  return out.sort(compareSignals).map(hydrateSignal);
}

export interface RecordingShares {
  /** The window: the 90 UTC days ending on `now`'s day, both included. */
  readonly fromDay: string;
  readonly toDay: string;
  /** Events in the window whose recorder's side is known. */
  readonly total: number;
  readonly bySide: Readonly<Partial<Record<Side, number>>>;
  /** Events in the window whose recorder is unknown (not counted in `total`). */
  readonly unattributed: number;
  /** The side above the share threshold, when there are enough events. */
  readonly dominantSide?: Side;
}

/** Who recorded the events of the last 90 days, by side (W-10). */
export function recordingShares(facts: SignalFacts, now: Date): RecordingShares {
  const today = epochDay(now.toISOString());
  const firstDay = today - (SIGNAL_THRESHOLDS.recordingWindowDays - 1);
  const bySide: Partial<Record<Side, number>> = {};
  let total = 0;
  let unattributed = 0;
  for (const d of recordingDays(facts)) {
    if (d[0] < firstDay || d[0] > today) continue;
    unattributed += d[recordingIndex(undefined)];
    SIDES.forEach((side, i) => {
      const n = d[i + 1]!;
      if (n === 0) return;
      bySide[side] = (bySide[side] ?? 0) + n;
      total += n;
    });
  }
  const dominant =
    total >= SIGNAL_THRESHOLDS.recordingMinEvents
      ? (Object.entries(bySide) as Array<[Side, number]>).find(([, n]) => n / total > SIGNAL_THRESHOLDS.recordingShare)?.[0]
      : undefined;
  return { fromDay: dayOfEpochDay(firstDay), toDay: dayOfEpochDay(today), total, bySide, unattributed, ...(dominant ? { dominantSide: dominant } : {}) };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
