/**
 * What one summary document looks like on the wire (an item of `GET /partnerships`), with its
 * current signals evaluated at `now`. Pure, so the API and the specs render items identically.
 */
import { SIDES, type Phase, type Side } from '@trellis/domain';
import { evaluatePartnershipSignals } from '../../signals/partnership-signals';
import { countSignalsByCode } from '../../signals/signal-instance';
import type { SignalCode } from '../../signals/signal-catalog';
import type { PartnershipSummaryDoc } from './partnership-summary.projection';

export interface OrganizationsBySide {
  /** Member organizations that have not withdrawn. */
  readonly total: number;
  readonly bySide: Readonly<Record<Side, { readonly count: number; readonly organizationIds: readonly string[] }>>;
  readonly withdrawn: { readonly count: number; readonly organizationIds: readonly string[] };
}

export interface OpenWorkstreamItem {
  readonly workstreamId: string;
  readonly title: string;
  readonly phase: Phase;
  readonly phaseEnteredAt: string | null;
  readonly lastActivityAt: string | null;
}

export interface PartnershipSummaryItem {
  readonly partnershipId: string;
  readonly name: string;
  readonly status: string;
  readonly types: readonly string[];
  readonly initiationMode: string | null;
  readonly focus: string;
  readonly organizations: OrganizationsBySide;
  readonly openWorkstreams: readonly OpenWorkstreamItem[];
  readonly lastActivity: { readonly recordedAt: string; readonly occurredOn: string; readonly eventType: string } | null;
  readonly createdAt: string | null;
  /** Current signals by code (a code may apply several times, e.g. one per organization). */
  readonly signals: ReadonlyArray<{ readonly code: SignalCode; readonly title: string; readonly count: number }>;
  /** The read-model position this item reflects (decimal string). */
  readonly asOfPosition: string;
}

export function organizationsBySide(doc: Pick<PartnershipSummaryDoc, 'facts'>): OrganizationsBySide {
  const bySide = Object.fromEntries(SIDES.map((s) => [s, { count: 0, organizationIds: [] as string[] }])) as Record<Side, { count: number; organizationIds: string[] }>;
  const withdrawn: string[] = [];
  for (const [id, org] of Object.entries(doc.facts.organizations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (org.withdrawn) {
      withdrawn.push(id);
      continue;
    }
    const entry = bySide[org.side];
    if (!entry) continue;
    entry.count += 1;
    entry.organizationIds.push(id);
  }
  const total = Object.values(bySide).reduce((n, s) => n + s.count, 0);
  return { total, bySide, withdrawn: { count: withdrawn.length, organizationIds: withdrawn } };
}

export function openWorkstreams(doc: Pick<PartnershipSummaryDoc, 'facts'>): OpenWorkstreamItem[] {
  return Object.entries(doc.facts.workstreams)
    .map(([workstreamId, w]) => ({
      workstreamId,
      title: w.title,
      phase: w.phase,
      phaseEnteredAt: w.phaseEnteredAt ?? null,
      lastActivityAt: w.lastActivityAt ?? null,
      openedAt: w.openedAt ?? '',
    }))
    .sort((a, b) => (a.openedAt < b.openedAt ? -1 : a.openedAt > b.openedAt ? 1 : a.workstreamId < b.workstreamId ? -1 : 1))
    .map(({ openedAt: _openedAt, ...w }) => w);
}

export function partnershipSummaryItem(doc: PartnershipSummaryDoc, position: string, now: Date): PartnershipSummaryItem {
  const { facts } = doc;
  return {
    partnershipId: doc.partnershipId,
    name: doc.name,
    status: facts.status,
    types: facts.types,
    initiationMode: facts.initiationMode ?? null,
    focus: doc.focus,
    organizations: organizationsBySide(doc),
    openWorkstreams: openWorkstreams(doc),
    lastActivity: doc.lastActivity
      ? { recordedAt: doc.lastActivity.recordedAt, occurredOn: doc.lastActivity.occurredAt.slice(0, 10), eventType: doc.lastActivity.eventType }
      : null,
    createdAt: doc.createdAt ?? null,
    signals: countSignalsByCode(evaluatePartnershipSignals(facts, now)),
    asOfPosition: position,
  };
}
