/**
 * Findings policies: R-10 (shared, not jointly interpreted), R-11 (interpreted, no use or
 * dissemination), R-12 (no-surprises review pending).
 */
import { PartnershipFixtures } from '@trellis/domain';
import { defaultReminderSettings } from '../reminder-settings';
import { checkReminder, frozenReminders } from '../reminder.schedule';
import {
  ORG,
  P,
  WS,
  approvePilot,
  at,
  pause,
  plus,
  resume,
  scenario,
  settingsWith,
  workstreamInCoDesign,
  DAY,
  type ReminderScenario,
} from '../testing/reminder-scenario';

const settings = defaultReminderSettings();
const STUDY_WS = 'ws-1'; // the fixture workstream (PartnershipFixtures.workstreamAt)
const SHARED_AT = at('2024-07-01');

/** A formal study under dsa-1 (no-surprises window 45 days unless `window` says otherwise), findings shared from it. */
function studyFindings(window: number | 'unset' = 45, sharedWith: string[] = [ORG.schoolA]): ReminderScenario {
  const noSurprisesReviewDays = window === 'unset' ? undefined : window;
  const given = PartnershipFixtures.formalizedPartnership().dsa({ noSurprisesReviewDays }).workstreamAt('formal_study');
  return scenario(given.events)
    .run('2024-06-01', 'StartFormalStudy', { workstreamId: STUDY_WS, studyId: 'ws-1-study', startedOn: '2024-06-01' })
    .run('2024-07-01', 'SharePreliminaryFindings', { workstreamId: STUDY_WS, findingsId: 'f-1', sourceId: 'ws-1-study', sharedWithOrganizationIds: sharedWith });
}
const interpret = (s: ReminderScenario, on: string, workstreamId = STUDY_WS) =>
  s.run(on, 'InterpretFindingsJointly', {
    workstreamId,
    findingsId: 'f-1',
    sessionOn: on.slice(0, 10),
    attendeeParticipantIds: [P.researcher, P.practitioner, P.teacher],
    followUpQuestions: ['Does it hold for middle schools?'],
    agreedImplications: ['Extend outreach'],
  });
const disseminate = (s: ReminderScenario, on: string, audience: 'partner_internal' | 'public', workstreamId = STUDY_WS) =>
  s.run(on, 'DisseminateFindings', { workstreamId, findingsId: 'f-1', artifactKind: 'brief', audience, releasedOn: on.slice(0, 10) });

/** Findings from a pilot (no formal study); with `dsaWindow`, data received under a DSA before sharing. */
function pilotFindings(dsaWindow?: number): ReminderScenario {
  const s = workstreamInCoDesign(scenario(), '2024-03-01');
  if (dsaWindow !== undefined) {
    s.run('2024-03-06', 'ExecuteDataSharingAgreement', {
      dsaId: 'dsa-x',
      providerOrganizationId: ORG.county,
      recipientOrganizationIds: [ORG.research],
      legalBasis: 'ferpa_audit_evaluation',
      purpose: 'Evaluate outreach',
      dataCategories: ['attendance'],
      piiIncluded: true,
      effectiveFrom: '2024-03-01',
      expiresOn: '2026-02-28',
      destructionPeriodDays: 30,
      noSurprisesReviewDays: dsaWindow,
    }).run('2024-03-07', 'RecordDataReceived', {
      workstreamId: WS,
      transferId: 'xfer-1',
      dsaId: 'dsa-x',
      dataCategories: ['attendance'],
      piiIncluded: true,
      receivedOn: '2024-03-07',
      recipientOrganizationId: ORG.research,
    });
  }
  approvePilot(s, '2024-03-10', '2024-04-01', '2024-06-01')
    .run('2024-04-01', 'StartPilot', { workstreamId: WS, pilotId: 'pilot-1', startedOn: '2024-04-01', siteOrganizationIds: [ORG.schoolA] })
    .run('2024-06-01', 'ConcludePilot', { workstreamId: WS, pilotId: 'pilot-1', endedOn: '2024-06-01', outcome: 'completed' });
  return s.run('2024-07-01', 'SharePreliminaryFindings', { workstreamId: WS, findingsId: 'f-1', sourceId: 'pilot-1', sharedWithOrganizationIds: [ORG.district] });
}

