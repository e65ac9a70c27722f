import type { WorkstreamFacts } from './stalled-workstreams.context';
import {
  DEFAULT_STALL_THRESHOLDS,
  assessWorkstream,
  pausedDaysAfter,
  stallBlockersOf,
  stallClock,
  type StalledWorkstreamDoc,
  type StallThresholds,
} from './stalled-workstreams.rules';
import { addDays, daysBetween } from './calendar';

const at = (date: string) => `${date}T10:00:00.000Z`;
const noon = (date: string) => new Date(`${date}T12:00:00.000Z`);

function ws(overrides: Partial<WorkstreamFacts> = {}): WorkstreamFacts {
  return {
    workstreamId: 'ws-1',
    title: 'Reading routines',
    phase: 'problem_framing',
    openedAt: at('2025-01-01'),
    enteredAt: at('2025-01-01'),
    lastActivityAt: at('2025-01-01'),
    openPilots: [],
    openStudies: [],
    pendingFindings: [],
    ...overrides,
  };
}

function doc(w: WorkstreamFacts, extra: Partial<StalledWorkstreamDoc> = {}): StalledWorkstreamDoc {
  return {
    partnershipId: 'p-1',
    partnershipName: 'Valley',
    partnershipStatus: 'active',
    workstream: w,
    clock: stallClock(w, []),
    dsas: {},
    ...extra,
  };
}

describe('calendar', () => {
  it('counts whole UTC days across months and leap days', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2025-03-01', '2025-02-28')).toBe(-1);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-01-31', -31)).toBe('2024-12-31');
  });
});

describe('stallClock', () => {
  it('starts on the later of phase entry and last activity', () => {
    expect(stallClock(ws({ enteredAt: at('2025-01-01'), lastActivityAt: at('2025-02-10') }), [])).toEqual({
      kind: 'problem_framing',
      anchorOn: '2025-02-10',
      pausedDays: 0,
      startsOn: '2025-02-10',
    });
    // A back-dated transition leaves activity as the later date; a later entry wins over older activity.
    expect(stallClock(ws({ enteredAt: at('2025-03-01'), lastActivityAt: at('2025-02-10') }), []).anchorOn).toBe('2025-03-01');
  });

  it('waits for plannedStart (not started) or plannedEnd (running) in a pilot, the earliest of the open pilots', () => {
    const waiting = ws({ phase: 'pilot', enteredAt: at('2025-01-15'), lastActivityAt: at('2025-01-15'), openPilots: [{ pilotId: 'a', plannedStart: '2025-03-01', plannedEnd: '2025-05-31', approvedOn: '2025-01-15' }] });
    expect(stallClock(waiting, []).anchorOn).toBe('2025-03-01');
    const running = ws({ ...waiting, openPilots: [{ ...waiting.openPilots[0]!, startedOn: '2025-03-02' }] });
    expect(stallClock(running, []).anchorOn).toBe('2025-05-31');
    const both = ws({ ...waiting, openPilots: [...running.openPilots, { pilotId: 'b', plannedStart: '2025-04-01', plannedEnd: '2025-04-30', approvedOn: '2025-01-20' }] });
    expect(stallClock(both, []).anchorOn).toBe('2025-04-01');
    // Activity after the planned date moves the clock on.
    expect(stallClock(ws({ ...running, lastActivityAt: at('2025-06-10') }), []).anchorOn).toBe('2025-06-10');
  });

  it('uses the running-study clock once every open study has started', () => {
    const approved = { studyId: 's', approvedOn: '2025-01-01', dsaIds: [] };
    expect(stallClock(ws({ phase: 'formal_study', openStudies: [approved] }), []).kind).toBe('formal_study');
    expect(stallClock(ws({ phase: 'formal_study', openStudies: [{ ...approved, startedOn: '2025-02-01' }] }), []).kind).toBe('formal_study_running');
    expect(stallClock(ws({ phase: 'formal_study', openStudies: [] }), []).kind).toBe('formal_study_running');
  });

  it('moves its start past the days of completed pauses after the anchor', () => {
    const pauses = [
      { from: '2024-10-01', to: '2024-11-01' }, // before the anchor: ignored
      { from: '2025-01-20', to: '2025-02-01' }, // straddles the anchor: 2025-01-25 → 02-01 = 7 days
      { from: '2025-03-01', to: '2025-03-11' }, // after: 10 days
    ];
    expect(pausedDaysAfter('2025-01-25', pauses)).toBe(17);
    expect(stallClock(ws({ lastActivityAt: at('2025-01-25') }), pauses)).toMatchObject({ anchorOn: '2025-01-25', pausedDays: 17, startsOn: '2025-02-11' });
  });
});

