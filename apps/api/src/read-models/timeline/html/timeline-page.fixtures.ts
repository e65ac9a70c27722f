/** Small, hand-written timeline views for the page's unit specs (not used by the application). */
import type { Phase, PhaseDirection } from '@trellis/domain';
import type { TimelineEventView, TimelineParticipantView } from '@trellis/projections';
import type { TimelinePageData } from './timeline-page.model';

let position = 0;

export function eventAt(
  occurredAt: string,
  overrides: Partial<TimelineEventView> & { readonly to?: Phase; readonly direction?: PhaseDirection; readonly reason?: string } = {},
): TimelineEventView {
  const { to, direction, reason, ...rest } = overrides;
  position += 1;
  const transition =
    to === undefined ? null : { fromPhase: rest.phase ?? null, toPhase: to, direction: direction ?? 'forward', reason: reason ?? null, triggerEventId: null };
  return {
    position: String(position),
    revision: String(position - 1),
    eventId: `00000000-0000-7000-8000-${String(position).padStart(12, '0')}`,
    type: to === undefined ? 'EvidenceReviewed' : 'PhaseTransitioned',
    workstreamId: 'ws-a',
    occurredAt,
    recordedAt: occurredAt,
    backDated: false,
    recorder: { apiKeyId: 'key-1', participantId: null, roles: [], organizationId: null, organizationType: null, side: null },
    participants: [],
    organizations: [],
    phase: 'problem_framing',
    phaseOccurrence: 1,
    transition,
    corrects: null,
    correctedBy: [],
    summary: 'Something happened',
    signals: [],
    ...rest,
  };
}

export const participant = (participantId: string, roles: TimelineParticipantView['roles'], organizationType: string, displayName?: string): TimelineParticipantView => ({
  participantId,
  ...(displayName === undefined ? {} : { displayName }),
  as: ['contributor'],
  roles,
  organizationId: `org-${organizationType}`,
  organizationType,
  side: roles.includes('researcher') ? 'research' : 'practice',
});

export function pageData(events: readonly TimelineEventView[], overrides: Partial<TimelinePageData> = {}): TimelinePageData {
  return {
    timeline: {
      partnershipId: '11111111-1111-4111-8111-111111111111',
      name: 'Valley partnership',
      status: 'active',
      asOfPosition: events.length > 0 ? events[events.length - 1]!.position : '0',
      totalEvents: events.length,
      backwardTransitions: [],
      skips: [],
      signals: { raised: [] },
      disclosureLedger: [],
    },
    events,
    truncated: false,
    eventCap: 5000,
    verification: { valid: true, checkedEvents: events.length, headHash: 'ab'.repeat(32) },
    reminders: { partnershipId: '11111111-1111-4111-8111-111111111111', timeScale: 1, pausedSince: null, scheduled: [], issued: [], issuedTruncated: false },
    now: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