describe('R-10 findings shared, not jointly interpreted', () => {
  const subject = 'findings/f-1/s002-1';
  const ref = { policy: 'R-10', subject, escalation: 0 } as const;

  it('starts when findings are shared: 21 days, again at 42, to all workstream participants', () => {
    expect(studyFindings().pending('R-10', '2024-07-02')).toEqual([
      {
        policy: 'R-10',
        partnershipId: 'rpp-1',
        workstreamId: STUDY_WS,
        subject,
        about: { kind: 'findings', id: 'f-1' },
        escalation: 0,
        dueAt: plus(SHARED_AT, 21),
        recipientRoles: ['workstream_participants'],
        startedAt: SHARED_AT,
      },
      expect.objectContaining({ subject, escalation: 1, dueAt: plus(SHARED_AT, 42), recipientRoles: ['workstream_participants'] }),
    ]);
  });

  it('escalates: once the 42-day step is due, the 21-day one is superseded', () => {
    const state = studyFindings().state();
    expect(checkReminder(state, settings, ref, plus(SHARED_AT, 21)).due).toBe(true);
    expect(checkReminder(state, settings, ref, plus(SHARED_AT, 42))).toEqual({ due: false, reason: 'superseded' });
    expect(checkReminder(state, settings, { ...ref, escalation: 1 }, plus(SHARED_AT, 42))).toMatchObject({ due: true, reminder: { escalation: 1 } });
  });

  it('scales and takes configured days', () => {
    expect(studyFindings().pending('R-10', '2024-07-02', settingsWith({ 'R-10': [14, 7, 28] }, 0.5)).map((r) => r.dueAt)).toEqual([
      plus(SHARED_AT, 3.5),
      plus(SHARED_AT, 7),
      plus(SHARED_AT, 14),
    ]);
  });

  it('is satisfied by a joint interpretation', () => {
    const s = interpret(studyFindings(), '2024-07-10');
    expect(s.pending('R-10', '2024-08-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(SHARED_AT, 21))).toEqual({ due: false, reason: 'closed' });
  });

  it('freezes while paused: both steps move by the paused time', () => {
    const s = pause(studyFindings(), '2024-07-05');
    expect(frozenReminders(s.state(), settings).filter((f) => f.policy === 'R-10').map((f) => f.remainingMs)).toEqual([17 * DAY, 38 * DAY]);
    resume(s, '2024-07-15');
    expect(s.pending('R-10', '2024-07-16').map((r) => r.dueAt)).toEqual([plus(SHARED_AT, 31), plus(SHARED_AT, 52)]);
  });
});

describe('R-11 interpreted, no use or dissemination', () => {
  const INTERPRETED_AT = at('2024-07-10');
  const interpreted = () => interpret(studyFindings(), '2024-07-10');
  const subject = 'findings/f-1/s003-1';
  const ref = { policy: 'R-11', subject, escalation: 0 } as const;

  it('starts when findings are interpreted jointly, due 60 days later, to the practice-side leads and brokers', () => {
    expect(interpreted().pending('R-11', '2024-07-11')).toEqual([
      {
        policy: 'R-11',
        partnershipId: 'rpp-1',
        workstreamId: STUDY_WS,
        subject,
        about: { kind: 'findings', id: 'f-1' },
        escalation: 0,
        dueAt: plus(INTERPRETED_AT, 60),
        recipientRoles: ['practice_side_leads', 'brokers'],
        startedAt: INTERPRETED_AT,
      },
    ]);
    expect(checkReminder(interpreted().state(), settings, ref, plus(INTERPRETED_AT, 60)).due).toBe(true);
  });

  it('scales', () => {
    expect(interpreted().pending('R-11', '2024-07-11', settingsWith({}, 0.25))[0]?.dueAt).toBe(plus(INTERPRETED_AT, 15));
  });

  it('is satisfied by a dissemination of the findings', () => {
    const s = disseminate(interpreted(), '2024-07-20', 'partner_internal');
    expect(s.pending('R-11', '2024-09-20')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(INTERPRETED_AT, 60))).toEqual({ due: false, reason: 'closed' });
  });

  it('is satisfied by a research use recorded in the workstream', () => {
    const s = interpreted().run('2024-07-20', 'RecordResearchUse', {
      workstreamId: STUDY_WS,
      useId: 'use-1',
      decisionSummary: 'Adopt the outreach routine',
      decisionLevel: 'district',
      decidingOrganizationId: ORG.district,
      evidenceIds: ['f-1'],
    });
    expect(s.pending('R-11', '2024-09-20')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(INTERPRETED_AT, 60))).toEqual({ due: false, reason: 'closed' });
  });

  it('does not start for findings already disseminated before their interpretation', () => {
    const s = interpret(disseminate(studyFindings(), '2024-07-05', 'partner_internal'), '2024-07-10');
    expect(s.pending('R-11', '2024-07-11')).toEqual([]);
  });

  it('freezes while paused and resumes with the remaining time', () => {
    const s = resume(pause(interpreted(), '2024-08-01'), '2024-08-11');
    expect(s.pending('R-11', '2024-08-12')[0]?.dueAt).toBe(plus(INTERPRETED_AT, 70));
  });
});

