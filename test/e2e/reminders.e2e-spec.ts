/**
 * Reminders end to end (DESIGN.md §8): the real app with its workers in process (real PostgreSQL, real
 * Redis/BullMQ), driven by commands over HTTP, e-mailing a real SMTP server on loopback. Time is
 * scaled so that 21 days last one second; R-01 ("exploring, not formalized") is set to 42 days (2 s).
 * The reminder configuration is read from the process environment at start-up, so it is set there
 * around the app's life.
 */
import { SmtpSink } from '../../libs/reminders/src/testing/smtp-sink';
import { ApiClient } from '../support/api-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventually } from '../support/webhook-receiver';

const SCALE_DAY_MS = 1000 / 21;
const R01_DAYS = 42;

let t: TestApp;
let api: ApiClient;
let smtp: SmtpSink;
let firstPartnership: { id: string; eventId: string } | undefined;
const savedEnv: Record<string, string | undefined> = {};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  smtp = await new SmtpSink().start();
  const env = {
    REMINDER_TIME_SCALE: '1/1814400',
    REMINDER_R01_DAYS: String(R01_DAYS),
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Trellis <trellis@e2e.example>',
    REMINDER_RECIPIENTS: JSON.stringify({ roles: { initiator: ['initiator@e2e.example'], co_leads: ['co-leads@e2e.example'] } }),
  };
  for (const [k, v] of Object.entries(env)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  t = await startTestApp({ env: { RUN_WORKERS: 'true' } });
  api = new ApiClient(t.url, t.adminKey);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const FORMALIZE: ReadonlyArray<readonly [string, unknown]> = [
  ['JoinOrganization', { organizationId: 'org-d', name: 'District', orgType: 'school_district', side: 'practice' }],
  ['JoinOrganization', { organizationId: 'org-r', name: 'Research lab', orgType: 'research_organization', side: 'research' }],
  ['JoinParticipant', { participantId: 'p-1', organizationId: 'org-d', roles: ['practitioner'] }],
  ['JoinParticipant', { participantId: 'p-2', organizationId: 'org-r', roles: ['researcher'] }],
  ['FormalizePartnership', { agreementRef: 'MOU-1', partyOrganizationIds: ['org-d', 'org-r'], coLeadParticipantIds: ['p-1', 'p-2'], effectiveFrom: '2024-01-01' }],
];

async function propose(): Promise<{ id: string; occurredAt: string }> {
  const res = await api.post('/partnerships', { name: 'Reminder Partnership', initiationMode: 'agency', focus: 'Attendance', types: ['design_research_partnership'] });
  if (res.status !== 201) throw new Error(`propose → ${res.status}: ${res.text}`);
  const history = await api.get(`/partnerships/${res.body.partnershipId}/history`);
  return { id: res.body.partnershipId, occurredAt: history.body.events[0].metadata.occurredAt };
}

const reminders = async (id: string) => {
  const res = await api.get(`/partnerships/${id}/reminders`);
  if (res.status !== 200) throw new Error(`GET reminders → ${res.status}: ${res.text}`);
  return res.body;
};

describe('reminders', () => {
  it('schedules R-01 when a partnership is proposed, issues it at the scaled time once, and e-mails it', async () => {
    const { id, occurredAt } = await propose();
    const dueAt = new Date(Date.parse(occurredAt) + Math.round(R01_DAYS * 86_400_000 / 1_814_400)).toISOString();
    const before = await reminders(id);
    expect(before).toMatchObject({ partnershipId: id, timeScale: 1 / 1_814_400, pausedSince: null, issued: [], issuedTruncated: false });
    expect(before.scheduled).toEqual([
      expect.objectContaining({ status: 'scheduled', policy: 'R-01', title: 'exploring, not formalized', escalation: 0, dueAt, recipientRoles: ['initiator', 'co_leads'], about: { kind: 'partnership', id } }),
    ]);

    const issued = await eventually(async () => {
      const view = await reminders(id);
      return view.issued.length > 0 ? view : undefined;
    }, 'R-01 issued', 10_000);
    expect(issued.scheduled).toEqual([]);
    expect(issued.issued).toEqual([expect.objectContaining({ policy: 'R-01', escalation: 0, dueAt, recipientRoles: ['initiator', 'co_leads'] })]);
    expect(Date.parse(issued.issued[0].issuedAt)).toBeGreaterThanOrEqual(Date.parse(dueAt));

    // The event is in the log like any other (the feed serves it to integrators), in reminders-<id>.
    const feed = await api.get(`/events?partnershipId=${id}&limit=100`);
    expect(feed.status).toBe(200);
    expect(feed.body.events.filter((e: any) => e.type === 'ReminderIssued')).toEqual([
      expect.objectContaining({ streamId: `reminders-${id}`, eventId: issued.issued[0].eventId, revision: '0', data: expect.objectContaining({ policy: 'R-01', partnershipId: id }) }),
    ]);
    firstPartnership = { id, eventId: issued.issued[0].eventId };

    // One e-mail per role mailbox (a role mailbox applies even before anyone holds the role).
    const mails = await eventually(() => {
      const m = smtp.messages.filter((x) => x.header('X-Trellis-Reminder') === issued.issued[0].eventId);
      return m.length === 2 ? m : undefined;
    }, 'the e-mails', 10_000);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['co-leads@e2e.example', 'initiator@e2e.example']);
    expect(mails[0]!.from).toBe('trellis@e2e.example');
    expect(mails[0]!.subject).toBe('[Trellis] R-01: exploring, not formalized');

    await sleep(500);
    expect((await reminders(id)).issued).toHaveLength(1);
    expect(smtp.messages.filter((x) => x.header('X-Trellis-Reminder') === issued.issued[0].eventId)).toHaveLength(2);
  }, 30_000);

  it('cancels R-01 when the partnership is formalized in time: nothing is issued', async () => {
    const { id, occurredAt } = await propose();
    await api.commands(id, [
      ...FORMALIZE,
    ]);
    expect((await reminders(id)).scheduled).toEqual([]);
    await sleep(Math.max(0, Date.parse(occurredAt) + R01_DAYS * SCALE_DAY_MS - Date.now()) + 700);
    expect((await reminders(id)).issued).toEqual([]);
  }, 30_000);

  it('shows frozen clocks while paused and moves them by the pause', async () => {
    const { id } = await propose();
    await api.commands(id, [
      ...FORMALIZE,
      ['OpenWorkstream', { workstreamId: 'ws-1', title: 'Attendance', leadParticipantIds: ['p-1'] }],
      ['DefineProblemOfPractice', { workstreamId: 'ws-1', problemId: 'pr-1', statement: 'Absence', proposedByParticipantIds: ['p-1'], intendedUse: 'Choose supports' }],
    ]);
    const r03 = (await reminders(id)).scheduled.find((s: any) => s.policy === 'R-03');
    expect(r03).toMatchObject({ status: 'scheduled', workstreamId: 'ws-1', recipientRoles: ['workstream_leads', 'brokers'] });
    await api.commands(id, [['ChangePartnershipStatus', { status: 'paused', reason: 'summer' }]]);
    const paused = await reminders(id);
    expect(paused.pausedSince).not.toBeNull();
    const frozen = paused.scheduled.find((s: any) => s.policy === 'R-03');
    expect(frozen).toMatchObject({ status: 'frozen', dueAt: null, jobId: null });
    expect(frozen.remainingMs).toBeGreaterThan(0);
    expect(frozen.remainingMs).toBeLessThanOrEqual(Date.parse(r03.dueAt) - Date.parse(paused.pausedSince));
    expect(paused.scheduled.find((s: any) => s.policy === 'R-17')).toMatchObject({ status: 'scheduled', escalation: 0 });
    await sleep(300);
    await api.commands(id, [['ChangePartnershipStatus', { status: 'active', reason: 'back' }]]);
    const resumed = (await reminders(id)).scheduled.find((s: any) => s.policy === 'R-03');
    expect(Date.parse(resumed.dueAt) - Date.parse(r03.dueAt)).toBeGreaterThanOrEqual(300);
    expect(resumed.jobId).not.toBe(r03.jobId);
  }, 30_000);

  it('a projection rebuild issues nothing and sends nothing', async () => {
    expect(firstPartnership).toBeDefined();
    const { id, eventId } = firstPartnership!;
    const started = await api.post('/admin/projections/rebuild', { reason: 'reminders e2e' });
    expect(started.status).toBe(202);
    await eventually(async () => {
      const list = (await api.get('/admin/projections')).body.projections;
      return list.every((p: any) => p.rebuild === null) ? list : undefined;
    }, 'the rebuild', 20_000);
    await sleep(500);
    expect((await reminders(id)).issued.map((r: any) => r.eventId)).toEqual([eventId]);
    expect(smtp.messages.filter((x) => x.header('X-Trellis-Reminder') === eventId)).toHaveLength(2);
    // Across the whole log: never two ReminderIssued for one step.
    const all = (await api.get('/events?limit=1000')).body.events.filter((e: any) => e.type === 'ReminderIssued');
    const steps = all.map((e: any) => `${e.data.partnershipId} ${e.data.policy} ${e.data.subject} ${e.data.escalation}`);
    expect(new Set(steps).size).toBe(steps.length);
  }, 30_000);

  it('answers 400 for a bad id, 404 for an unknown partnership, 401 without a key; documents the route', async () => {
    expect((await api.get('/partnerships/not-a-uuid/reminders')).body.code).toBe('INVALID_ID');
    const missing = await api.get('/partnerships/0190f5c2-0000-7000-8000-000000000000/reminders');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body.code).toBe('PARTNERSHIP_NOT_FOUND');
    expect((await api.withKey(undefined).get('/partnerships/0190f5c2-0000-7000-8000-000000000000/reminders')).status).toBe(401);
    const doc = (await api.withKey(undefined).get('/docs-json')).body;
    expect(doc.paths['/partnerships/{id}/reminders'].get.responses['200'].content['application/json'].schema.required).toContain('scheduled');
  });
});
