import { buildLanes, timeRange } from './timeline-page.model';
import { eventAt, participant } from './timeline-page.fixtures';

describe('buildLanes', () => {
  it('draws each phase occurrence of a workstream from the transition that entered it to the one that left it', () => {
    const lanes = buildLanes([
      eventAt('2025-01-01T00:00:00Z', { type: 'WorkstreamOpened' }),
      eventAt('2025-02-01T00:00:00Z', { to: 'evidence_review' }),
      eventAt('2025-03-01T00:00:00Z', { phase: 'evidence_review', phaseOccurrence: 2, to: 'problem_framing', direction: 'backward', reason: 'Teachers were not asked' }),
      eventAt('2025-04-01T00:00:00Z', { phase: 'problem_framing', phaseOccurrence: 3 }),
    ]);
    expect(lanes).toHaveLength(1);
    expect(lanes[0]!.spans.map((s) => [s.phase, s.occurrence, s.start.slice(0, 10), s.end?.slice(0, 10) ?? null])).toEqual([
      ['problem_framing', 1, '2025-01-01', '2025-02-01'],
      ['evidence_review', 2, '2025-02-01', '2025-03-01'],
      ['problem_framing', 3, '2025-03-01', null],
    ]);
    expect(lanes[0]!.spans[2]!.enteredBy).toEqual({ position: expect.any(String), direction: 'backward', reason: 'Teachers were not asked' });
    expect(lanes[0]!.marks.map((m) => m.kind)).toEqual(['event', 'forward', 'backward', 'event']);
  });

  it('says who was at the table in each span as the participation ledger counts it: named participants, participant recorders, organizations', () => {
    const [lane] = buildLanes([
      eventAt('2025-01-01T00:00:00Z', { participants: [participant('p-r', ['researcher'], 'research_organization')] }),
      eventAt('2025-01-02T00:00:00Z', {
        participants: [participant('p-t', ['practitioner', 'broker'], 'school')],
        recorder: { apiKeyId: 'k', participantId: 'p-c', roles: ['coordinator'], organizationId: 'org-d', organizationType: 'school_district', side: 'practice' },
        to: 'evidence_review',
      }),
      eventAt('2025-01-03T00:00:00Z', {
        phase: 'evidence_review',
        phaseOccurrence: 2,
        participants: [participant('p-f', ['family_member'], 'community_organization')],
        organizations: [{ organizationId: 'org-f', as: ['decider'], organizationType: 'funder', side: 'funder' }],
      }),
      eventAt('2025-01-04T00:00:00Z', {
        phase: 'evidence_review',
        phaseOccurrence: 2,
        recorder: { apiKeyId: 'k', participantId: null, roles: [], organizationId: 'org-c', organizationType: 'county_office', side: 'practice' },
      }),
    ]);
    // The transition brings its recorder into the phase it leaves, but is not one of its events.
    expect(lane!.spans.map((s) => [s.roles, s.organizationTypes, s.events])).toEqual([
      [['broker', 'coordinator', 'practitioner', 'researcher'], ['research_organization', 'school', 'school_district'], 1],
      [['family_member'], ['community_organization', 'county_office', 'funder'], 2],
    ]);
  });

  it('puts the partnership lane (events without a workstream) first, then workstreams in the order they appear', () => {
    const lanes = buildLanes([
      eventAt('2025-01-01T00:00:00Z', { workstreamId: 'ws-b' }),
      eventAt('2025-01-02T00:00:00Z', { workstreamId: null, phase: null, phaseOccurrence: null, type: 'OrganizationJoined' }),
      eventAt('2025-01-03T00:00:00Z', { workstreamId: 'ws-a' }),
    ]);
    expect(lanes.map((l) => l.workstreamId)).toEqual([null, 'ws-b', 'ws-a']);
    expect(lanes[0]!.spans).toEqual([]);
    expect(lanes[0]!.marks.map((m) => m.type)).toEqual(['OrganizationJoined']);
  });

  it('ends a concluded workstream where it concluded, and never lets a back-dated transition end a span before it began', () => {
    const [lane] = buildLanes([
      eventAt('2025-03-01T00:00:00Z', { type: 'WorkstreamOpened' }),
      eventAt('2025-01-01T00:00:00Z', { to: 'concluded', direction: 'skip', reason: 'Funding ended' }),
    ]);
    expect(lane!.spans.map((s) => [s.phase, s.start.slice(0, 10), s.end?.slice(0, 10)])).toEqual([
      ['problem_framing', '2025-03-01', '2025-03-01'],
      ['concluded', '2025-01-01', '2025-01-01'],
    ]);
  });
});

describe('timeRange', () => {
  it('runs from the first occurred event to the later of the last one and now', () => {
    const events = [eventAt('2025-03-01T00:00:00Z'), eventAt('2025-01-01T00:00:00Z')];
    expect(timeRange(events, '2026-01-01T00:00:00Z')).toEqual({ start: Date.parse('2025-01-01T00:00:00Z'), end: Date.parse('2026-01-01T00:00:00Z') });
    expect(timeRange(events, '2024-01-01T00:00:00Z')).toEqual({ start: Date.parse('2025-01-01T00:00:00Z'), end: Date.parse('2025-03-01T00:00:00Z') });
  });

  it('is never empty: a day either side of a single moment', () => {
    const t = Date.parse('2025-01-01T00:00:00Z');
    expect(timeRange([eventAt('2025-01-01T00:00:00Z')], '2025-01-01T00:00:00Z')).toEqual({ start: t - 86_400_000, end: t + 86_400_000 });
    expect(timeRange([], '2025-01-01T00:00:00Z')).toEqual({ start: t - 86_400_000, end: t + 86_400_000 });
  });
});