describe('assessWorkstream', () => {
  const problemDefined = ws({ problemDefinedOn: '2025-01-01' });

  it('is not stalled on the threshold day and stalled the day after (R-03: 45 days)', () => {
    const onDay = assessWorkstream(doc(problemDefined), noon('2025-02-15'));
    expect(onDay).toMatchObject({ thresholdDays: 45, clockStartedOn: '2025-01-01', dueOn: '2025-02-15', elapsedDays: 45, daysOverThreshold: 0, stalled: false });
    const dayAfter = assessWorkstream(doc(problemDefined), noon('2025-02-16'));
    expect(dayAfter).toMatchObject({ elapsedDays: 46, daysOverThreshold: 1, stalled: true, paused: false, pausedSince: null });
  });

  it('takes the thresholds it is given', () => {
    const thresholds: StallThresholds = { ...DEFAULT_STALL_THRESHOLDS, problem_framing: 10 };
    expect(assessWorkstream(doc(problemDefined), noon('2025-01-12'), thresholds)).toMatchObject({ thresholdDays: 10, daysOverThreshold: 1, stalled: true });
  });

  it('never counts a clock that has not started yet (a pilot planned for later)', () => {
    const w = ws({ phase: 'pilot', openPilots: [{ pilotId: 'a', plannedStart: '2025-06-01', plannedEnd: '2025-08-31', approvedOn: '2025-01-01' }] });
    expect(assessWorkstream(doc(w), noon('2025-02-01'))).toMatchObject({ elapsedDays: 0, daysOverThreshold: 0, stalled: false, dueOn: '2025-07-01', blockedBy: [] });
  });

  it('freezes the clock of a paused partnership at the pause and shows it paused, not stalled', () => {
    const paused = doc(problemDefined, { partnershipStatus: 'paused', pausedSince: '2025-03-01' });
    const later = assessWorkstream(paused, noon('2025-09-01'));
    expect(later).toMatchObject({ paused: true, pausedSince: '2025-03-01', stalled: false, elapsedDays: 59, daysOverThreshold: 14 });
    expect(later.blockedBy[0]).toMatchObject({ code: 'PARTNERSHIP_PAUSED', since: '2025-03-01' });
    // Paused before the clock's anchor (activity recorded during the pause): nothing elapsed.
    const quiet = doc(ws({ lastActivityAt: at('2025-04-01') }), { partnershipStatus: 'paused', pausedSince: '2025-03-01' });
    expect(assessWorkstream(quiet, noon('2025-09-01'))).toMatchObject({ elapsedDays: 0, stalled: false });
  });
});

