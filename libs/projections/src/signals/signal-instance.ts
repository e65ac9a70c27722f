/**
 * A raised signal. Plain JSON (positions as decimal strings) so it can be stored in read-model
 * documents and sent on the wire as is.
 */
import type { EffectivenessDimension, Phase } from '@trellis/domain';
import { SIGNAL_CATALOG, signalOrder, type SignalCode } from './signal-catalog';

/** What a signal is about: ids of the things it names (all optional, by kind). */
export interface SignalSubjects {
  readonly problemId?: string;
  readonly inputId?: string;
  readonly toolId?: string;
  readonly findingsId?: string;
  readonly organizationId?: string;
  readonly participantId?: string;
}

/** A signal as stored with an event (no catalog text: hydrated when read). */
export interface RaisedSignal {
  readonly code: SignalCode;
  /** The event that raised it (event-level signals), or the event its clock started at. */
  readonly eventId?: string;
  readonly position?: string;
  readonly workstreamId?: string;
  /** The phase the workstream was in (for a phase transition: the phase it left). */
  readonly phase?: Phase;
  readonly subjects?: SignalSubjects;
  /** Figures behind it: the side and share, the days elapsed, the respondent categories, … */
  readonly details?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /**
   * Event-level: the event's occurredAt. Time-dependent: when the threshold was crossed. State
   * signals without a known onset: the evaluation time.
   */
  readonly raisedAt: string;
}

export interface SignalInstance extends RaisedSignal {
  readonly title: string;
  readonly dimensions: readonly EffectivenessDimension[];
}

export function hydrateSignal(raised: RaisedSignal): SignalInstance {
  const definition = SIGNAL_CATALOG[raised.code];
  return { ...raised, title: definition.title, dimensions: definition.dimensions };
}

/** Catalog order, then workstream, then position, then subject: the same input gives the same list. */
export function compareSignals(a: RaisedSignal, b: RaisedSignal): number {
  return (
    signalOrder(a.code) - signalOrder(b.code) ||
    cmp(a.workstreamId ?? '', b.workstreamId ?? '') ||
    cmpPosition(a.position, b.position) ||
    cmp(subjectKey(a), subjectKey(b))
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const cmpPosition = (a: string | undefined, b: string | undefined): number =>
  a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a.length - b.length || cmp(a, b);
const subjectKey = (s: RaisedSignal): string =>
  Object.entries(s.subjects ?? {})
    .sort(([x], [y]) => cmp(x, y))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('&');

/** Signals of a list grouped by code (for list items): `[{code, title, count}]` in catalog order. */
export function countSignalsByCode(signals: readonly RaisedSignal[]): Array<{ code: SignalCode; title: string; count: number }> {
  const counts = new Map<SignalCode, number>();
  for (const s of signals) counts.set(s.code, (counts.get(s.code) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => signalOrder(a) - signalOrder(b))
    .map(([code, count]) => ({ code, title: SIGNAL_CATALOG[code].title, count }));
}
