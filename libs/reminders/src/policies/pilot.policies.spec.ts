/** Pilot policies: R-06 (pilot approved, not started) and R-07 (pilot running). */
import { defaultReminderSettings } from '../reminder-settings';
import { checkReminder, frozenReminders } from '../reminder.schedule';
import { ORG, WS, approvePilot, at, midnight, pause, resume, scenario, settingsWith, workstreamInCoDesign } from '../testing/reminder-scenario';

const settings = defaultReminderSettings();
const APPROVED_AT = at('2024-03-10');
const approved = (plannedStart = '2024-04-01', plannedEnd = '2024-06-01') =>
  approvePilot(workstreamInCoDesign(scenario(), '2024-03-01'), '2024-03-10', plannedStart, plannedEnd);
const start = (s: ReturnType<typeof approved>, on: string) =>
  s.run(on, 'StartPilot', { workstreamId: WS, pilotId: 'pilot-1', startedOn: on.slice(0, 10), siteOrganizationIds: [ORG.schoolA] });
const concludeWith = (s: ReturnType<typeof approved>, on: string, outcome: 'completed' | 'halted') =>
  s.run(on, 'ConcludePilot', { workstreamId: WS, pilotId: 'pilot-1', endedOn: on.slice(0, 10), outcome });

describe('R-06 pilot approved, not started', () => {
  const ref = { policy: 'R-06', subject: 'pilot/pilot-1/s006-1', escalation: 0 } as const;

  it('starts when a pilot is approved, due 30 days after its planned start, to the practice-side leads', () => {
    expect(approved().pending('R-06', '2024-03-11')).toEqual([
      {
        policy: 'R-06',
        partnershipId: 'rpp-1',
        workstreamId: WS,
        subject: ref.subject,
        about: { kind: 'pilot', id: 'pilot-1' },
        escalation: 0,
        dueAt: midnight('2024-04-01', 30),
        recipientRoles: ['practice_side_leads'],
        startedAt: APPROVED_AT,
      },
    ]);
    expect(checkReminder(approved().state(), settings, ref, midnight('2024-04-01', 30)).due).toBe(true);
    expect(checkReminder(approved().state(), settings, ref, midnight('2024-04-01', 29)).due).toBe(false);
  });

  it('is due at once when the planned start was long ago (a back-dated plan)', () => {
    expect(approved('2024-01-01', '2024-02-01').pending('R-06', '2024-03-11')[0]?.dueAt).toBe(APPROVED_AT);
  });

  it('scales the time from approval to the due time, and takes configured days', () => {
    const nominal = Date.parse(midnight('2024-04-01', 10));
    const approvedMs = Date.parse(APPROVED_AT);
    expect(approved().pending('R-06', '2024-03-11', settingsWith({ 'R-06': [10] }, 0.5))[0]?.dueAt).toBe(
      new Date(approvedMs + (nominal - approvedMs) * 0.5).toISOString(),
    );
  });

  it('is satisfied when the pilot starts', () => {
    const s = start(approved(), '2024-04-02');
    expect(s.pending('R-06', '2024-04-03')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, midnight('2024-04-01', 30))).toEqual({ due: false, reason: 'closed' });
  });

  it('is satisfied when the pilot is halted before it starts (and no R-07 follows)', () => {
    const s = concludeWith(approved(), '2024-03-20', 'halted');
    expect(s.pending('R-06', '2024-05-01')).toEqual([]);
    expect(s.pending('R-07', '2024-05-01')).toEqual([]);
  });

  it('freezes while paused and resumes with the remaining time', () => {
    const s = pause(approved(), '2024-03-20');
    expect(frozenReminders(s.state(), settings)).toEqual([expect.objectContaining({ policy: 'R-06', subject: ref.subject })]);
    resume(s, '2024-03-30');
    expect(s.pending('R-06', '2024-03-31')[0]?.dueAt).toBe(midnight('2024-04-01', 40));
  });
});

describe('R-07 pilot running', () => {
  const STARTED_AT = at('2024-04-01');
  const running = () => start(approved(), '2024-04-01');
  const subject = 'pilot/pilot-1/s007-1';

  it('starts when the pilot starts: at its planned end, and again 30 days later, to the workstream leads', () => {
    expect(running().pending('R-07', '2024-04-02')).toEqual([
      {
        policy: 'R-07',
        partnershipId: 'rpp-1',
        workstreamId: WS,
        subject,
        about: { kind: 'pilot', id: 'pilot-1' },
        escalation: 0,
        dueAt: midnight('2024-06-01'),
        recipientRoles: ['workstream_leads'],
        startedAt: STARTED_AT,
      },
      expect.objectContaining({ subject, escalation: 1, dueAt: midnight('2024-06-01', 30), recipientRoles: ['workstream_leads'] }),
    ]);
  });

  it('escalates: the second step supersedes the first once it is due too', () => {
    const s = running();
    const first = { policy: 'R-07', subject, escalation: 0 } as const;
    expect(checkReminder(s.state(), settings, first, midnight('2024-06-01')).due).toBe(true);
    s.issue(s.pending('R-07', '2024-06-01')[0]!, '2024-06-01');
    expect(checkReminder(s.state(), settings, first, midnight('2024-06-02'))).toEqual({ due: false, reason: 'already_issued' });
    expect(s.pending('R-07', '2024-06-02').map((r) => r.escalation)).toEqual([1]);
    const late = running();
    expect(checkReminder(late.state(), settings, first, midnight('2024-07-02'))).toEqual({ due: false, reason: 'superseded' });
    expect(checkReminder(late.state(), settings, { ...first, escalation: 1 }, midnight('2024-07-02')).due).toBe(true);
  });

  it('scales and takes configured days', () => {
    const pending = running().pending('R-07', '2024-04-02', settingsWith({ 'R-07': [7, 0] }, 0.5));
    const startedMs = Date.parse(STARTED_AT);
    const scaled = (iso: string) => new Date(startedMs + (Date.parse(iso) - startedMs) * 0.5).toISOString();
    expect(pending.map((r) => [r.escalation, r.dueAt])).toEqual([
      [0, scaled(midnight('2024-06-01'))],
      [1, scaled(midnight('2024-06-01', 7))],
    ]);
  });

  it('is satisfied when the pilot is concluded', () => {
    const s = concludeWith(running(), '2024-05-20', 'completed');
    expect(s.pending('R-07', '2024-06-02')).toEqual([]);
    expect(checkReminder(s.state(), settings, { policy: 'R-07', subject, escalation: 0 }, midnight('2024-06-01'))).toEqual({
      due: false,
      reason: 'closed',
    });
  });

  it('freezes while paused: both steps move by the paused time', () => {
    const s = resume(pause(running(), '2024-05-01'), '2024-05-15');
    expect(s.pending('R-07', '2024-05-16').map((r) => r.dueAt)).toEqual([midnight('2024-06-15'), midnight('2024-06-01', 44)]);
    expect(checkReminder(s.state(), settings, { policy: 'R-07', subject, escalation: 0 }, midnight('2024-06-01'))).toEqual({
      due: false,
      reason: 'not_yet',
      dueAt: midnight('2024-06-15'),
    });
  });
});
