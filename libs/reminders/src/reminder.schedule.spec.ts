/**
 * The reminder state and schedule as a whole: pause arithmetic, determinism, totality, cancellation
 * by closure and concluded workstreams, disabled policies, job ids and the `ReminderIssued` data.
 */
import { PARTNERSHIP_EVENT_TYPES, PartnershipFixtures, type PartnershipEvent } from '@trellis/domain';
import { REMINDER_POLICIES, REMINDER_POLICY_IDS } from './reminder.policies';
import { defaultReminderSettings, type ReminderSettings } from './reminder-settings';
import { checkReminder, dueAfterPauses, pendingReminders, reminderJobId, toReminderIssued } from './reminder.schedule';
import { evolveReminderState, foldReminderState, initialReminderState } from './reminder.state';
import { DAY, ORG, WS, approvePilot, at, pause, plus, resume, scenario, workstreamInCoDesign } from './testing/reminder-scenario';

const settings = defaultReminderSettings();
const T0 = Date.parse('2024-01-01T00:00:00.000Z');
const iso = (days: number) => new Date(T0 + days * DAY).toISOString();

describe('the policy table', () => {
  it('holds exactly the policies of DOMAIN.md’s table', () => {
    expect(REMINDER_POLICY_IDS).toEqual(['R-01', 'R-03', 'R-04', 'R-05', 'R-06', 'R-07', 'R-08', 'R-10', 'R-11', 'R-12', 'R-13', 'R-14', 'R-15', 'R-17', 'R-18']);
    expect(Object.keys(REMINDER_POLICIES)).toEqual([...REMINDER_POLICY_IDS]);
  });

  it('names only real partnership events as starting, satisfying or cancelling a clock', () => {
    for (const policy of Object.values(REMINDER_POLICIES)) {
      for (const type of [...policy.startedBy, ...policy.satisfiedBy, ...policy.cancelledBy]) expect(PARTNERSHIP_EVENT_TYPES).toContain(type);
      expect(policy.startedBy.length).toBeGreaterThan(0);
      expect(policy.recipientRoles.length).toBeGreaterThan(0);
      expect(policy.multiStep || policy.defaultDays.length === 1).toBe(true);
    }
  });
});

describe('clocks and pauses (dueAfterPauses)', () => {
  it('is start + offset without pauses', () => {
    expect(dueAfterPauses(T0, 10 * DAY, [], undefined)).toEqual({ frozen: false, dueMs: T0 + 10 * DAY });
  });

  it('ignores pauses that ended before the start or began after the due time', () => {
    const pauses = [
      { from: iso(-20), to: iso(-10) },
      { from: iso(12), to: iso(30) },
    ];
    expect(dueAfterPauses(T0, 10 * DAY, pauses, undefined)).toEqual({ frozen: false, dueMs: T0 + 10 * DAY });
  });

  it('adds the paused time of every pause in between, counting only the part after the start', () => {
    const pauses = [
      { from: iso(-5), to: iso(2) }, // 2 days after the start count
      { from: iso(4), to: iso(7) }, // 3 days
    ];
    expect(dueAfterPauses(T0, 10 * DAY, pauses, undefined)).toEqual({ frozen: false, dueMs: T0 + 15 * DAY });
  });

  it('sorts pauses recorded out of order (back-dated)', () => {
    const pauses = [
      { from: iso(4), to: iso(7) },
      { from: iso(1), to: iso(2) },
    ];
    expect(dueAfterPauses(T0, 10 * DAY, pauses, undefined)).toEqual({ frozen: false, dueMs: T0 + 14 * DAY });
  });

  it('is frozen while paused, with the time left; a clock started during the pause keeps all of it', () => {
    expect(dueAfterPauses(T0, 10 * DAY, [], iso(4))).toEqual({ frozen: true, remainingMs: 6 * DAY });
    expect(dueAfterPauses(T0, 10 * DAY, [], iso(-3))).toEqual({ frozen: true, remainingMs: 10 * DAY });
    expect(dueAfterPauses(T0, 10 * DAY, [], iso(11))).toEqual({ frozen: false, dueMs: T0 + 10 * DAY });
  });

  it('suppresses a step that fell due before the pause until the partnership resumes, then it is due at once', () => {
    const s = workstreamInCoDesign(scenario(), '2024-03-01');
    const ref = { policy: 'R-05', subject: 'tool/tool-1/s005-1', escalation: 0 } as const;
    pause(s, plus(at('2024-03-05'), 61)); // the 60-day step fell due a day before
    expect(s.pending('R-05', plus(at('2024-03-05'), 62))).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(at('2024-03-05'), 62))).toEqual({ due: false, reason: 'paused' });
    resume(s, plus(at('2024-03-05'), 90));
    expect(s.pending('R-05', plus(at('2024-03-05'), 90))).toEqual([expect.objectContaining({ dueAt: plus(at('2024-03-05'), 60) })]);
  });
});

