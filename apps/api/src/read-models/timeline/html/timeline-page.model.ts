/**
 * What the timeline page shows, derived from the audit-timeline view (pure): one lane per
 * workstream with its phases as spans along the occurred-time axis (each phase occurrence from the
 * event that entered it to the one that left it), who was at the table in each span (roles and
 * organization types, counted as the participation ledger counts them), and the events as marks. The renderer
 * (`timeline-page.render.ts`) only lays this out.
 */
import type { Phase, PhaseDirection } from '@trellis/domain';
import type { ChainVerification } from '@trellis/event-store';
import type { TimelineEventView, TimelineView } from '@trellis/projections';
import type { RemindersView } from '@trellis/reminders';

/** Everything the page is made of, as the sources answer it. */
export interface TimelinePageData {
  /** The timeline's first page (its header and the whole-partnership lists); `events` are below. */
  readonly timeline: Omit<TimelineView, 'events' | 'nextAfterPosition'>;
  /** Every event read, oldest first (at most `eventCap`). */
  readonly events: readonly TimelineEventView[];
  /** More events exist than the page reads. */
  readonly truncated: boolean;
  readonly eventCap: number;
  /** The hash chain of the partnership's stream, as `GET /partnerships/:id/verify` computes it. */
  readonly verification: ChainVerification;
  /** As `GET /partnerships/:id/reminders` answers. */
  readonly reminders: RemindersView;
  /** When the page is rendered (ISO): the end of ongoing spans. */
  readonly now: string;
}

export interface PhaseSpan {
  readonly phase: Phase;
  /** Which occurrence of a phase in the workstream (1 for its first phase, +1 at every transition). */
  readonly occurrence: number | null;
  readonly start: string;
  /** When the next transition left it; null while the workstream is still in it. */
  readonly end: string | null;
  /** The transition that entered it (null for the workstream's first phase). */
  readonly enteredBy: { readonly position: string; readonly direction: PhaseDirection | null; readonly reason: string | null } | null;
  /** Roles of the participants named by the span's events and of the participants recording them, sorted. */
  readonly roles: readonly string[];
  /** Types of their organizations and of the organizations the events name, sorted. */
  readonly organizationTypes: readonly string[];
  /** Events recorded in it (transitions not counted). */
  readonly events: number;
}

export type MarkKind = 'forward' | 'backward' | 'skip' | 'event';

export interface EventMark {
  readonly position: string;
  readonly at: string;
  readonly type: string;
  readonly summary: string;
  readonly kind: MarkKind;
}

export interface Lane {
  /** null: the partnership's own events (organizations, agreements, status) outside any workstream. */
  readonly workstreamId: string | null;
  readonly spans: readonly PhaseSpan[];
  readonly marks: readonly EventMark[];
}

export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

export interface TimelinePageModel extends TimelinePageData {
  /** The partnership lane first (when it has events), then the workstreams in the order they opened. */
  readonly lanes: readonly Lane[];
  /** The occurred-time axis: the first event to the later of the last event and `now`. */
  readonly range: TimeRange;
}

interface OpenSpan {
  phase: Phase;
  occurrence: number | null;
  start: string;
  enteredBy: PhaseSpan['enteredBy'];
  roles: Set<string>;
  organizationTypes: Set<string>;
  events: number;
}

interface LaneBuilder {
  readonly workstreamId: string | null;
  readonly spans: PhaseSpan[];
  readonly marks: EventMark[];
  current: OpenSpan | null;
}

const DAY_MS = 86_400_000;

const later = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);

function close(span: OpenSpan, end: string | null): PhaseSpan {
  return {
    phase: span.phase,
    occurrence: span.occurrence,
    start: span.start,
    // A back-dated transition may have occurred before the span it closes started: never negative.
    end: end === null ? null : later(end, span.start),
    enteredBy: span.enteredBy,
    roles: [...span.roles].sort(),
    organizationTypes: [...span.organizationTypes].sort(),
    events: span.events,
  };
}

/**
 * Who was at the table in a phase occurrence, counted as the participation ledger and the signals
 * count it: the participants its events name and the participants recording them (roles), and the
 * organizations of both plus those the events name (types). A transition adds its recorder to the
 * occurrence it leaves but is not counted as one of its events.
 */
function atTheTable(span: OpenSpan, event: TimelineEventView): void {
  if (!event.transition) span.events += 1;
  const people = [...event.participants, ...(event.recorder.participantId ? [event.recorder] : [])];
  for (const p of people) for (const role of p.roles) span.roles.add(role);
  for (const o of [...people, event.recorder, ...event.organizations]) if (o.organizationType) span.organizationTypes.add(o.organizationType);
}

function markKind(event: TimelineEventView): MarkKind {
  const direction = event.transition?.direction;
  return direction === 'backward' || direction === 'skip' || direction === 'forward' ? direction : 'event';
}

export function buildLanes(events: readonly TimelineEventView[]): Lane[] {
  const lanes = new Map<string | null, LaneBuilder>();
  const laneOf = (workstreamId: string | null): LaneBuilder => {
    let lane = lanes.get(workstreamId);
    if (!lane) {
      lane = { workstreamId, spans: [], marks: [], current: null };
      lanes.set(workstreamId, lane);
    }
    return lane;
  };

  for (const event of events) {
    const lane = laneOf(event.workstreamId);
    lane.marks.push({ position: event.position, at: event.occurredAt, type: event.type, summary: event.summary, kind: markKind(event) });
    if (event.workstreamId === null) continue;
    if (!lane.current && event.phase) {
      lane.current = { phase: event.phase, occurrence: event.phaseOccurrence, start: event.occurredAt, enteredBy: null, roles: new Set(), organizationTypes: new Set(), events: 0 };
    }
    // A transition's event belongs to the phase it leaves (its `phase`).
    if (lane.current) atTheTable(lane.current, event);
    const to = event.transition?.toPhase;
    if (to) {
      if (lane.current) lane.spans.push(close(lane.current, event.occurredAt));
      lane.current = {
        phase: to,
        occurrence: event.phaseOccurrence === null ? null : event.phaseOccurrence + 1,
        start: event.occurredAt,
        enteredBy: { position: event.position, direction: event.transition!.direction, reason: event.transition!.reason },
        roles: new Set(),
        organizationTypes: new Set(),
        events: 0,
      };
    }
  }

  const built = [...lanes.values()].map((lane) => {
    const spans = [...lane.spans];
    // A concluded workstream ends where it concluded; any other phase is still going on.
    if (lane.current) spans.push(close(lane.current, lane.current.phase === 'concluded' ? lane.current.start : null));
    return { workstreamId: lane.workstreamId, spans, marks: lane.marks };
  });
  return [...built.filter((l) => l.workstreamId === null), ...built.filter((l) => l.workstreamId !== null)];
}

export function timeRange(events: readonly TimelineEventView[], now: string): TimeRange {
  const times = events.map((e) => Date.parse(e.occurredAt)).filter((t) => Number.isFinite(t));
  const nowMs = Date.parse(now);
  if (times.length === 0) return { start: nowMs - DAY_MS, end: nowMs + DAY_MS };
  const start = Math.min(...times);
  const end = Math.max(...times, nowMs);
  return end - start < DAY_MS ? { start: start - DAY_MS, end: end + DAY_MS } : { start, end };
}

export function timelinePageModel(data: TimelinePageData): TimelinePageModel {
  return { ...data, lanes: buildLanes(data.events), range: timeRange(data.events, data.now) };
}
