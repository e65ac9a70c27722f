/**
 * Early workstream policies: R-03 (problem defined, no agreed agenda), R-04 (agenda agreed, no
 * evidence review or study), R-05 (tool created, no pilot approved), R-08 (input gathered, no
 * revision or decision).
 */
import { defaultReminderSettings } from '../reminder-settings';
import { checkReminder, frozenReminders } from '../reminder.schedule';
import {
  ORG,
  P,
  WS,
  agreeAgenda,
  approvePilot,
  at,
  coDevelopTool,
  defineProblem,
  openWorkstream,
  pause,
  plus,
  resume,
  reviewEvidence,
  scenario,
  settingsWith,
  workstreamInCoDesign,
  DAY,
  type ReminderScenario,
} from '../testing/reminder-scenario';

const settings = defaultReminderSettings();
const conclude = (s: ReminderScenario, on: string, workstreamId = WS) =>
  s.run(on, 'TransitionPhase', { workstreamId, toPhase: 'concluded', reason: 'stopped early' });

describe('R-03 problem defined, no agreed agenda', () => {
  const DEFINED_AT = at('2024-03-02');
  const defined = () => defineProblem(openWorkstream(scenario(), '2024-03-01'), '2024-03-02');
  const ref = { policy: 'R-03', subject: `workstream/${WS}/s002-1`, escalation: 0 } as const;

  it('starts when a problem of practice is defined, due 45 days later, to the workstream leads and brokers', () => {
    expect(defined().pending('R-03', '2024-03-03')).toEqual([
      {
        policy: 'R-03',
        partnershipId: 'rpp-1',
        workstreamId: WS,
        subject: ref.subject,
        about: { kind: 'workstream', id: WS },
        escalation: 0,
        dueAt: plus(DEFINED_AT, 45),
        recipientRoles: ['workstream_leads', 'brokers'],
        startedAt: DEFINED_AT,
      },
    ]);
  });

  it('does not start when a workstream is merely opened', () => {
    expect(openWorkstream(scenario(), '2024-03-01').pending('R-03', '2024-06-01')).toEqual([]);
  });

  it('keeps its first start when a second problem is defined in the workstream', () => {
    const s = defineProblem(defined(), '2024-03-20', 'prob-2');
    expect(s.pending('R-03', '2024-03-21').map((r) => [r.subject, r.dueAt])).toEqual([[ref.subject, plus(DEFINED_AT, 45)]]);
  });

  it('scales and takes configured days', () => {
    expect(defined().pending('R-03', '2024-03-03', settingsWith({ 'R-03': [10] }, 0.1))[0]?.dueAt).toBe(plus(DEFINED_AT, 1));
  });

  it('is satisfied by an agreed agenda; the fired job finds it no longer due', () => {
    const s = agreeAgenda(defined(), '2024-03-20');
    expect(s.pending('R-03', '2024-05-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(DEFINED_AT, 45))).toEqual({ due: false, reason: 'closed' });
  });

  it('starts again, with a new subject, for a problem defined after the agenda', () => {
    const s = defineProblem(agreeAgenda(defined(), '2024-03-20'), '2024-04-01', 'prob-2');
    expect(s.pending('R-03', '2024-04-02')).toEqual([expect.objectContaining({ subject: `workstream/${WS}/s004-1`, dueAt: plus(at('2024-04-01'), 45) })]);
  });

  it('is cancelled when the workstream concludes', () => {
    const s = conclude(defined(), '2024-03-10');
    expect(s.pending('R-03', '2024-06-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(DEFINED_AT, 45))).toEqual({ due: false, reason: 'closed' });
  });

  it('freezes while paused and resumes with the remaining time', () => {
    const s = pause(defined(), '2024-03-12');
    expect(s.pending('R-03', '2024-05-01')).toEqual([]);
    expect(frozenReminders(s.state(), settings)).toEqual([
      expect.objectContaining({ policy: 'R-03', subject: ref.subject, remainingMs: 35 * DAY }),
    ]);
    expect(checkReminder(s.state(), settings, ref, plus(DEFINED_AT, 45))).toEqual({ due: false, reason: 'paused' });
    resume(s, '2024-03-22');
    expect(s.pending('R-03', '2024-03-23')[0]?.dueAt).toBe(plus(DEFINED_AT, 55));
    expect(checkReminder(s.state(), settings, ref, plus(DEFINED_AT, 54)).due).toBe(false);
    expect(checkReminder(s.state(), settings, ref, plus(DEFINED_AT, 55)).due).toBe(true);
  });
});

describe('R-04 agenda agreed, no evidence review or study', () => {
  const AGREED_AT = at('2024-03-03');
  const agreed = () => agreeAgenda(defineProblem(openWorkstream(scenario(), '2024-03-01'), '2024-03-02'), '2024-03-03');
  const ref = { policy: 'R-04', subject: `workstream/${WS}/s003-1`, escalation: 0 } as const;

  it('starts when an agenda is agreed, due 60 days later, to the workstream leads', () => {
    expect(agreed().pending('R-04', '2024-03-04')).toEqual([
      {
        policy: 'R-04',
        partnershipId: 'rpp-1',
        workstreamId: WS,
        subject: ref.subject,
        about: { kind: 'workstream', id: WS },
        escalation: 0,
        dueAt: plus(AGREED_AT, 60),
        recipientRoles: ['workstream_leads'],
        startedAt: AGREED_AT,
      },
    ]);
    expect(checkReminder(agreed().state(), settings, ref, plus(AGREED_AT, 60)).due).toBe(true);
  });

  it('scales', () => {
    expect(agreed().pending('R-04', '2024-03-04', settingsWith({}, 1 / 24))[0]?.dueAt).toBe(plus(AGREED_AT, 60 / 24));
  });

  it('is satisfied by an evidence review', () => {
    const s = reviewEvidence(agreed(), '2024-03-10');
    expect(s.pending('R-04', '2024-06-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(AGREED_AT, 60))).toEqual({ due: false, reason: 'closed' });
  });

  it('is satisfied by a formal study approved straight from the evidence-review phase', () => {
    const s = agreed().run('2024-03-10', 'ApproveFormalStudy', {
      workstreamId: WS,
      studyId: 'study-1',
      questionIds: ['agenda-1-q1'],
      design: 'descriptive',
      siteOrganizationIds: [ORG.district],
      approvals: [{ organizationId: ORG.district, kind: 'district_research_office', ref: 'DRO-7' }],
      usesStudentRecords: false,
    });
    expect(s.pending('R-04', '2024-06-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(AGREED_AT, 60))).toEqual({ due: false, reason: 'closed' });
  });

  it('freezes while paused and resumes with the remaining time', () => {
    const s = resume(pause(agreed(), '2024-04-02'), '2024-04-09');
    expect(s.pending('R-04', '2024-04-10')[0]?.dueAt).toBe(plus(AGREED_AT, 67));
    expect(checkReminder(s.state(), settings, ref, plus(AGREED_AT, 60))).toEqual({ due: false, reason: 'not_yet', dueAt: plus(AGREED_AT, 67) });
  });
});

describe('R-05 tool created, no pilot approved', () => {
  const CREATED_AT = at('2024-03-05');
  const created = () => workstreamInCoDesign(scenario(), '2024-03-01');
  const ref = { policy: 'R-05', subject: 'tool/tool-1/s005-1', escalation: 0 } as const;

  it('starts when a tool is co-developed, due 60 days later, to the workstream leads', () => {
    expect(created().pending('R-05', '2024-03-06')).toEqual([
      {
        policy: 'R-05',
        partnershipId: 'rpp-1',
        workstreamId: WS,
        subject: ref.subject,
        about: { kind: 'tool', id: 'tool-1' },
        escalation: 0,
        dueAt: plus(CREATED_AT, 60),
        recipientRoles: ['workstream_leads'],
        startedAt: CREATED_AT,
      },
    ]);
  });

  it('has one clock per tool', () => {
    const s = coDevelopTool(created(), '2024-03-10', 'tool-2');
    expect(s.pending('R-05', '2024-03-11').map((r) => r.subject)).toEqual(['tool/tool-1/s005-1', 'tool/tool-2/s006-1']);
  });

  it('scales', () => {
    expect(created().pending('R-05', '2024-03-06', settingsWith({ 'R-05': [20] }, 0.5))[0]?.dueAt).toBe(plus(CREATED_AT, 10));
  });

  it('is satisfied by a pilot of that tool', () => {
    const s = approvePilot(coDevelopTool(created(), '2024-03-10', 'tool-2'), '2024-03-20', '2024-04-01', '2024-06-01');
    expect(s.pending('R-05', '2024-03-21').map((r) => r.about.id)).toEqual(['tool-2']);
    expect(checkReminder(s.state(), settings, ref, plus(CREATED_AT, 60))).toEqual({ due: false, reason: 'closed' });
  });

  it('freezes while paused and resumes with the remaining time', () => {
    const s = pause(created(), '2024-04-04'); // 30 days in
    expect(frozenReminders(s.state(), settings)).toEqual([expect.objectContaining({ policy: 'R-05', remainingMs: 30 * DAY })]);
    resume(s, '2024-05-04'); // 30 days later
    expect(s.pending('R-05', '2024-05-05')[0]?.dueAt).toBe(plus(CREATED_AT, 90));
  });
});

describe('R-08 input gathered, no revision or decision', () => {
  const INPUT_AT = at('2024-03-10');
  const gathered = () =>
    workstreamInCoDesign(scenario(), '2024-03-01').run('2024-03-10', 'RecordStakeholderInput', {
      workstreamId: WS,
      inputId: 'input-1',
      toolId: 'tool-1',
      method: 'focus_group',
      respondentCounts: { practitioner: 9, family_member: 6 },
    });
  const ref = { policy: 'R-08', subject: `workstream/${WS}/s006-1`, escalation: 0 } as const;

  it('starts when stakeholder input is gathered, due 30 days later, to the workstream leads', () => {
    expect(gathered().pending('R-08', '2024-03-11')).toEqual([
      {
        policy: 'R-08',
        partnershipId: 'rpp-1',
        workstreamId: WS,
        subject: ref.subject,
        about: { kind: 'workstream', id: WS },
        escalation: 0,
        dueAt: plus(INPUT_AT, 30),
        recipientRoles: ['workstream_leads'],
        startedAt: INPUT_AT,
      },
    ]);
    expect(checkReminder(gathered().state(), settings, ref, plus(INPUT_AT, 30)).due).toBe(true);
  });

  it('scales', () => {
    expect(gathered().pending('R-08', '2024-03-11', settingsWith({}, 1 / 86400))[0]?.dueAt).toBe(
      new Date(Date.parse(INPUT_AT) + 30_000).toISOString(),
    );
  });

  it('is satisfied by a revision of the tool', () => {
    const s = gathered().run('2024-03-20', 'ReviseTool', {
      workstreamId: WS,
      toolId: 'tool-1',
      answersInputIds: ['input-1'],
      changeSummary: 'Shorter messages',
      revisedWithParticipantIds: [P.researcher, P.practitioner],
    });
    expect(s.pending('R-08', '2024-05-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(INPUT_AT, 30))).toEqual({ due: false, reason: 'closed' });
  });

  it('is satisfied by a decision that moves the workstream (here a pilot approval moving it to pilot)', () => {
    const s = approvePilot(gathered(), '2024-03-20', '2024-04-01', '2024-06-01');
    expect(s.pending('R-08', '2024-05-01')).toEqual([]);
  });

  it('is not satisfied by work in another workstream', () => {
    const s = workstreamInCoDesign(gathered(), '2024-03-12', 'ws-b', 'tool-b');
    s.run('2024-03-20', 'ReviseTool', {
      workstreamId: 'ws-b',
      toolId: 'tool-1',
      answersInputIds: ['input-1'],
      changeSummary: 'Adapted for ws-b',
      revisedWithParticipantIds: [P.researcher, P.practitioner],
    });
    expect(s.pending('R-08', '2024-03-21').map((r) => r.subject)).toEqual([ref.subject]);
  });

  it('freezes while paused and resumes with the remaining time', () => {
    const s = resume(pause(gathered(), '2024-03-20'), '2024-04-20');
    expect(s.pending('R-08', '2024-04-21')[0]?.dueAt).toBe(plus(INPUT_AT, 61));
  });
});