describe('the reminder state', () => {
  const history = () => approvePilot(workstreamInCoDesign(scenario(), '2024-03-01'), '2024-03-10', '2024-04-01', '2024-06-01');

  it('is deterministic and plain JSON (it survives a round trip unchanged)', () => {
    const s = history();
    const state = s.state();
    expect(foldReminderState(s.events)).toEqual(state);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('never mutates the state it evolves', () => {
    const s = history();
    const before = foldReminderState(s.events.slice(0, -1));
    const snapshot = JSON.stringify(before);
    evolveReminderState(before, s.events.at(-1)!);
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it('folds arbitrary event orders without throwing: events before the proposal, unknown ids, missing data', () => {
    const events = [
      { type: 'ToolCoDeveloped', data: { workstreamId: 'w', toolId: 't' }, metadata: { eventId: 'x1', occurredAt: iso(0), recordedAt: iso(0) } },
      ...PartnershipFixtures.formalizedPartnership().events,
      { type: 'PilotStarted', data: { workstreamId: 'nope', pilotId: 'nope', startedOn: '2024-02-01', siteOrganizationIds: [] }, metadata: { eventId: 'x2', occurredAt: iso(40), recordedAt: iso(40) } },
      { type: 'DataSharingAgreementEnded', data: { dsaId: 'unknown', endKind: 'expired', endedOn: '2024-02-01', destructionDueBy: '2024-03-01' }, metadata: { eventId: 'x3', occurredAt: iso(41), recordedAt: iso(41) } },
      { type: 'ResearchAgendaAgreed', data: null, metadata: { eventId: 'x4', occurredAt: iso(42), recordedAt: iso(42) } },
    ] as unknown as PartnershipEvent[];
    const state = foldReminderState(events);
    expect(Object.values(state.clocks).map((c) => c.policy).sort()).toEqual(['R-14', 'R-18']);
  });

  it('opens no clock for an event without a time (a decided, unrecorded event) but still closes with one', () => {
    const s = workstreamInCoDesign(scenario(), '2024-03-01');
    const unrecorded = { type: 'ToolCoDeveloped', data: { workstreamId: WS, toolId: 'tool-x', name: 'x', purpose: 'y', coDesignerParticipantIds: [], version: 1 } } as PartnershipEvent;
    expect(Object.keys(evolveReminderState(s.state(), unrecorded).clocks)).not.toContain('R-05 tool/tool-x');
    const closing = { type: 'PilotApproved', data: { workstreamId: WS, pilotId: 'p', toolId: 'tool-1', toolVersion: 1, siteOrganizationIds: [], approvals: [], consentBasis: 'irb_waiver', plannedStart: '2024-04-01', plannedEnd: '2024-05-01' } } as PartnershipEvent;
    expect(Object.keys(evolveReminderState(s.state(), closing).clocks)).not.toContain('R-05 tool/tool-1');
  });

  it('keeps ids such as __proto__ as plain keys', () => {
    const s = workstreamInCoDesign(scenario(), '2024-03-01', '__proto__', 'constructor');
    expect(s.pending('R-05', '2024-03-06')).toEqual([expect.objectContaining({ subject: 'tool/constructor/s005-1', workstreamId: '__proto__' })]);
    expect(Object.getPrototypeOf(s.state().clocks)).toBe(Object.prototype);
  });

  it('ignores a ReminderIssued for a subject whose clock has restarted since', () => {
    const s = resume(pause(scenario(), '2024-03-01'), '2024-04-01');
    pause(s, '2024-05-01');
    const stale = { type: 'ReminderIssued', data: { policy: 'R-17', partnershipId: 'rpp-1', subject: 'partnership/rpp-1/s001-1', dueAt: iso(0), escalation: 0, recipientRoles: ['co_leads'] } } as const;
    const state = evolveReminderState(s.state(), stale);
    expect(state).toEqual(s.state());
    expect(pendingReminders(state, settings, at('2024-05-02')).filter((r) => r.policy === 'R-17')).toHaveLength(1);
  });

  it('starts from nothing', () => {
    expect(initialReminderState()).toEqual({ status: 'none', pauses: [], clocks: {}, pilots: {}, studies: {}, dsas: {}, dataReceived: {}, disseminated: {} });
    expect(pendingReminders(initialReminderState(), settings, iso(0))).toEqual([]);
  });
});

describe('cancellation', () => {
  it('ends every clock of a workstream when it concludes, and none of another', () => {
    const s = approvePilot(workstreamInCoDesign(scenario(), '2024-03-01'), '2024-03-10', '2024-04-01', '2024-06-01');
    workstreamInCoDesign(s, '2024-03-11', 'ws-b', 'tool-b');
    s.run('2024-03-20', 'TransitionPhase', { workstreamId: WS, toPhase: 'concluded', reason: 'merged into ws-b' });
    const pending = pendingReminders(s.state(), settings, at('2024-03-21'));
    expect(pending.filter((r) => r.workstreamId === WS)).toEqual([]);
    expect(pending.filter((r) => r.workstreamId === 'ws-b').map((r) => r.policy)).toEqual(['R-05']);
    expect(pending.map((r) => r.policy)).toContain('R-18');
  });

  it('ends every clock but disposal when the partnership closes', () => {
    const s = scenario();
    s.run('2024-03-01', 'ChangePartnershipStatus', { status: 'transitioning', reason: 'wind down' }).run('2024-03-02', 'ClosePartnership', { closureKind: 'goals_met' });
    expect(pendingReminders(s.state(), settings, at('2024-03-03'))).toEqual([]);
    expect(s.state().status).toBe('closed');
  });
});

describe('settings applied', () => {
  it('leaves a disabled policy out of the pending set, and a fired job finds it disabled', () => {
    const s = workstreamInCoDesign(scenario(), '2024-03-01');
    const disabled: ReminderSettings = { ...settings, policies: { ...settings.policies, 'R-05': { enabled: false, days: [60] } } };
    expect(pendingReminders(s.state(), disabled, at('2024-03-06')).map((r) => r.policy)).not.toContain('R-05');
    expect(checkReminder(s.state(), disabled, { policy: 'R-05', subject: 'tool/tool-1/s005-1', escalation: 0 }, at('2024-06-01'))).toEqual({
      due: false,
      reason: 'policy_disabled',
    });
  });

  it('refuses an invalid "now"', () => {
    expect(() => pendingReminders(initialReminderState(), settings, 'yesterday')).toThrow(TypeError);
  });
});

describe('a whole seed history (the tool path)', () => {
  it('leaves only the reminders whose conditions still hold, in a deterministic order', () => {
    const { events } = PartnershipFixtures.runCommands(PartnershipFixtures.seedToolPath());
    const state = foldReminderState(events);
    const pending = pendingReminders(state, settings, '2025-08-02T00:00:00.000Z');
    // Findings interpreted and used, pilot concluded, input answered by a revision. What remains: the
    // practice partner never reviewed the findings (from DSA data), the DSA expires, the term ends.
    expect([...new Set(pending.map((r) => r.policy))]).toEqual(['R-12', 'R-13', 'R-18']);
    expect(pending.find((r) => r.policy === 'R-12')).toMatchObject({ about: { id: 'findings-routines' }, dueAt: '2025-07-10T10:00:00.000Z' });
    expect(pending.find((r) => r.policy === 'R-13')).toMatchObject({ about: { kind: 'dsa', id: PartnershipFixtures.TOOL_PATH.dsaId } });
    expect(JSON.stringify(state).length).toBeLessThan(5_000);
  });
});

describe('job ids and the ReminderIssued data', () => {
  const reminder = {
    policy: 'R-07' as const,
    partnershipId: 'rpp-1',
    workstreamId: WS,
    subject: 'pilot/pilot-1/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    about: { kind: 'pilot' as const, id: 'pilot-1' },
    organizationIds: [ORG.schoolA],
    escalation: 1,
    dueAt: '2024-07-01T00:00:00.000Z',
    recipientRoles: ['workstream_leads' as const],
    startedAt: '2024-04-01T10:00:00.000Z',
  };

  it('gives one id per (partnership, policy, subject, step, due time), without the `:` BullMQ refuses', () => {
    const id = reminderJobId(reminder);
    expect(id).toBe(`rpp-1~R-07~${reminder.subject}~e1~${Date.parse(reminder.dueAt)}`);
    expect(id).not.toContain(':');
    expect(reminderJobId({ ...reminder })).toBe(id);
    expect(reminderJobId({ ...reminder, dueAt: '2024-07-11T00:00:00.000Z' })).not.toBe(id);
    expect(reminderJobId({ ...reminder, escalation: 0 })).not.toBe(id);
  });

  it('issues { policy, partnershipId, workstreamId?, subject, dueAt, escalation, recipientRoles }', () => {
    expect(toReminderIssued(reminder)).toEqual({
      policy: 'R-07',
      partnershipId: 'rpp-1',
      workstreamId: WS,
      subject: reminder.subject,
      dueAt: reminder.dueAt,
      escalation: 1,
      recipientRoles: ['workstream_leads'],
    });
    const { workstreamId: _omit, ...withoutWorkstream } = reminder;
    expect(Object.keys(toReminderIssued(withoutWorkstream))).not.toContain('workstreamId');
  });
});
