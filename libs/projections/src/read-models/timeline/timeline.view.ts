/**
 * The audit timeline as readers see it (`GET /partnerships/:id/timeline`): a page of events in
 * recorded order with who recorded them and who they name (pseudonymous ids with roles,
 * organization type and side at the time — never names), the phase at that moment, corrections,
 * the signals each raised; beside the page, every backward move and skip with its reason, the
 * signals raised over the whole history, and the data-disclosure ledger of the agreements read
 * model (`dataDisclosureLedger`, not re-derived here).
 *
 * `readTimeline` reads only the views `<schema>.rm_timeline_partnerships|events` and the agreements
 * register's views: the page walks the partnership's key range (filters are checked along it), and
 * corrections, backward moves and skips come from small partial indexes.
 */
import type { Phase, PhaseDirection, Role } from '@trellis/domain';
import type { SqlExecutor } from '@trellis/event-store';
import { readModelView } from '../../core/projection';
import { SIGNAL_CATALOG, SIGNAL_CODES, type SignalCode } from '../../signals/signal-catalog';
import type { SignalSubjects } from '../../signals/signal-instance';
import { dataDisclosureLedger, readAgreementsRegister, type DataDisclosureLedgerEntry } from '../agreements/agreements.view';
import type { OrganizationCapacity, ParticipantCapacity } from './timeline.references';
import type { StoredSignal, TimelineContext, TimelineEntry } from './timeline.context';
import { TIMELINE } from './timeline.projection';

export const TIMELINE_DEFAULT_LIMIT = 200;
export const TIMELINE_MAX_LIMIT = 1000;

export interface TimelineQuery {
  /** Exclusive: events after this position. */
  readonly afterPosition?: bigint;
  /** 1 … TIMELINE_MAX_LIMIT. */
  readonly limit: number;
  readonly workstreamId?: string;
  /** An event type. */
  readonly type?: string;
}

export interface TimelineRecorderView {
  readonly apiKeyId: string | null;
  readonly participantId: string | null;
  readonly roles: readonly Role[];
  /** The organization the recorder acted for: the participant's, else the API key's. */
  readonly organizationId: string | null;
  readonly organizationType: string | null;
  readonly side: string | null;
}

export interface TimelineParticipantView {
  readonly participantId: string;
  /**
   * Filled by the API at read time from the people vault, never stored in a read model: the
   * person's name, or "erased participant (role, organization type)" after erasure. Absent when the
   * participant references no person.
   */
  readonly displayName?: string;
  readonly as: readonly ParticipantCapacity[];
  readonly roles: readonly Role[];
  readonly organizationId: string | null;
  readonly organizationType: string | null;
  readonly side: string | null;
}

export interface TimelineOrganizationView {
  readonly organizationId: string;
  readonly as: readonly OrganizationCapacity[];
  readonly organizationType: string | null;
  readonly side: string | null;
}

export interface TimelineTransitionView {
  readonly fromPhase: Phase | null;
  readonly toPhase: Phase | null;
  readonly direction: PhaseDirection | null;
  /** Explicit moves (TransitionPhase) carry a reason. */
  readonly reason: string | null;
  /** Automatic forward moves name their gate event. */
  readonly triggerEventId: string | null;
}

