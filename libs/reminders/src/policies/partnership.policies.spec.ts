/**
 * Partnership-level policies: R-01 (exploring, not formalized), R-15 (departure without successor),
 * R-17 (paused check-in), R-18 (agreement term ending).
 */
import { PartnershipFixtures } from '@trellis/domain';
import { defaultReminderSettings } from '../reminder-settings';
import { checkReminder, frozenReminders } from '../reminder.schedule';
import { ORG, P, at, midnight, pause, plus, resume, scenario, settingsWith, DAY } from '../testing/reminder-scenario';

const settings = defaultReminderSettings();
const PROPOSED_AT = '2024-01-01T09:00:00.000Z'; // the fixture history's first event, h-001
const FORMALIZED_AT = '2024-01-19T09:00:00.000Z'; // h-019
const TERM_END = '2027-06-30';

describe('R-01 exploring, not formalized', () => {
  const exploring = () => scenario(PartnershipFixtures.exploringPartnership().events);
  const ref = { policy: 'R-01', subject: 'partnership/rpp-1/h-001', escalation: 0 } as const;

  it('starts when the partnership is proposed, due 90 days later, to the initiator and the co-leads', () => {
    expect(exploring().pending('R-01', '2024-02-01')).toEqual([
      {
        policy: 'R-01',
        partnershipId: 'rpp-1',
        subject: 'partnership/rpp-1/h-001',
        about: { kind: 'partnership', id: 'rpp-1' },
        escalation: 0,
        dueAt: plus(PROPOSED_AT, 90),
        recipientRoles: ['initiator', 'co_leads'],
        startedAt: PROPOSED_AT,
      },
    ]);
  });

  it('scales the duration by the time scale (90 days in 90 seconds)', () => {
    const [r] = exploring().pending('R-01', PROPOSED_AT, settingsWith({}, 1 / 86400));
    expect(r?.dueAt).toBe(new Date(Date.parse(PROPOSED_AT) + 90_000).toISOString());
  });

  it('takes a configured duration', () => {
    expect(exploring().pending('R-01', '2024-02-01', settingsWith({ 'R-01': [30] }))[0]?.dueAt).toBe(plus(PROPOSED_AT, 30));
  });

  it('is due at fire time only once its time has come, and has a single step', () => {
    const state = exploring().state();
    expect(checkReminder(state, settings, ref, plus(PROPOSED_AT, 89))).toEqual({ due: false, reason: 'not_yet', dueAt: plus(PROPOSED_AT, 90) });
    expect(checkReminder(state, settings, ref, plus(PROPOSED_AT, 90))).toMatchObject({ due: true, reminder: { subject: ref.subject } });
    expect(checkReminder(state, settings, { ...ref, escalation: 1 }, plus(PROPOSED_AT, 200))).toEqual({ due: false, reason: 'no_such_step' });
  });

  it('is satisfied by PartnershipFormalized: nothing pending, and the fired job finds it no longer due', () => {
    const s = exploring().run('2024-02-01', 'FormalizePartnership', {
      agreementRef: 'MOU-9',
      partyOrganizationIds: [ORG.district, ORG.research],
      coLeadParticipantIds: [P.researcher, P.practitioner],
      effectiveFrom: '2024-02-01',
    });
    expect(s.pending('R-01', '2024-05-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(PROPOSED_AT, 90))).toEqual({ due: false, reason: 'closed' });
  });

  it('is cancelled when the partnership is abandoned', () => {
    const s = exploring().run('2024-02-01', 'AbandonPartnership', { reason: 'no funding' });
    expect(s.pending('R-01', '2024-05-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, '2024-05-01T00:00:00.000Z')).toEqual({ due: false, reason: 'closed' });
  });

  it('is not issued twice: a ReminderIssued settles it', () => {
    const s = exploring();
    const [r] = s.pending('R-01', '2024-04-01');
    s.issue(r!);
    expect(s.pending('R-01', '2024-05-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, '2024-05-01T00:00:00.000Z')).toEqual({ due: false, reason: 'already_issued' });
  });

  it('cannot be frozen: an exploring partnership cannot be paused (the decider refuses), so its clock always runs', () => {
    expect(exploring().refuses('2024-02-01', 'ChangePartnershipStatus', { status: 'paused', reason: 'x' })).toBe('ILLEGAL_STATUS_TRANSITION');
  });
});

describe('R-15 departure without successor', () => {
  const departed = () => scenario().run('2024-03-01', 'DepartParticipant', { participantId: P.teacher, reason: 'moved away' });
  const DEPARTED_AT = at('2024-03-01');

  it('starts when a participant departs naming no successor, due 30 days later, to their organization’s members and the co-leads', () => {
    const s = departed();
    expect(s.pending('R-15', '2024-03-02')).toEqual([
      {
        policy: 'R-15',
        partnershipId: 'rpp-1',
        subject: `participant/${P.teacher}/s001-1`,
        about: { kind: 'participant', id: P.teacher },
        organizationIds: [ORG.schoolA],
        escalation: 0,
        dueAt: plus(DEPARTED_AT, 30),
        recipientRoles: ['organization_members', 'co_leads'],
        startedAt: DEPARTED_AT,
      },
    ]);
  });

  it('does not start when the departure names a successor', () => {
    const s = scenario().run('2024-03-01', 'DepartParticipant', { participantId: P.teacher, reason: 'promoted', successorParticipantId: P.practitioner });
    expect(s.pending('R-15', '2024-03-02')).toEqual([]);
  });

  it('scales (30 days at 1/1440: 30 minutes)', () => {
    expect(departed().pending('R-15', '2024-03-02', settingsWith({}, 1 / 1440))[0]?.dueAt).toBe(plus(DEPARTED_AT, 30 / 1440));
  });

  it('is satisfied when someone joins the same organization; a join elsewhere does not count', () => {
    const s = departed().run('2024-03-05', 'JoinParticipant', { participantId: 'p-other', organizationId: ORG.district, roles: ['practitioner'] });
    expect(s.pending('R-15', '2024-03-06')).toHaveLength(1);
    const ref = { policy: 'R-15', subject: `participant/${P.teacher}/s001-1`, escalation: 0 } as const;
    expect(checkReminder(s.state(), settings, ref, plus(DEPARTED_AT, 30)).due).toBe(true);
    s.run('2024-03-10', 'JoinParticipant', { participantId: 'p-new-teacher', organizationId: ORG.schoolA, roles: ['practitioner'] });
    expect(s.pending('R-15', '2024-03-11')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(DEPARTED_AT, 30))).toEqual({ due: false, reason: 'closed' });
  });

  it('is cancelled when the organization withdraws', () => {
    const s = departed().run('2024-03-10', 'WithdrawOrganization', { organizationId: ORG.schoolA, reason: 'left the district' });
    expect(s.pending('R-15', '2024-03-11')).toEqual([]);
  });

  it('freezes while the partnership is paused and resumes with the remaining time', () => {
    const s = pause(departed(), '2024-03-11');
    const ref = { policy: 'R-15', subject: `participant/${P.teacher}/s001-1`, escalation: 0 } as const;
    expect(s.pending('R-15', '2024-04-15')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(DEPARTED_AT, 30))).toEqual({ due: false, reason: 'paused' });
    expect(frozenReminders(s.state(), settings)).toEqual([
      { policy: 'R-15', subject: ref.subject, escalation: 0, remainingMs: 20 * DAY, pausedSince: at('2024-03-11') },
    ]);
    resume(s, '2024-04-10'); // 30 days paused
    expect(s.pending('R-15', '2024-04-11')[0]?.dueAt).toBe(plus(DEPARTED_AT, 60));
    expect(checkReminder(s.state(), settings, ref, plus(DEPARTED_AT, 30))).toEqual({ due: false, reason: 'not_yet', dueAt: plus(DEPARTED_AT, 60) });
    expect(checkReminder(s.state(), settings, ref, plus(DEPARTED_AT, 60)).due).toBe(true);
  });
});

describe('R-17 partnership paused', () => {
  const PAUSED_AT = at('2024-03-01');
  const paused = () => pause(scenario(), '2024-03-01');
  const subject = `partnership/rpp-1/s001-1`;

  it('starts when the partnership is paused: a check-in every 90 days, to the co-leads', () => {
    expect(paused().pending('R-17', '2024-03-02')).toEqual([
      {
        policy: 'R-17',
        partnershipId: 'rpp-1',
        subject,
        about: { kind: 'partnership', id: 'rpp-1' },
        escalation: 0,
        dueAt: plus(PAUSED_AT, 90),
        recipientRoles: ['co_leads'],
        startedAt: PAUSED_AT,
      },
    ]);
  });

  it('escalates with each further period: the latest check-in due and the next one', () => {
    const s = paused();
    expect(s.pending('R-17', plus(PAUSED_AT, 200)).map((r) => [r.escalation, r.dueAt])).toEqual([
      [1, plus(PAUSED_AT, 180)],
      [2, plus(PAUSED_AT, 270)],
    ]);
    expect(checkReminder(s.state(), settings, { policy: 'R-17', subject, escalation: 0 }, plus(PAUSED_AT, 200))).toEqual({ due: false, reason: 'superseded' });
    expect(checkReminder(s.state(), settings, { policy: 'R-17', subject, escalation: 2 }, plus(PAUSED_AT, 200))).toEqual({
      due: false,
      reason: 'not_yet',
      dueAt: plus(PAUSED_AT, 270),
    });
    expect(checkReminder(s.state(), settings, { policy: 'R-17', subject, escalation: 5 }, plus(PAUSED_AT, 200))).toEqual({
      due: false,
      reason: 'not_yet',
      dueAt: plus(PAUSED_AT, 540),
    });
    s.issue(s.pending('R-17', plus(PAUSED_AT, 200))[0]!);
    expect(s.pending('R-17', plus(PAUSED_AT, 200)).map((r) => r.escalation)).toEqual([2]);
  });

  it('scales the interval', () => {
    expect(paused().pending('R-17', PAUSED_AT, settingsWith({ 'R-17': [30] }, 1 / 86400))[0]?.dueAt).toBe(
      new Date(Date.parse(PAUSED_AT) + 30_000).toISOString(),
    );
  });

  it('runs on calendar time while paused (it is the pause’s own clock) and is satisfied by resuming', () => {
    const s = paused();
    const ref = { policy: 'R-17', subject, escalation: 0 } as const;
    expect(checkReminder(s.state(), settings, ref, plus(PAUSED_AT, 90)).due).toBe(true);
    resume(s, '2024-04-01');
    expect(s.pending('R-17', '2024-09-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(PAUSED_AT, 90))).toEqual({ due: false, reason: 'closed' });
  });

  it('starts afresh, with a new subject, on the next pause', () => {
    const s = pause(resume(paused(), '2024-04-01'), '2024-05-01');
    expect(s.pending('R-17', '2024-05-02')).toEqual([
      expect.objectContaining({ subject: 'partnership/rpp-1/s003-1', escalation: 0, dueAt: plus(at('2024-05-01'), 90) }),
    ]);
  });
});

describe('R-18 agreement term ending', () => {
  const subject = 'agreement/MOU-2024-01/h-019';

  it('starts when the partnership is formalized with a term end: 120 and 30 days before it, to the co-leads', () => {
    expect(scenario().pending('R-18', '2024-02-01')).toEqual([
      {
        policy: 'R-18',
        partnershipId: 'rpp-1',
        subject,
        about: { kind: 'agreement', id: 'MOU-2024-01' },
        escalation: 0,
        dueAt: midnight(TERM_END, -120),
        recipientRoles: ['co_leads'],
        startedAt: FORMALIZED_AT,
      },
      expect.objectContaining({ subject, escalation: 1, dueAt: midnight(TERM_END, -30) }),
    ]);
  });

  it('does not start for an agreement without a term end', () => {
    const s = scenario(PartnershipFixtures.exploringPartnership().formalized({ termEnd: undefined }).events);
    expect(s.pending('R-18', '2024-02-01')).toEqual([]);
  });

  it('issues the escalation once both steps are due, superseding the first', () => {
    const s = scenario();
    const state = s.state();
    const first = { policy: 'R-18', subject, escalation: 0 } as const;
    expect(checkReminder(state, settings, first, midnight(TERM_END, -120)).due).toBe(true);
    expect(checkReminder(state, settings, first, midnight(TERM_END, -30))).toEqual({ due: false, reason: 'superseded' });
    expect(s.pending('R-18', midnight(TERM_END, -30)).map((r) => r.escalation)).toEqual([1]);
  });

  it('scales the time from formalization to each due time', () => {
    const [first] = scenario().pending('R-18', '2024-02-01', settingsWith({}, 0.5));
    const nominal = Date.parse(midnight(TERM_END, -120));
    expect(first?.dueAt).toBe(new Date(Date.parse(FORMALIZED_AT) + (nominal - Date.parse(FORMALIZED_AT)) * 0.5).toISOString());
  });

  it('takes configured days', () => {
    expect(scenario().pending('R-18', '2024-02-01', settingsWith({ 'R-18': [60] })).map((r) => r.dueAt)).toEqual([midnight(TERM_END, -60)]);
  });

  it('restarts for the new term when an amendment sets a new term end; the old steps are no longer due', () => {
    const s = scenario().run('2024-03-01', 'AmendAgreement', { agreementRef: 'MOU-2024-01', amendmentKind: 'renewal', newTermEnd: '2029-06-30' });
    expect(s.pending('R-18', '2024-03-02')).toEqual([
      expect.objectContaining({ subject: 'agreement/MOU-2024-01/s001-1', escalation: 0, dueAt: midnight('2029-06-30', -120) }),
      expect.objectContaining({ subject: 'agreement/MOU-2024-01/s001-1', escalation: 1, dueAt: midnight('2029-06-30', -30) }),
    ]);
    expect(checkReminder(s.state(), settings, { policy: 'R-18', subject, escalation: 0 }, midnight(TERM_END, -120))).toEqual({
      due: false,
      reason: 'closed',
    });
  });

  it('is not moved by an amendment without a new term end', () => {
    const s = scenario().run('2024-03-01', 'AmendAgreement', { agreementRef: 'MOU-2024-01', amendmentKind: 'scope' });
    expect(s.pending('R-18', '2024-03-02').map((r) => r.subject)).toEqual([subject, subject]);
  });

  it('is not frozen by a pause: the term ends on its date (and is issued while paused)', () => {
    const s = resume(pause(scenario(), '2024-03-01'), '2024-06-01');
    expect(s.pending('R-18', '2024-07-01').map((r) => r.dueAt)).toEqual([midnight(TERM_END, -120), midnight(TERM_END, -30)]);
    const paused = pause(scenario(), '2027-02-01');
    expect(checkReminder(paused.state(), settings, { policy: 'R-18', subject, escalation: 0 }, midnight(TERM_END, -120)).due).toBe(true);
  });

  it('is cancelled when the partnership closes', () => {
    const s = scenario().run('2024-03-01', 'ChangePartnershipStatus', { status: 'transitioning', reason: 'wind down' });
    s.run('2024-03-02', 'ClosePartnership', { closureKind: 'goals_met' });
    expect(s.pending('R-18', '2024-04-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, { policy: 'R-18', subject, escalation: 0 }, midnight(TERM_END, -120))).toEqual({
      due: false,
      reason: 'closed',
    });
  });
});
