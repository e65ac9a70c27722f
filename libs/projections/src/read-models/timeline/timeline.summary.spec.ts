/**
 * Timeline summaries and references, pure: every event type has its own summary, malformed data
 * never throws, and participants and organizations are listed once with every capacity.
 */
import { PARTNERSHIP_EVENT_TYPES } from '@trellis/domain';
import type { JsonObject, RecordedEvent } from '@trellis/event-store';
import { isBackDated } from './timeline.context';
import { organizationsNamed, participantsNamed } from './timeline.references';
import { summarizeEvent } from './timeline.summary';

const event = (type: string, data: unknown): RecordedEvent =>
  ({ eventId: 'e', type, schemaVersion: 1, streamId: 's', revision: 0n, position: 1n, data: data as JsonObject, metadata: {} as RecordedEvent['metadata'] });

describe('summarizeEvent', () => {
  it.each(PARTNERSHIP_EVENT_TYPES.map((t) => [t]))('%s has a summary of its own and tolerates malformed data', (type) => {
    for (const data of [{}, null, { workstreamId: 7, roles: 'x', ratings: 3, researchQuestions: 'q' }]) {
      const text = summarizeEvent(event(type, data));
      expect(text).not.toBe(type);
      expect(text.length).toBeGreaterThan(10);
    }
  });

  it('says what happened with ids, vocabulary, dates and counts', () => {
    expect(
      summarizeEvent(event('FormalStudyApproved', { studyId: 's-1', questionIds: ['q1', 'q2'], siteOrganizationIds: ['o'], usesStudentRecords: true, dsaIds: ['dsa-1'], design: 'free text' })),
    ).toBe('Formal study s-1 approved: 2 questions, 1 site, uses student records (under dsa-1)');
    expect(summarizeEvent(event('PhaseTransitioned', { workstreamId: 'w', fromPhase: 'pilot', toPhase: 'co_design', direction: 'backward', reason: 'free text' }))).toBe(
      'Workstream w moved back from pilot to co_design',
    );
    expect(summarizeEvent(event('PhaseTransitioned', { workstreamId: 'w', fromPhase: 'pilot', toPhase: 'concluded', direction: 'skip', reason: 'r' }))).toBe('Workstream w concluded early from pilot');
    expect(summarizeEvent(event('PhaseTransitioned', { workstreamId: 'w', fromPhase: 'problem_framing', toPhase: 'co_design', direction: 'skip' }))).toBe(
      'Workstream w skipped from problem_framing to co_design',
    );
    expect(summarizeEvent(event('StakeholderInputGathered', { inputId: 'i', method: 'survey', respondentCounts: { practitioner: 3, school: 0, LEA: 12 } }))).toBe(
      'Stakeholder input i gathered by survey; respondents: LEA, practitioner',
    );
  });
});

describe('references', () => {
  it('lists each participant once with every capacity, in the order named', () => {
    expect(participantsNamed(event('ParticipantDeparted', { participantId: 'a', successorParticipantId: 'b', organizationId: 'o' }))).toEqual([
      { id: 'a', as: ['departed'] },
      { id: 'b', as: ['successor'] },
    ]);
    expect(participantsNamed(event('FindingsJointlyInterpreted', { attendeeParticipantIds: ['a', 'b', 'a', 3] }))).toEqual([
      { id: 'a', as: ['attendee'] },
      { id: 'b', as: ['attendee'] },
    ]);
  });

  it('merges an organization that is a site and an approver', () => {
    expect(
      organizationsNamed(event('PilotApproved', { siteOrganizationIds: ['s1', 's2'], approvals: [{ organizationId: 's1' }, { organizationId: 'd' }, null, 'x'] })),
    ).toEqual([
      { id: 's1', as: ['site', 'approver'] },
      { id: 's2', as: ['site'] },
      { id: 'd', as: ['approver'] },
    ]);
  });
});

describe('isBackDated', () => {
  it.each([
    ['2025-01-01T10:00:00.000Z', '2025-01-01T10:00:00.000Z', false],
    ['2025-01-01T10:00:00.000Z', '2025-01-01T11:00:00.000Z', false],
    ['2025-01-01T10:00:00.000Z', '2025-01-01T11:00:00.001Z', true],
    ['2024-12-01T10:00:00.000Z', '2025-01-01T10:00:00.000Z', true],
    ['2025-01-01T11:00:00.000Z', '2025-01-01T10:00:00.000Z', false],
    ['not a date', '2025-01-01T10:00:00.000Z', false],
  ])('occurred %s, recorded %s → %s', (occurredAt, recordedAt, expected) => {
    expect(isBackDated(occurredAt, recordedAt)).toBe(expected);
  });
});
