/** Data-sharing agreement policies: R-13 (DSA expiry) and R-14 (disposal due after a DSA ended). */
import { PartnershipFixtures } from '@trellis/domain';
import { defaultReminderSettings } from '../reminder-settings';
import { checkReminder } from '../reminder.schedule';
import { ORG, P, at, midnight, pause, resume, scenario, settingsWith, type ReminderScenario } from '../testing/reminder-scenario';

const settings = defaultReminderSettings();
const EXECUTED_AT = at('2024-03-01');
const EXPIRES_ON = '2025-12-31';

const execute = (s: ReminderScenario, on = '2024-03-01', expiresOn = EXPIRES_ON) =>
  s.run(on, 'ExecuteDataSharingAgreement', {
    dsaId: 'dsa-9',
    providerOrganizationId: ORG.district,
    recipientOrganizationIds: [ORG.research],
    legalBasis: 'ferpa_studies_exception',
    purpose: 'Study attendance supports',
    dataCategories: ['attendance'],
    piiIncluded: true,
    effectiveFrom: '2024-03-01',
    expiresOn,
    destructionPeriodDays: 60,
  });
const end = (s: ReminderScenario, on = '2024-06-01') => s.run(on, 'EndDataSharingAgreement', { dsaId: 'dsa-9', endKind: 'terminated', endedOn: on.slice(0, 10) });
const certify = (s: ReminderScenario, on: string) =>
  s.run(on, 'CertifyDataDisposal', { dsaId: 'dsa-9', certifiedByParticipantId: P.researcher, method: 'secure deletion', disposedOn: on.slice(0, 10) });

describe('R-13 DSA expiry', () => {
  const subject = 'dsa/dsa-9/s001-1';
  const ref = { policy: 'R-13', subject, escalation: 0 } as const;

  it('starts when a DSA is executed: 90, 30 and 7 days before it expires, to data stewards and co-leads', () => {
    expect(execute(scenario()).pending('R-13', '2024-03-02')).toEqual([
      {
        policy: 'R-13',
        partnershipId: 'rpp-1',
        subject,
        about: { kind: 'dsa', id: 'dsa-9' },
        organizationIds: [ORG.district, ORG.research],
        escalation: 0,
        dueAt: midnight(EXPIRES_ON, -90),
        recipientRoles: ['data_stewards', 'co_leads'],
        startedAt: EXECUTED_AT,
      },
      expect.objectContaining({ subject, escalation: 1, dueAt: midnight(EXPIRES_ON, -30) }),
      expect.objectContaining({ subject, escalation: 2, dueAt: midnight(EXPIRES_ON, -7) }),
    ]);
  });

  it('escalates step by step; a fired job for an issued or superseded step is not due', () => {
    const s = execute(scenario());
    expect(checkReminder(s.state(), settings, ref, midnight(EXPIRES_ON, -90)).due).toBe(true);
    s.issue(s.pending('R-13', midnight(EXPIRES_ON, -90))[0]!);
    expect(checkReminder(s.state(), settings, ref, midnight(EXPIRES_ON, -90))).toEqual({ due: false, reason: 'already_issued' });
    expect(checkReminder(s.state(), settings, { ...ref, escalation: 1 }, midnight(EXPIRES_ON, -7))).toEqual({ due: false, reason: 'superseded' });
    expect(checkReminder(s.state(), settings, { ...ref, escalation: 2 }, midnight(EXPIRES_ON, -7))).toMatchObject({ due: true });
  });

  it('signed close to its expiry, issues the latest step already passed at once, not a burst', () => {
    const s = execute(scenario(), '2025-12-11'); // 20 days before expiry
    expect(s.pending('R-13', '2025-12-11').map((r) => [r.escalation, r.dueAt])).toEqual([
      [1, at('2025-12-11')],
      [2, midnight(EXPIRES_ON, -7)],
    ]);
  });

  it('scales the time from execution to each due time, and takes configured days', () => {
    const start = Date.parse(EXECUTED_AT);
    const scaled = (iso: string) => new Date(start + (Date.parse(iso) - start) * 0.01).toISOString();
    expect(execute(scenario()).pending('R-13', '2024-03-01', settingsWith({ 'R-13': [7, 60] }, 0.01)).map((r) => r.dueAt)).toEqual([
      scaled(midnight(EXPIRES_ON, -60)),
      scaled(midnight(EXPIRES_ON, -7)),
    ]);
  });

  it('is satisfied when the DSA ends', () => {
    const s = end(execute(scenario()));
    expect(s.pending('R-13', '2024-06-02')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, midnight(EXPIRES_ON, -90))).toEqual({ due: false, reason: 'closed' });
  });

  it('is not frozen by a pause: the agreement expires on its date, paused or not', () => {
    const s = resume(pause(execute(scenario()), '2024-04-01'), '2024-08-01');
    expect(s.pending('R-13', '2024-08-02').map((r) => r.dueAt)).toEqual([midnight(EXPIRES_ON, -90), midnight(EXPIRES_ON, -30), midnight(EXPIRES_ON, -7)]);
    const paused = pause(execute(scenario()), '2025-09-01');
    expect(checkReminder(paused.state(), settings, ref, midnight(EXPIRES_ON, -90)).due).toBe(true);
  });
});