describe('R-12 no-surprises review pending', () => {
  const subject = 'findings/f-1/s002-1';
  const ref = { policy: 'R-12', subject, escalation: 0 } as const;

  it('starts when findings from DSA data are shared, due when the DSA’s review window ends, to the practice-side reviewers', () => {
    expect(studyFindings().pending('R-12', '2024-07-02')).toEqual([
      {
        policy: 'R-12',
        partnershipId: 'rpp-1',
        workstreamId: STUDY_WS,
        subject,
        about: { kind: 'findings', id: 'f-1' },
        organizationIds: [ORG.schoolA, ORG.district],
        escalation: 0,
        dueAt: plus(SHARED_AT, 45),
        recipientRoles: ['practice_side_reviewers'],
        startedAt: SHARED_AT,
      },
    ]);
    expect(checkReminder(studyFindings().state(), settings, ref, plus(SHARED_AT, 45)).due).toBe(true);
  });

  it('uses 30 days when the DSA leaves its window unset, configurable with REMINDER_R12_DAYS', () => {
    expect(studyFindings('unset').pending('R-12', '2024-07-02')[0]?.dueAt).toBe(plus(SHARED_AT, 30));
    expect(studyFindings('unset').pending('R-12', '2024-07-02', settingsWith({ 'R-12': [10] }))[0]?.dueAt).toBe(plus(SHARED_AT, 10));
  });

  it('scales', () => {
    expect(studyFindings().pending('R-12', '2024-07-02', settingsWith({}, 0.5))[0]?.dueAt).toBe(plus(SHARED_AT, 22.5));
  });

  it('applies to findings from data received in the workstream under a DSA, not to findings with no DSA data', () => {
    expect(pilotFindings().pending('R-12', '2024-07-02')).toEqual([]);
    expect(pilotFindings().pending('R-10', '2024-07-02')).toHaveLength(2);
    const withData = pilotFindings(20);
    expect(withData.pending('R-12', '2024-07-02')).toEqual([
      expect.objectContaining({ workstreamId: WS, dueAt: plus(SHARED_AT, 20), organizationIds: [ORG.district, ORG.county] }),
    ]);
  });

  it('is satisfied by the practice partner’s review', () => {
    const s = studyFindings().run('2024-07-20', 'RecordPracticePartnerReview', {
      workstreamId: STUDY_WS,
      findingsId: 'f-1',
      reviewerOrganizationId: ORG.district,
      outcome: 'comments',
    });
    expect(s.pending('R-12', '2024-09-01')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, plus(SHARED_AT, 45))).toEqual({ due: false, reason: 'closed' });
  });

  it('ends with a public release (allowed once the window has passed); an internal release does not end it', () => {
    const internal = disseminate(interpret(studyFindings(), '2024-07-10'), '2024-07-12', 'partner_internal');
    expect(internal.pending('R-12', '2024-07-13')).toHaveLength(1);
    const released = disseminate(interpret(studyFindings(), '2024-07-10'), '2024-08-20', 'public');
    expect(released.pending('R-12', '2024-08-21')).toEqual([]);
  });

  it('is not frozen by a pause: the review window is a term of the agreement', () => {
    const paused = pause(studyFindings(), '2024-07-05');
    expect(checkReminder(paused.state(), settings, ref, plus(SHARED_AT, 45)).due).toBe(true);
    const resumed = resume(pause(studyFindings(), '2024-07-05'), '2024-07-25');
    expect(resumed.pending('R-12', '2024-07-26')[0]?.dueAt).toBe(plus(SHARED_AT, 45));
  });
});