export interface TimelineSignalView {
  readonly code: SignalCode;
  readonly title: string;
  /** The phase the workstream was in (for a transition: the phase it left). */
  readonly phase: Phase | null;
  readonly subjects: SignalSubjects;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface TimelineEventView {
  readonly position: string;
  readonly revision: string;
  readonly eventId: string;
  readonly type: string;
  readonly workstreamId: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  /** Recorded more than an hour after it occurred. */
  readonly backDated: boolean;
  readonly recorder: TimelineRecorderView;
  readonly participants: readonly TimelineParticipantView[];
  readonly organizations: readonly TimelineOrganizationView[];
  readonly phase: Phase | null;
  readonly phaseOccurrence: number | null;
  readonly transition: TimelineTransitionView | null;
  /** The earlier event this one corrects (`metadata.corrects`). */
  readonly corrects: string | null;
  /** Later events that correct this one, in recorded order. */
  readonly correctedBy: readonly string[];
  readonly summary: string;
  readonly signals: readonly TimelineSignalView[];
}

export interface ExplainedTransitionView {
  readonly position: string;
  readonly eventId: string;
  readonly workstreamId: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly fromPhase: Phase | null;
  readonly toPhase: Phase | null;
  readonly direction: PhaseDirection;
  readonly reason: string | null;
}

export interface TimelineView {
  readonly partnershipId: string;
  readonly name: string;
  readonly status: string;
  /** The position of the partnership's latest event in the read model. */
  readonly asOfPosition: string;
  /** Events of the partnership in the read model (whatever the filters). */
  readonly totalEvents: number;
  readonly events: readonly TimelineEventView[];
  /** Pass as `afterPosition` for the next page; null on the last page. */
  readonly nextAfterPosition: string | null;
  /** Every backward move of every workstream, with its reason (whole partnership: not paged or filtered). */
  readonly backwardTransitions: readonly ExplainedTransitionView[];
  /** Every skip (problem_framing → co_design, concluding early), with its reason (whole partnership). */
  readonly skips: readonly ExplainedTransitionView[];
  /** Event-level signals raised over the whole history, by code, in catalog order. */
  readonly signals: { readonly raised: ReadonlyArray<{ readonly code: SignalCode; readonly title: string; readonly count: number }> };
  /** Agreements, transfers, ends and disposals (the agreements read model's ledger), oldest first. */
  readonly disclosureLedger: readonly DataDisclosureLedgerEntry[];
}

/** A row of the events view as the queries select it. */
export interface TimelineEventRow {
  position: string;
  revision: string;
  event_id: string;
  type: string;
  workstream_id: string | null;
  occurred_at: string;
  recorded_at: string;
  back_dated: boolean;
  corrects: string | null;
  entry: TimelineEntry;
}

/** Type and side of an organization (fixed when it joined), from the partnership's context. */
export type OrganizationLookup = (organizationId: string) => { readonly orgType: string; readonly side: string } | undefined;

export const organizationLookup =
  (context: Pick<TimelineContext, 'facts'>): OrganizationLookup =>
  (id) =>
    Object.hasOwn(context.facts.organizations, id) ? context.facts.organizations[id] : undefined;

/** One page of a partnership's timeline, or undefined when the read model does not know it. */
export async function readTimeline(sql: SqlExecutor, schema: string, partnershipId: string, query: TimelineQuery): Promise<TimelineView | undefined> {
  const contexts = readModelView(schema, TIMELINE, 'partnerships');
  const events = readModelView(schema, TIMELINE, 'events');
  const { rows: found } = await sql.query<{ doc: TimelineContext; position: string }>(`SELECT doc, position::text AS position FROM ${contexts} WHERE key = $1`, [partnershipId]);
  const context = found[0];
  if (!context) return undefined;

  const params: unknown[] = [partnershipId];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['e.partnership_id = $1'];
  if (query.afterPosition !== undefined) where.push(`e.position > ${param(query.afterPosition.toString())}::bigint`);
  if (query.workstreamId !== undefined) where.push(`e.workstream_id = ${param(query.workstreamId)}`);
  if (query.type !== undefined) where.push(`e.type = ${param(query.type)}`);
  const { rows } = await sql.query<TimelineEventRow>(
    // Ordered by the bigint column (e.position), not by the text alias of the same name.
    `SELECT e.position::text AS position, e.revision::text AS revision, e.event_id, e.type, e.workstream_id, e.occurred_at, e.recorded_at, e.back_dated, e.corrects, e.entry
       FROM ${events} AS e WHERE ${where.join(' AND ')} ORDER BY e.position LIMIT ${param(query.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, query.limit);

  const correctedBy = new Map<string, string[]>();
  if (page.length > 0) {
    const { rows: corrections } = await sql.query<{ corrects: string; event_id: string }>(
      `SELECT e.corrects, e.event_id FROM ${events} AS e
        WHERE e.partnership_id = $1 AND e.corrects IS NOT NULL AND e.corrects = ANY($2::text[]) ORDER BY e.position`,
      [partnershipId, page.map((r) => r.event_id)],
    );
    for (const c of corrections) correctedBy.set(c.corrects, [...(correctedBy.get(c.corrects) ?? []), c.event_id]);
  }

  const { rows: explained } = await sql.query<Omit<TimelineEventRow, 'revision' | 'type' | 'back_dated' | 'corrects'>>(
    `SELECT e.position::text AS position, e.event_id, e.workstream_id, e.occurred_at, e.recorded_at, e.entry
       FROM ${events} AS e WHERE e.partnership_id = $1 AND e.direction IN ('backward', 'skip') ORDER BY e.position`,
    [partnershipId],
  );
  const transitions = explained.map(explainedTransition);

  const register = await readAgreementsRegister(sql, schema, partnershipId);
  const doc = context.doc;
  return {
    partnershipId,
    name: doc.name,
    status: doc.facts.status,
    asOfPosition: context.position,
    totalEvents: doc.events,
    events: page.map((r) => eventView(r, organizationLookup(doc), correctedBy.get(r.event_id) ?? [])),
    nextAfterPosition: rows.length > query.limit ? page[page.length - 1]!.position : null,
    backwardTransitions: transitions.filter((t) => t.direction === 'backward'),
    skips: transitions.filter((t) => t.direction === 'skip'),
    signals: { raised: raisedCounts(doc.signalsRaised) },
    disclosureLedger: register ? dataDisclosureLedger(register) : [],
  };
}

/** A stored row as the API shows it (pure; the specs and the HTML page to come render the same). */
export function eventView(row: TimelineEventRow, organization: OrganizationLookup, correctedBy: readonly string[] = []): TimelineEventView {
  const e = row.entry;
  const r = e.recorder ?? {};
  const t = e.transition;
  const org = (id: string | undefined) => {
    const o = id === undefined ? undefined : organization(id);
    return { organizationId: id ?? null, organizationType: o?.orgType ?? null, side: o?.side ?? null };
  };
  return {
    position: row.position,
    revision: row.revision,
    eventId: row.event_id,
    type: row.type,
    workstreamId: row.workstream_id,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    backDated: row.back_dated,
    recorder: { apiKeyId: r.key ?? null, participantId: r.participant ?? null, roles: r.roles ?? [], ...org(r.org) },
    participants: (e.participants ?? []).map((p) => ({ participantId: p.id, as: p.as, roles: p.roles ?? [], ...org(p.org) })),
    organizations: (e.organizations ?? []).map((o) => {
      const { organizationType, side } = org(o.id);
      return { organizationId: o.id, as: o.as, organizationType, side };
    }),
    phase: e.phase ?? null,
    phaseOccurrence: e.occurrence ?? null,
    transition: t ? { fromPhase: t.from ?? null, toPhase: t.to ?? null, direction: t.direction ?? null, reason: t.reason ?? null, triggerEventId: t.trigger ?? null } : null,
    corrects: row.corrects,
    correctedBy: [...correctedBy],
    summary: e.summary,
    signals: (e.signals ?? []).map(signalView),
  };
}

function signalView(s: StoredSignal): TimelineSignalView {
  return { code: s.code, title: SIGNAL_CATALOG[s.code]?.title ?? s.code, phase: s.phase ?? null, subjects: s.subjects ?? {}, details: s.details ?? {} };
}

function explainedTransition(row: Omit<TimelineEventRow, 'revision' | 'type' | 'back_dated' | 'corrects'>): ExplainedTransitionView {
  const t = row.entry.transition ?? {};
  return {
    position: row.position,
    eventId: row.event_id,
    workstreamId: row.workstream_id,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    fromPhase: t.from ?? null,
    toPhase: t.to ?? null,
    direction: t.direction ?? 'backward',
    reason: t.reason ?? null,
  };
}

function raisedCounts(counts: TimelineContext['signalsRaised']) {
  return SIGNAL_CODES.filter((code) => (counts[code] ?? 0) > 0).map((code) => ({ code, title: SIGNAL_CATALOG[code].title, count: counts[code]! }));
}