describe('stallBlockersOf', () => {
  const codes = (w: WorkstreamFacts, today: string, extra: Partial<StalledWorkstreamDoc> = {}) =>
    stallBlockersOf(doc(w, extra), today).map((b) => [b.code, b.since]);

  it('problem framing: no problem, then no agenda (since the problem, or re-entry)', () => {
    expect(codes(ws(), '2025-02-01')).toEqual([['NO_PROBLEM_DEFINED', '2025-01-01']]);
    expect(codes(ws({ problemDefinedOn: '2025-01-05' }), '2025-02-01')).toEqual([['AGENDA_NOT_AGREED', '2025-01-05']]);
    expect(codes(ws({ problemDefinedOn: '2024-05-01', enteredAt: at('2025-01-10') }), '2025-02-01')).toEqual([['AGENDA_NOT_AGREED', '2025-01-10']]);
  });

  it('evidence review: no review, then no tool or study', () => {
    const entered = { phase: 'evidence_review' as const, enteredAt: at('2025-01-10') };
    expect(codes(ws(entered), '2025-02-01')).toEqual([['NO_EVIDENCE_REVIEW', '2025-01-10']]);
    expect(codes(ws({ ...entered, evidenceReviewedOn: '2025-01-20' }), '2025-02-01')).toEqual([['NO_TOOL_OR_STUDY', '2025-01-20']]);
  });

  it('co-design: no tool, then no pilot approved', () => {
    const entered = { phase: 'co_design' as const, enteredAt: at('2025-01-10') };
    expect(codes(ws(entered), '2025-02-01')).toEqual([['NO_TOOL', '2025-01-10']]);
    expect(codes(ws({ ...entered, toolOn: '2025-01-10' }), '2025-02-01')).toEqual([['NO_PILOT_APPROVED', '2025-01-10']]);
  });

  it('pilot: not started after plannedStart, running after plannedEnd (strictly after the planned day)', () => {
    const pilot = { pilotId: 'pl', plannedStart: '2025-03-01', plannedEnd: '2025-05-31', approvedOn: '2025-01-15' };
    const w = ws({ phase: 'pilot', openPilots: [pilot] });
    expect(codes(w, '2025-03-01')).toEqual([]);
    expect(codes(w, '2025-03-02')).toEqual([['PILOT_NOT_STARTED', '2025-03-01']]);
    const running = ws({ phase: 'pilot', openPilots: [{ ...pilot, startedOn: '2025-03-03' }] });
    expect(codes(running, '2025-05-31')).toEqual([]);
    expect(stallBlockersOf(doc(running), '2025-06-01')).toEqual([
      expect.objectContaining({ code: 'PILOT_PAST_PLANNED_END', since: '2025-05-31', policy: 'R-07', subject: { kind: 'pilot', id: 'pl' } }),
    ]);
  });

  it('input and revision: no input, input not answered, then the next step', () => {
    const entered = { phase: 'input_revision' as const, enteredAt: at('2025-01-10') };
    expect(codes(ws(entered), '2025-02-01')).toEqual([['NO_STAKEHOLDER_INPUT', '2025-01-10']]);
    expect(codes(ws({ ...entered, lastInputOn: '2024-12-01' }), '2025-02-01')).toEqual([['NO_STAKEHOLDER_INPUT', '2025-01-10']]);
    expect(codes(ws({ ...entered, lastInputOn: '2025-01-15', inputAwaitingSince: '2025-01-15' }), '2025-02-01')).toEqual([['INPUT_NOT_ANSWERED', '2025-01-15']]);
    expect(codes(ws({ ...entered, lastInputOn: '2025-01-15', lastRevisionOn: '2025-01-20' }), '2025-02-01')).toEqual([['NEXT_STEP_NOT_DECIDED', '2025-01-20']]);
  });

  it('formal study: not started; and its data-sharing agreement expiring, expired or ended', () => {
    const study = { studyId: 'st', approvedOn: '2025-01-10', dsaIds: ['dsa'] };
    const approved = ws({ phase: 'formal_study', enteredAt: at('2025-01-10'), openStudies: [study] });
    const dsas = { dsa: { expiresOn: '2025-06-30' } };
    expect(codes(approved, '2025-02-01', { dsas })).toEqual([['STUDY_NOT_STARTED', '2025-01-10']]);
    const running = ws({ ...approved, openStudies: [{ ...study, startedOn: '2025-02-01' }] });
    expect(codes(running, '2025-03-31', { dsas })).toEqual([]); // 91 days ahead
    expect(codes(running, '2025-04-01', { dsas })).toEqual([['DSA_EXPIRING', '2025-04-01']]); // 90 days ahead
    expect(codes(running, '2025-06-30', { dsas })).toEqual([['DSA_EXPIRING', '2025-04-01']]);
    expect(codes(running, '2025-07-01', { dsas })).toEqual([['DSA_EXPIRED', '2025-06-30']]);
    expect(codes(running, '2025-07-01', { dsas: { dsa: { expiresOn: '2025-06-30', endedOn: '2025-05-01' } } })).toEqual([['DSA_ENDED', '2025-05-01']]);
  });

  it('joint interpretation: the earliest findings not yet interpreted', () => {
    const w = ws({ phase: 'joint_interpretation', pendingFindings: [{ findingsId: 'f2', sharedOn: '2025-02-01' }, { findingsId: 'f1', sharedOn: '2025-01-20' }] });
    expect(codes(w, '2025-03-01')).toEqual([['FINDINGS_NOT_INTERPRETED', '2025-01-20']]);
    expect(codes(ws({ phase: 'joint_interpretation' }), '2025-03-01')).toEqual([]);
  });

  it('use and dissemination: no use since interpretation, then not concluded', () => {
    const entered = { phase: 'use_dissemination' as const, enteredAt: at('2025-01-10') };
    expect(codes(ws({ ...entered, awaitingUseSince: '2025-01-10' }), '2025-03-01')).toEqual([['NO_USE_OR_DISSEMINATION', '2025-01-10']]);
    expect(codes(ws({ ...entered, lastUseOn: '2025-02-01' }), '2025-03-01')).toEqual([['NOT_CONCLUDED', '2025-02-01']]);
  });

  it('lists the pause first, then what else blocks the workstream', () => {
    expect(codes(ws(), '2025-04-01', { partnershipStatus: 'paused', pausedSince: '2025-03-01' })).toEqual([
      ['PARTNERSHIP_PAUSED', '2025-03-01'],
      ['NO_PROBLEM_DEFINED', '2025-01-01'],
    ]);
  });
});