describe('R-14 disposal due after a DSA ended', () => {
  const ENDED_AT = at('2024-06-01');
  const DUE_BY = '2024-07-31'; // endedOn + 60 days (destructionPeriodDays)
  const ended = () => end(execute(scenario()));
  const subject = 'dsa/dsa-9/s002-1';
  const ref = { policy: 'R-14', subject, escalation: 0 } as const;

  it('starts when the DSA ends: 14 days before the destruction date, then overdue, to the recipient’s leads', () => {
    expect(ended().pending('R-14', '2024-06-02')).toEqual([
      {
        policy: 'R-14',
        partnershipId: 'rpp-1',
        subject,
        about: { kind: 'dsa', id: 'dsa-9' },
        organizationIds: [ORG.research],
        escalation: 0,
        dueAt: midnight(DUE_BY, -14),
        recipientRoles: ['recipient_leads'],
        startedAt: ENDED_AT,
      },
      expect.objectContaining({ subject, escalation: 1, dueAt: midnight(DUE_BY, 1) }),
    ]);
  });

  it('escalates to overdue once the destruction date has passed', () => {
    const state = ended().state();
    expect(checkReminder(state, settings, ref, midnight(DUE_BY, -14)).due).toBe(true);
    expect(checkReminder(state, settings, { ...ref, escalation: 1 }, midnight(DUE_BY))).toMatchObject({ due: false, reason: 'not_yet' });
    expect(checkReminder(state, settings, { ...ref, escalation: 1 }, midnight(DUE_BY, 1))).toMatchObject({ due: true });
    expect(checkReminder(state, settings, ref, midnight(DUE_BY, 1))).toEqual({ due: false, reason: 'superseded' });
  });

  it('scales and takes configured days', () => {
    const start = Date.parse(ENDED_AT);
    const scaled = (iso: string) => new Date(start + (Date.parse(iso) - start) * 0.5).toISOString();
    expect(ended().pending('R-14', '2024-06-02', settingsWith({ 'R-14': [30, 7] }, 0.5)).map((r) => r.dueAt)).toEqual([
      scaled(midnight(DUE_BY, -30)),
      scaled(midnight(DUE_BY, -7)),
      scaled(midnight(DUE_BY, 1)),
    ]);
  });

  it('is satisfied when disposal is certified', () => {
    const s = certify(ended(), '2024-07-01');
    expect(s.pending('R-14', '2024-07-02')).toEqual([]);
    expect(checkReminder(s.state(), settings, ref, midnight(DUE_BY, -14))).toEqual({ due: false, reason: 'closed' });
  });

  it('outlives abandonment (disposal may still be certified) and is then satisfied by the certification', () => {
    const s = end(execute(scenario(PartnershipFixtures.exploringPartnership().events)));
    s.run('2024-06-05', 'AbandonPartnership', { reason: 'funding ended' });
    expect(s.pending('R-14', '2024-06-06')).toHaveLength(2);
    expect(s.pending('R-01', '2024-06-06')).toEqual([]);
    certify(s, '2024-07-01');
    expect(s.pending('R-14', '2024-07-02')).toEqual([]);
  });

  it('is not frozen by a pause: the destruction deadline is the agreement’s', () => {
    const s = pause(ended(), '2024-06-10');
    expect(checkReminder(s.state(), settings, ref, midnight(DUE_BY, -14)).due).toBe(true);
    expect(s.pending('R-14', '2024-06-11').map((r) => r.dueAt)).toEqual([midnight(DUE_BY, -14), midnight(DUE_BY, 1)]);
  });
});
