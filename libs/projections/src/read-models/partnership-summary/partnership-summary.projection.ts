/**
 * Partnership summary (DOMAIN.md "Read models"): one document per partnership for the list
 * `GET /partnerships?status=&phase=&organizationId=&cursor=&limit=` — name, status, types, focus,
 * organizations by side, open workstreams and their phases, last activity — plus the signal facts
 * from which each item's current signals are evaluated at query time.
 *
 * Columns beside the document: `status`, `phases` (distinct phases of open workstreams, GIN),
 * `organization_ids` (every member organization, withdrawn ones included: "which partnerships did X
 * take part in", GIN), `last_activity_at` (recordedAt of the latest event; not indexed, see below) and
 * `sort_key` (the position of the proposal: unique, stable across rebuilds, and increasing with
 * creation, so keyset pages never shift when partnerships are added).
 */
import { PARTNERSHIP_EVENT_TYPES } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import { documentProjection } from '../../core/document-projection';
import { dataOf, occurredAtOf, partnershipIdOf, recordedAtOf, str } from '../../signals/event-access';
import { evolveSignalFacts, initialSignalFacts, type SignalFacts } from '../../signals/signal-facts';

export const PARTNERSHIP_SUMMARY = 'partnership_summary';

export interface LastActivity {
  readonly eventId: string;
  readonly eventType: string;
  readonly position: string;
  readonly recordedAt: string;
  readonly occurredAt: string;
}

export interface PartnershipSummaryDoc {
  readonly partnershipId: string;
  readonly name: string;
  readonly focus: string;
  /** When the proposal was recorded. */
  readonly createdAt?: string;
  /** When the proposal occurred (may be back-dated). */
  readonly proposedAt?: string;
  /** Position of the proposal (decimal string): the list's stable order. */
  readonly proposalPosition: string;
  readonly lastActivity?: LastActivity;
  readonly facts: SignalFacts;
}

export const PARTNERSHIP_SUMMARY_COLUMNS = {
  status: 'text',
  phases: 'text[]',
  organization_ids: 'text[]',
  last_activity_at: 'timestamptz',
  sort_key: 'bigint',
} as const;

function initial(partnershipId: string): PartnershipSummaryDoc {
  return { partnershipId, name: '', focus: '', proposalPosition: '0', facts: initialSignalFacts(partnershipId) };
}

export function evolvePartnershipSummary(doc: PartnershipSummaryDoc, event: RecordedEvent): PartnershipSummaryDoc | null {
  const facts = evolveSignalFacts(doc.facts, event);
  if (facts.status === 'none') return null; // nothing before the proposal
  const recordedAt = recordedAtOf(event);
  const occurredAt = occurredAtOf(event);
  const next: Mutable<PartnershipSummaryDoc> = { ...doc, facts };
  if (recordedAt !== undefined && occurredAt !== undefined) {
    next.lastActivity = { eventId: event.eventId, eventType: event.type, position: event.position.toString(), recordedAt, occurredAt };
  }
  if (event.type === 'PartnershipProposed' && doc.facts.status === 'none') {
    const d = dataOf(event);
    const createdAt = str(event.metadata['recordedAt']);
    next.name = str(d['name']) ?? '';
    next.focus = str(d['focus']) ?? '';
    if (createdAt !== undefined) next.createdAt = createdAt;
    if (occurredAt !== undefined) next.proposedAt = occurredAt;
    next.proposalPosition = event.position.toString();
  }
  return next;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Distinct phases of the open workstreams, sorted. */
export const openPhases = (facts: SignalFacts): string[] => [...new Set(Object.values(facts.workstreams).map((w) => w.phase))].sort();

export const partnershipSummaryProjection = documentProjection<PartnershipSummaryDoc>({
  name: PARTNERSHIP_SUMMARY,
  version: 1,
  eventTypes: PARTNERSHIP_EVENT_TYPES,
  key: (e) => partnershipIdOf(e),
  initial: (key) => initial(key),
  evolve: (doc, e) => evolvePartnershipSummary(doc, e),
  columns: PARTNERSHIP_SUMMARY_COLUMNS,
  project: (doc) => ({
    status: doc.facts.status,
    phases: openPhases(doc.facts),
    organization_ids: Object.keys(doc.facts.organizations).sort(),
    last_activity_at: doc.lastActivity?.recordedAt ?? null,
    sort_key: doc.proposalPosition,
  }),
  // Every event rewrites its partnership's row (last activity): leave room on each page and keep
  // the often-changing last_activity_at out of the indexes, so most rewrites are HOT updates. (No
  // query orders by last activity yet; index it when one does.)
  indexes: (t, ix) => [
    `ALTER TABLE ${t} SET (fillfactor = 70)`,
    `CREATE UNIQUE INDEX ${ix}_sort ON ${t} (sort_key)`,
    `CREATE INDEX ${ix}_status ON ${t} (status, sort_key)`,
    `CREATE INDEX ${ix}_phases ON ${t} USING gin (phases)`,
    `CREATE INDEX ${ix}_orgs ON ${t} USING gin (organization_ids)`,
  ],
});
