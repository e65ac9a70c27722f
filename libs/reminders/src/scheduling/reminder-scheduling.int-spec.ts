/**
 * Reminder scheduling with real parts: a real event store and read store (PostgreSQL, and PGlite in
 * memory), real Redis/BullMQ (a plain Worker running the same job handler as the Nest processor) and
 * a real SMTP server on loopback receiving the e-mails. Time is scaled so that 21 days last one second
 * (`REMINDER_TIME_SCALE=1/1814400`); pauses are real time.
 */
import { Queue, Worker } from 'bullmq';
import { createTransport } from 'nodemailer';
import { PartnershipFixtures } from '@trellis/domain';
import { createSqlEventStore, type RecordedEvent, type SqlEventStore } from '@trellis/event-store';
import { ProjectionRegistry } from '@trellis/projections';
import { SQL_BACKENDS, type SqlBackend } from '../../../platform/src/testing/sql-backends';
import { RoutingTableRecipientResolver } from '../delivery/recipient-resolver';
import { ReminderMailer } from '../delivery/reminder-mailer';
import { remindersStreamId } from '../reminder.events';
import { parseReminderSettings, type ReminderSettings } from '../reminder-settings';
import type { ReminderPolicyId } from '../reminder.policies';
import { pendingReminders } from '../reminder.schedule';
import { ORG, P, RecordedPartnership } from '../testing/reminder-log';
import { SmtpSink } from '../testing/smtp-sink';
import { ReminderIssuer } from './reminder-issuer';
import { ReminderJobHandler } from './reminder-job-handler';
import { emailJobIdOf, REMINDER_JOBS, reminderEventId, reminderJobIdOf } from './reminder-jobs';
import { REMINDER_SCHEDULER_NAME, ReminderScheduler } from './reminder-scheduler';
import { currentReminderState, emptyStateRow, foldIntoRow, ReminderStateStore } from './reminder-state.store';
import { readReminders } from './reminders.view';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** 21 days → 1 s. */
const SCALE = '1/1814400';
const ROUTES = {
  roles: { co_leads: ['co-leads@partnership.example'] },
  organizations: { [ORG.schoolA]: { organization_members: ['office@school-a.example'] } },
  fallback: ['ops@trellis.example'],
};

/** Hops of one second: every reminder later than that is reached in hops, as far-future ones are. */
const MAX_DELAY_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

interface Rig {
  store: SqlEventStore;
  states: ReminderStateStore;
  registry: ProjectionRegistry;
  queue: Queue;
  scheduler: ReminderScheduler;
  issuer: ReminderIssuer;
  worker: Worker;
  smtp: SmtpSink;
  settings: ReminderSettings;
  stop: () => Promise<void>;
}

/** Everything a worker process runs, wired by hand; the scheduler follows `$all` in a loop of short slices. */
async function startRig(backend: SqlBackend, env: Record<string, string> = {}): Promise<Rig> {
  const schema = backend.schema('reminders');
  const store = await createSqlEventStore({ sql: backend.sql, schema, pollIntervalMs: 50 });
  const states = new ReminderStateStore(backend.sql, schema);
  const registry = new ProjectionRegistry(backend.sql, schema);
  const prefix = `trellis-int-${schema}`;
  const queue = new Queue('reminders', { connection: { url: REDIS_URL }, prefix });
  const settings = parseReminderSettings({ REMINDER_TIME_SCALE: SCALE, ...env });
  const scheduler = new ReminderScheduler(store, registry, states, queue, settings, { leaseMs: 3_000, maxRunMs: 1_000, sweepMs: 500, maxDelayMs: MAX_DELAY_MS });
  await scheduler.prepare();
  const issuer = new ReminderIssuer(store, states, queue, settings, true, MAX_DELAY_MS);
  const smtp = await new SmtpSink().start();
  const mailer = new ReminderMailer(store, new RoutingTableRecipientResolver({ ...ROUTES }), createTransport(smtp.url), 'Trellis <trellis@test.example>');
  let stopping = false;
  const handler = new ReminderJobHandler(scheduler, issuer, mailer, 'int', () => stopping);
  const worker = new Worker('reminders', (job, token) => handler.process(job, token), {
    connection: { url: REDIS_URL, maxRetriesPerRequest: null },
    prefix,
    concurrency: 8,
  });
  const loop = (async () => {
    while (!stopping) {
      const outcome = await scheduler.run('loop', () => stopping);
      if (outcome === 'busy') await sleep(50);
    }
  })();
  return {
    store,
    states,
    registry,
    queue,
    scheduler,
    issuer,
    worker,
    smtp,
    settings,
    async stop() {
      stopping = true;
      await loop;
      await worker.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await smtp.close();
      await store.close();
    },
  };
}

const issuedEvents = async (rig: Rig, partnershipId: string) => {
  const out = [];
  for await (const e of rig.store.readStream(remindersStreamId(partnershipId))) out.push(e);
  return out;
};

describe.each(SQL_BACKENDS)('reminder scheduling on %s', (name, open) => {
  const full = name === 'PostgreSQL';
  let backend: SqlBackend;
  let rig: Rig;

  beforeAll(async () => {
    backend = await open();
    // moved (to 60, 45 and 90, 60 days → ~2.9 s) so that their tests fire within seconds; the other
    // policies keep their defaults.
    rig = await startRig(backend, { REMINDER_R08_DAYS: '60', REMINDER_R10_DAYS: '45,90', REMINDER_R17_DAYS: '60' });
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
    await backend?.close();
  }, 30_000);

  it('started: schedules one delayed job at the scaled due time; fired: appends ReminderIssued once and e-mails the recipients', async () => {
    const p = await new RecordedPartnership(rig.store).formalized();
    const [departed] = await p.run('DepartParticipant', { participantId: P.teacher, reason: 'moved' }); // R-15, 30 days
    const dueMs = Date.parse(departed!.metadata['occurredAt'] as string) + Math.round(30 * 86_400_000 * rig.settings.timeScale);

    const job = await eventually('the R-15 job', async () => (await rig.queue.getDelayed()).find((j) => j.data.partnershipId === p.partnershipId && j.data.policy === 'R-15'));
    expect(job.id).toBe(reminderJobIdOf({ partnershipId: p.partnershipId, policy: 'R-15', subject: `participant/${P.teacher}/${departed!.eventId}`, escalation: 0, dueAt: new Date(dueMs).toISOString() }));
    expect(job.timestamp + (job.opts.delay ?? 0)).toBe(Math.min(dueMs, job.timestamp + MAX_DELAY_MS));

    const [issued] = await eventually('ReminderIssued', async () => {
      const events = await issuedEvents(rig, p.partnershipId);
      return events.length > 0 ? events : undefined;
    });
    const recordedAt = Date.parse(issued!.metadata['recordedAt'] as string);
    expect(recordedAt).toBeGreaterThanOrEqual(dueMs);
    expect(recordedAt - dueMs).toBeLessThan(1_500);
    expect(issued).toMatchObject({
      type: 'ReminderIssued',
      eventId: reminderEventId({ partnershipId: p.partnershipId, policy: 'R-15', subject: `participant/${P.teacher}/${departed!.eventId}`, escalation: 0 }),
      data: { policy: 'R-15', partnershipId: p.partnershipId, escalation: 0, dueAt: new Date(dueMs).toISOString(), recipientRoles: ['organization_members', 'co_leads'] },
      metadata: { partnershipId: p.partnershipId, recordedBy: { apiKeyId: 'trellis-reminders' } },
    });

    // One e-mail per address: school A still has an active member (the student), and the co-leads' mailbox.
    await eventually('two e-mails', async () => rig.smtp.messages.filter((m) => m.header('X-Trellis-Reminder') === issued!.eventId).length === 2);
    const mails = rig.smtp.messages.filter((m) => m.header('X-Trellis-Reminder') === issued!.eventId);
    expect(mails.map((m) => m.to).sort()).toEqual([['co-leads@partnership.example'], ['office@school-a.example']]);
    expect(mails[0]!.subject).toBe('[Trellis] R-15: departure without successor');
    expect(mails[0]!.raw).toContain(p.partnershipId);

    // Folded back: nothing pending any more, and the view lists it as issued.
    const view = await eventually('the view without R-15 pending', async () => {
      const v = await readReminders(rig.store, rig.states, rig.settings, p.partnershipId);
      return v.scheduled.some((s) => s.policy === 'R-15') ? undefined : v;
    });
    expect(view.issued).toEqual([expect.objectContaining({ eventId: issued!.eventId, policy: 'R-15', escalation: 0, issuedAt: issued!.metadata['recordedAt'] })]);
    await sleep(300);
    expect(await issuedEvents(rig, p.partnershipId)).toHaveLength(1);
    expect(rig.smtp.messages.filter((m) => m.header('X-Trellis-Reminder') === issued!.eventId)).toHaveLength(2);
  }, 20_000);

  it('satisfied: the job is removed and nothing is issued', async () => {
    const p = await new RecordedPartnership(rig.store).formalized();
    await p.run('DepartParticipant', { participantId: P.teacher, reason: 'moved' });
    const job = await eventually('the R-15 job', async () => (await rig.queue.getDelayed()).find((j) => j.data.partnershipId === p.partnershipId && j.data.policy === 'R-15'));
    await p.run('JoinParticipant', { participantId: 'p-new-teacher', organizationId: ORG.schoolA, roles: ['practitioner'] });
    await eventually('the job removed', async () => (await rig.queue.getJob(job.id!)) === undefined);
    await sleep(Math.max(0, job.timestamp + (job.opts.delay ?? 0) - Date.now()) + 400);
    expect(await issuedEvents(rig, p.partnershipId)).toEqual([]);
  }, 20_000);

  it('a history with many policies overdue (recorded late, or a scheduler that was down): each pending step fires once, then nothing is pending', async () => {
    const p = new RecordedPartnership(rig.store);
    const h = new PartnershipFixtures.PartnershipHistory()
      .proposed({ partnershipId: p.partnershipId })
      .members()
      .formalized()
      .dsa()
      .workstreamAt('problem_framing', 'ws-0')
      .workstreamAt('pilot', 'ws-1')
      .workstreamAt('joint_interpretation', 'ws-3')
      .workstreamAt('use_dissemination', 'ws-4')
      .add('ParticipantDeparted', { participantId: P.teacher, reason: 'moved', organizationId: ORG.schoolA });
    await p.appendHistory(h.events);
    // What was pending before anything was issued: the partnership's stream alone (the jobs fire at once).
    const recorded = [];
    for await (const e of rig.store.readStream(`partnership-${p.partnershipId}`)) recorded.push(e);
    const { state } = foldIntoRow(emptyStateRow(p.partnershipId), recorded);
    const expected = pendingReminders(state, rig.settings, new Date()).map((r) => `${r.policy} ${r.subject} ${r.escalation}`).sort();
    expect(new Set(expected.map((e) => e.split(' ')[0]))).toEqual(new Set(['R-03', 'R-06', 'R-10', 'R-11', 'R-12', 'R-13', 'R-15', 'R-18']));
    const issued = await eventually('every pending step issued', async () => {
      const events = await issuedEvents(rig, p.partnershipId);
      return events.length >= expected.length ? events : undefined;
    }, 15_000);
    expect(issued.map((e) => `${e.data['policy']} ${e.data['subject']} ${e.data['escalation']}`).sort()).toEqual(expected);
    await eventually('nothing pending', async () => {
      const row = await rig.states.get(p.partnershipId);
      return row && row.reconciled && pendingReminders(row.state, rig.settings, new Date()).length === 0 ? row : undefined;
    });
    await sleep(300);
    expect(await issuedEvents(rig, p.partnershipId)).toHaveLength(expected.length);
  }, 30_000);

  // The rest runs on PostgreSQL only, to keep the run short: PGlite shares the same code paths above.
  if (!full) return;
  describe('timing, idempotence, leases and recovery', () => {
    it('pause and resume: frozen while paused with the time left, then due later by the length of the pause', async () => {
      const p = await new RecordedPartnership(rig.store).formalized();
      await p.run('OpenWorkstream', { workstreamId: 'ws-1', title: 'Reading', leadParticipantIds: [P.researcher, P.practitioner] });
      const [defined] = await p.run('DefineProblemOfPractice', { workstreamId: 'ws-1', problemId: 'pr-1', statement: 'Fluency drops', proposedByParticipantIds: [P.teacher], intendedUse: 'Choose routines' }); // R-03, 45 days
      const startMs = Date.parse(defined!.metadata['occurredAt'] as string);
      const offset = Math.round(45 * 86_400_000 * rig.settings.timeScale);
      const before = await eventually('the R-03 job', async () => (await rig.queue.getDelayed()).find((j) => j.data.partnershipId === p.partnershipId && j.data.policy === 'R-03'));
      expect(Date.parse(before.data.dueAt)).toBe(startMs + offset);

      await sleep(300);
      const [paused] = await p.run('ChangePartnershipStatus', { status: 'paused', reason: 'summer' });
      await eventually('the job removed while paused', async () => (await rig.queue.getJob(before.id!)) === undefined);
      const frozen = (await readReminders(rig.store, rig.states, rig.settings, p.partnershipId)).scheduled.find((s) => s.policy === 'R-03');
      const pausedMs = Date.parse(paused!.metadata['occurredAt'] as string);
      expect(frozen).toMatchObject({ status: 'frozen', dueAt: null, remainingMs: startMs + offset - pausedMs, jobId: null });

      await sleep(600);
      const [resumed] = await p.run('ChangePartnershipStatus', { status: 'active', reason: 'back' });
      const pauseMs = Date.parse(resumed!.metadata['occurredAt'] as string) - pausedMs;
      const newDue = startMs + offset + pauseMs;
      const after = await eventually('the moved job', async () => (await rig.queue.getDelayed()).find((j) => j.data.partnershipId === p.partnershipId && j.data.policy === 'R-03'));
      expect(Date.parse(after.data.dueAt)).toBe(newDue);
      expect(after.id).not.toBe(before.id);

      const [issued] = await eventually('ReminderIssued', async () => {
        const events = await issuedEvents(rig, p.partnershipId);
        return events.length > 0 ? events : undefined;
      });
      expect(issued!.data).toMatchObject({ policy: 'R-03', dueAt: new Date(newDue).toISOString() });
      expect(Date.parse(issued!.metadata['recordedAt'] as string)).toBeGreaterThanOrEqual(newDue);
    }, 20_000);

    it('fires twice, or two jobs for one step, or two workers at once: one ReminderIssued, one e-mail job', async () => {
      const p = await new RecordedPartnership(rig.store).formalized();
      // Long enough not to fire by itself during the test.
      const [defined] = await p.run('OpenWorkstream', { workstreamId: 'ws-1', title: 'Reading', leadParticipantIds: [P.researcher] });
      const [problem] = await p.run('DefineProblemOfPractice', { workstreamId: 'ws-1', problemId: 'pr-1', statement: 'x', proposedByParticipantIds: [P.teacher], intendedUse: 'y' }, defined!.metadata['occurredAt'] as string);
      const { state } = await currentReminderState(rig.store, rig.states, p.partnershipId);
      const [r03] = pendingReminders(state, rig.settings, new Date()).filter((r) => r.policy === 'R-03');
      const data = { partnershipId: p.partnershipId, policy: r03!.policy, subject: r03!.subject, escalation: 0, dueAt: r03!.dueAt };
      const later = Date.parse(r03!.dueAt) + 10;
      const results = await Promise.all([
        rig.issuer.fire(data, 'job-a', later),
        rig.issuer.fire(data, 'job-a', later),
        rig.issuer.fire({ ...data, dueAt: new Date(Date.parse(data.dueAt) - 5).toISOString() }, 'job-b', later),
      ]);
      // Each finds it due (and appends idempotently) or, reading the reminders stream after another's append, already issued.
      for (const r of results) expect(['issued', 'already_issued']).toContain(r.outcome);
      const issuedResults = results.filter((r): r is Extract<typeof r, { outcome: 'issued' }> => r.outcome === 'issued');
      expect(issuedResults.filter((r) => !r.idempotent)).toHaveLength(1);
      expect(new Set(issuedResults.map((r) => r.eventId)).size).toBe(1);
      const events = await issuedEvents(rig, p.partnershipId);
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({ subject: `workstream/ws-1/${problem!.eventId}` });
      const emailJobs = (await rig.queue.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed'])).filter((j) => j.name === REMINDER_JOBS.email && j.data.partnershipId === p.partnershipId);
      expect(emailJobs.map((j) => j.id)).toEqual([emailJobIdOf(events[0]!.eventId)]);
      // Once the step is folded back, a further fire is a no-op.
      await eventually('folded back', async () => (await rig.states.get(p.partnershipId))?.state.clocks[`R-03 workstream/ws-1`]?.lastIssued === 0);
      expect(await rig.issuer.fire(data, 'job-c', later + 1_000)).toEqual({ outcome: 'already_issued' });
      expect(await issuedEvents(rig, p.partnershipId)).toHaveLength(1);
    }, 20_000);

    it('holds one lease: a second scheduler is busy; a rewound checkpoint (a replay) issues and schedules nothing twice', async () => {
      const other = new ReminderScheduler(rig.store, rig.registry, rig.states, rig.queue, rig.settings, { leaseMs: 3_000, maxRunMs: 300 });
      // The loop's scheduler holds the lease (it runs back-to-back slices).
      await eventually('the loop holding the lease', async () => (await rig.registry.get(REMINDER_SCHEDULER_NAME))?.leaseOwner === 'loop');
      expect(await other.run('other')).toBe('busy');

      const before = await backend.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${rig.states.table}`);
      const reminderEvents = async () => {
        let n = 0;
        for await (const e of rig.store.readAll({ filter: { eventTypes: ['ReminderIssued'] } })) if (e.type === 'ReminderIssued') n++;
        return n;
      };
      const issuedBefore = await reminderEvents();
      const head = await rig.store.headPosition();
      await backend.sql.query(`UPDATE ${rig.registry.table} SET checkpoint = 0 WHERE name = $1`, [REMINDER_SCHEDULER_NAME]);
      await eventually('caught up again', async () => (await rig.scheduler.checkpoint()) >= head);
      await sleep(300);
      expect(await reminderEvents()).toBe(issuedBefore);
      expect((await backend.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${rig.states.table}`)).rows[0]!.n).toBe(before.rows[0]!.n);
    }, 20_000);

    it('reaches a due time later than the longest delay in hops, and issues at that time', async () => {
      const p = await new RecordedPartnership(rig.store).formalized();
      // 120 days before the term end, i.e. in ~45 scaled days (~2.1 s): two hops of 1 s, then issued.
      const termEnd = new Date(Date.now() + 165 * 86_400_000).toISOString().slice(0, 10);
      await p.run('AmendAgreement', { agreementRef: 'MOU-1', amendmentKind: 'renewal', newTermEnd: termEnd });
      const job = await eventually('the R-18 job', async () => (await rig.queue.getDelayed()).find((j) => j.data.partnershipId === p.partnershipId && j.data.policy === 'R-18' && j.data.escalation === 0));
      expect(job.opts.delay).toBe(MAX_DELAY_MS);
      const dueMs = Date.parse(job.data.dueAt);
      expect(dueMs - job.timestamp).toBeGreaterThan(MAX_DELAY_MS);
      // The first hop: fired, found not yet due at its own time, back to delayed (same id), nothing issued.
      await eventually('the first hop', async () => {
        const j = await rig.queue.getJob(job.id!);
        return j !== undefined && j.attemptsStarted >= 1 && (await j.getState()) === 'delayed';
      });
      expect(await issuedEvents(rig, p.partnershipId)).toEqual([]);
      const [issued] = await eventually('ReminderIssued', async () => {
        const events = await issuedEvents(rig, p.partnershipId);
        return events.length > 0 ? events : undefined;
      });
      expect(issued!.data).toMatchObject({ policy: 'R-18', escalation: 0, dueAt: job.data.dueAt });
      expect(Date.parse(issued!.metadata['recordedAt'] as string)).toBeGreaterThanOrEqual(dueMs);
      expect(Date.parse(issued!.metadata['recordedAt'] as string) - dueMs).toBeLessThan(1_000);
    }, 20_000);

    it('recovers jobs after a crash between the commit and the scheduling (the sweep), and after Redis lost them (resync)', async () => {
      const p = await new RecordedPartnership(rig.store).formalized();
      await p.run('ChangePartnershipStatus', { status: 'paused', reason: 'x' }); // a check-in every 90 days (~4 s)
      const job = await eventually('the R-17 job', async () => (await rig.queue.getDelayed()).find((j) => j.data.partnershipId === p.partnershipId && j.data.policy === 'R-17'));
      await job.remove();
      await backend.sql.query(`UPDATE ${rig.states.table} SET reconciled = false WHERE partnership_id = $1`, [p.partnershipId]);
      await eventually('rescheduled by the sweep', async () => (await rig.queue.getJob(job.id!)) !== undefined);
      await (await rig.queue.getJob(job.id!))!.remove();
      await rig.scheduler.resync();
      expect(await rig.queue.getJob(job.id!)).toBeDefined();
    }, 20_000);
  });

  describe('more policies, started → fired and satisfied', () => {
    const DAY_MS = 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    /** `YYYY-MM-DD`, `days` after today (UTC). */
    const dateIn = (days: number) => iso(Date.now() + days * DAY_MS).slice(0, 10);
    const midnightOf = (date: string) => Date.parse(`${date}T00:00:00.000Z`);
    /** A due time: the clock's start plus the scaled offset to a nominal time (an offset already past is due at once). */
    const scaledDue = (start: RecordedEvent, nominalMs: number) => {
      const startMs = Date.parse(start.metadata['occurredAt'] as string);
      return startMs + Math.round(Math.max(0, nominalMs - startMs) * rig.settings.timeScale);
    };
    const afterStart = (start: RecordedEvent, days: number) => scaledDue(start, Date.parse(start.metadata['occurredAt'] as string) + days * DAY_MS);

    const jobsOf = async (p: RecordedPartnership, policy: string) => (await rig.queue.getDelayed()).filter((j) => j.data.partnershipId === p.partnershipId && j.data.policy === policy);
    const issuedOf = async (p: RecordedPartnership, policy: string) => (await issuedEvents(rig, p.partnershipId)).filter((e) => e.data['policy'] === policy);

    /** A workstream with an agreed agenda (R-03 satisfied; R-04 started). */
    async function agendaAgreed(p: RecordedPartnership) {
      await p.run('OpenWorkstream', { workstreamId: 'ws-1', title: 'Reading', leadParticipantIds: [P.researcher, P.practitioner] });
      await p.run('DefineProblemOfPractice', { workstreamId: 'ws-1', problemId: 'pr-1', statement: 'Fluency drops', proposedByParticipantIds: [P.teacher], intendedUse: 'Choose routines' });
      const [agreed] = await p.run('AgreeResearchAgenda', {
        workstreamId: 'ws-1',
        agendaId: 'ag-1',
        researchQuestions: [{ questionId: 'q-1', text: 'What helps fluency?' }],
        agreedByParticipantIds: [P.researcher, P.practitioner],
      });
      return agreed!;
    }
    /** … then an evidence review (R-04 satisfied) and a tool (R-05 started). */
    async function toolCreated(p: RecordedPartnership) {
      await agendaAgreed(p);
      await p.run('RecordEvidenceReview', { workstreamId: 'ws-1', reviewId: 'rv-1', sources: ['district data'], evidenceTypes: ['local_data'], contributorParticipantIds: [P.researcher, P.teacher] });
      const [tool] = await p.run('CoDevelopTool', { workstreamId: 'ws-1', toolId: 'tool-1', name: 'Fluency routines', purpose: 'Daily practice', coDesignerParticipantIds: [P.researcher, P.teacher] });
      return tool!;
    }
    /** A DSA executed (far from expiry) and ended today (R-13 satisfied; R-14 started, destruction due in `destructionPeriodDays`). */
    async function dsaEnded(p: RecordedPartnership, destructionPeriodDays: number) {
      await p.run('ExecuteDataSharingAgreement', {
        dsaId: 'dsa-1',
        providerOrganizationId: ORG.district,
        recipientOrganizationIds: [ORG.research],
        legalBasis: 'ferpa_studies_exception',
        purpose: 'Study fluency',
        dataCategories: ['assessment'],
        piiIncluded: true,
        effectiveFrom: dateIn(-30),
        expiresOn: dateIn(3 * 365),
        destructionPeriodDays,
      });
      const [ended] = await p.run('EndDataSharingAgreement', { dsaId: 'dsa-1', endKind: 'terminated', endedOn: dateIn(0) });
      return ended!;
    }

    /**
     * The policy's steps each get a delayed job at the scaled due time, and each is issued once —
     * never before its due time — with the policy's recipients; nothing more follows.
     */
    async function expectIssuedOnce(p: RecordedPartnership, policy: ReminderPolicyId, startedBy: RecordedEvent, subjectKind: string, dueMs: readonly number[], recipientRoles: readonly string[]) {
      const job = await eventually(`the ${policy} job`, async () => (await jobsOf(p, policy)).find((j) => j.data.escalation === 0));
      const subject = job.data.subject as string;
      expect(subject).toMatch(new RegExp(`^${subjectKind}/[^/]+/${startedBy.eventId}$`));
      expect(job.id).toBe(reminderJobIdOf({ partnershipId: p.partnershipId, policy, subject, escalation: 0, dueAt: iso(dueMs[0]!) }));
      const issued = await eventually(`${dueMs.length} ${policy} step(s) issued`, async () => {
        const events = await issuedOf(p, policy);
        return events.length >= dueMs.length ? events : undefined;
      }, 12_000);
      expect(issued.map((e) => e.data)).toEqual(dueMs.map((d, escalation) => expect.objectContaining({ policy, subject, escalation, dueAt: iso(d), recipientRoles })));
      for (const e of issued) expect(Date.parse(e.metadata['recordedAt'] as string)).toBeGreaterThanOrEqual(Date.parse(e.data['dueAt'] as string));
      await eventually(`no ${policy} job left`, async () => (await jobsOf(p, policy)).length === 0);
      await sleep(300);
      expect(await issuedOf(p, policy)).toHaveLength(dueMs.length);
    }

    /** The tool's pilot at school A, approved by the school and the district (no start yet: R-06 started). */
    const approvePilot = (p: RecordedPartnership, plannedStart: string, plannedEnd: string) =>
      p.run('ApprovePilot', {
        workstreamId: 'ws-1',
        pilotId: 'pilot-1',
        toolId: 'tool-1',
        toolVersion: 1,
        siteOrganizationIds: [ORG.schoolA],
        approvals: [{ organizationId: ORG.schoolA, kind: 'school_site_letter', ref: 'LTR-1' }, { organizationId: ORG.district, kind: 'district_research_office', ref: 'RO-1' }],
        consentBasis: 'staff_consent_only',
        plannedStart,
        plannedEnd,
      });

    /** … then a pilot approved and started today, planned to end on `plannedEnd` (R-07 started). */
    async function pilotRunning(p: RecordedPartnership, plannedEnd: string) {
      await toolCreated(p);
      await approvePilot(p, dateIn(0), plannedEnd);
      const [started] = await p.run('StartPilot', { workstreamId: 'ws-1', pilotId: 'pilot-1', startedOn: dateIn(0), siteOrganizationIds: [ORG.schoolA] });
      return started!;
    }
    /** … then stakeholder input gathered on the tool (R-08 started). */
    async function inputGathered(p: RecordedPartnership) {
      await pilotRunning(p, dateIn(300));
      await p.run('ConcludePilot', { workstreamId: 'ws-1', pilotId: 'pilot-1', endedOn: dateIn(0), outcome: 'completed' });
      const [input] = await p.run('RecordStakeholderInput', {
        workstreamId: 'ws-1',
        inputId: 'in-1',
        toolId: 'tool-1',
        toolVersion: 1,
        method: 'survey',
        respondentCounts: { practitioner: 12 },
      });
      return input!;
    }

    /** A DSA with a 60-day no-surprises window, data received under it in ws-1 (R-13 started). */
    async function dataReceived(p: RecordedPartnership) {
      const [executed] = await p.run('ExecuteDataSharingAgreement', {
        dsaId: 'dsa-1',
        providerOrganizationId: ORG.district,
        recipientOrganizationIds: [ORG.research],
        legalBasis: 'ferpa_studies_exception',
        purpose: 'Study fluency',
        dataCategories: ['assessment'],
        piiIncluded: true,
        effectiveFrom: dateIn(-30),
        expiresOn: dateIn(150),
        destructionPeriodDays: 90,
        noSurprisesReviewDays: 60,
      });
      return executed!;
    }

    /**
     * Every policy started → a delayed job at the scaled due time → each step issued once, never
     * early, to the policy's recipients. Each row runs on its own partnership, all at once: the first
     * steps are due two or more scaled seconds after their start, so each delayed job is seen before
     * it fires even on a loaded machine.
     */
    const firings: ReadonlyArray<{ title: string; run: (p: RecordedPartnership) => Promise<void> }> = [
      {
        title: 'R-04 (agenda agreed, no evidence review or study): 60 days after the agenda',
        run: async (p: RecordedPartnership) => {
          const agreed = await agendaAgreed(p);
          await expectIssuedOnce(p, 'R-04', agreed, 'workstream', [afterStart(agreed, 60)], ['workstream_leads']);
        },
      },
      {
        title: 'R-05 (tool created, no pilot approved): 60 days after the tool',
        run: async (p: RecordedPartnership) => {
          const tool = await toolCreated(p);
          await expectIssuedOnce(p, 'R-05', tool, 'tool', [afterStart(tool, 60)], ['workstream_leads']);
        },
      },
      {
        title: 'R-07 (pilot running): at plannedEnd, and again 30 days later without a conclusion',
        run: async (p: RecordedPartnership) => {
          const plannedEnd = dateIn(45);
          const started = await pilotRunning(p, plannedEnd);
          const end = midnightOf(plannedEnd);
          await expectIssuedOnce(p, 'R-07', started, 'pilot', [scaledDue(started, end), scaledDue(started, end + 30 * DAY_MS)], ['workstream_leads']);
        },
      },
      {
        title: 'R-08 (input gathered, no revision or decision): the configured 60 days after the input',
        run: async (p: RecordedPartnership) => {
          const input = await inputGathered(p);
          await expectIssuedOnce(p, 'R-08', input, 'workstream', [afterStart(input, 60)], ['workstream_leads']);
        },
      },
      {
        title: 'R-14 (disposal due after a DSA ended): 14 days before the destruction date, then overdue after it',
        run: async (p: RecordedPartnership) => {
          const ended = await dsaEnded(p, 60);
          const deadline = midnightOf(ended.data['destructionDueBy'] as string);
          await expectIssuedOnce(p, 'R-14', ended, 'dsa', [scaledDue(ended, deadline - 14 * DAY_MS), scaledDue(ended, deadline + DAY_MS)], ['recipient_leads']);
        },
      },
      {
        title: 'R-17 (partnership paused): a check-in the configured 60 days into the pause; resuming ends the clock',
        run: async (p: RecordedPartnership) => {
          const [paused] = await p.run('ChangePartnershipStatus', { status: 'paused', reason: 'summer' });
          const job = await eventually('the R-17 job', async () => (await jobsOf(p, 'R-17')).find((j) => j.data.escalation === 0));
          expect(job.data.subject).toMatch(new RegExp(`^partnership/[^/]+/${paused!.eventId}$`));
          expect(job.data.dueAt).toBe(iso(afterStart(paused!, 60)));
          const [issued] = await eventually('the first check-in', async () => {
            const events = await issuedOf(p, 'R-17');
            return events.length > 0 ? events : undefined;
          }, 12_000);
          expect(issued!.data).toMatchObject({ policy: 'R-17', escalation: 0, dueAt: iso(afterStart(paused!, 60)), recipientRoles: ['co_leads'] });
          expect(Date.parse(issued!.metadata['recordedAt'] as string)).toBeGreaterThanOrEqual(afterStart(paused!, 60));
          // The next check-in is scheduled while the pause lasts; resuming removes it and nothing more is issued.
          const next = await eventually('the second check-in scheduled', async () => (await jobsOf(p, 'R-17')).find((j) => j.data.escalation === 1));
          expect(next.data.dueAt).toBe(iso(afterStart(paused!, 120)));
          await p.run('ChangePartnershipStatus', { status: 'active', reason: 'back' });
          await eventually('the check-in removed', async () => (await rig.queue.getJob(next.id!)) === undefined);
          await sleep(Math.max(0, afterStart(paused!, 120) - Date.now()) + 400);
          expect(await issuedOf(p, 'R-17')).toHaveLength(1);
        },
      },
      {
        title: 'R-03 (problem defined, no agreed agenda): 45 days after the problem',
        run: async (p: RecordedPartnership) => {
          await p.run('OpenWorkstream', { workstreamId: 'ws-1', title: 'Reading', leadParticipantIds: [P.researcher, P.practitioner] });
          const [defined] = await p.run('DefineProblemOfPractice', { workstreamId: 'ws-1', problemId: 'pr-1', statement: 'Fluency drops', proposedByParticipantIds: [P.teacher], intendedUse: 'Choose routines' });
          await expectIssuedOnce(p, 'R-03', defined!, 'workstream', [afterStart(defined!, 45)], ['workstream_leads', 'brokers']);
        },
      },
      {
        title: 'R-06 (pilot approved, not started): 30 days after the planned start',
        run: async (p: RecordedPartnership) => {
          await toolCreated(p);
          const plannedStart = dateIn(30);
          const [approved] = await approvePilot(p, plannedStart, dateIn(200));
          await expectIssuedOnce(p, 'R-06', approved!, 'pilot', [scaledDue(approved!, midnightOf(plannedStart) + 30 * DAY_MS)], ['practice_side_leads']);
        },
      },
      {
        title: 'R-10 (findings shared, not jointly interpreted): at the configured 45 days, again at 90',
        run: async (p: RecordedPartnership) => {
          await inputGathered(p);
          const [shared] = await p.run('SharePreliminaryFindings', { workstreamId: 'ws-1', findingsId: 'f-1', sourceId: 'pilot-1', sharedWithOrganizationIds: [ORG.district] });
          await expectIssuedOnce(p, 'R-10', shared!, 'findings', [afterStart(shared!, 45), afterStart(shared!, 90)], ['workstream_participants']);
        },
      },
      {
        title: 'R-11 (interpreted, no use or dissemination): 60 days after the joint interpretation',
        run: async (p: RecordedPartnership) => {
          await findingsShared(p);
          const [interpreted] = await interpretJointly(p);
          await expectIssuedOnce(p, 'R-11', interpreted!, 'findings', [afterStart(interpreted!, 60)], ['practice_side_leads', 'brokers']);
        },
      },
      {
        title: 'R-12 (no-surprises review pending, findings from DSA data): when the agreement’s 60-day review window ends',
        run: async (p: RecordedPartnership) => {
          await dataReceived(p);
          await pilotRunning(p, dateIn(300));
          await p.run('RecordDataReceived', { workstreamId: 'ws-1', transferId: 't-1', dsaId: 'dsa-1', dataCategories: ['assessment'], piiIncluded: true, receivedOn: dateIn(0) });
          await p.run('ConcludePilot', { workstreamId: 'ws-1', pilotId: 'pilot-1', endedOn: dateIn(0), outcome: 'completed' });
          const [shared] = await p.run('SharePreliminaryFindings', { workstreamId: 'ws-1', findingsId: 'f-1', sourceId: 'pilot-1', sharedWithOrganizationIds: [ORG.district] });
          await expectIssuedOnce(p, 'R-12', shared!, 'findings', [afterStart(shared!, 60)], ['practice_side_reviewers']);
        },
      },
      {
        title: 'R-13 (DSA expiry): 90, 30 and 7 days before it expires',
        run: async (p: RecordedPartnership) => {
          const executed = await dataReceived(p);
          const expires = midnightOf(executed.data['expiresOn'] as string);
          await expectIssuedOnce(p, 'R-13', executed, 'dsa', [90, 30, 7].map((d) => scaledDue(executed, expires - d * DAY_MS)), ['data_stewards', 'co_leads']);
        },
      },
      {
        title: 'R-18 (agreement term ending): 120 and 30 days before the term ends',
        run: async (p: RecordedPartnership) => {
          const termEnd = dateIn(180);
          const [amended] = await p.run('AmendAgreement', { agreementRef: 'MOU-1', amendmentKind: 'renewal', newTermEnd: termEnd });
          await expectIssuedOnce(p, 'R-18', amended!, 'agreement', [120, 30].map((d) => scaledDue(amended!, midnightOf(termEnd) - d * DAY_MS)), ['co_leads']);
        },
      },
    ];

    /** Runs independent checks at once (each on its own partnership) and reports every failure by name. */
    async function allPass(checks: ReadonlyArray<readonly [string, () => Promise<void>]>) {
      const results = await Promise.allSettled(checks.map(([, check]) => check()));
      const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${checks[i]![0]}: ${(r.reason as Error)?.message ?? String(r.reason)}`] : []));
      expect(failures).toEqual([]);
    }

    it(`every policy started → fired at its scaled due time, each step once (${firings.map((f) => f.title.slice(0, 4)).join(', ')})`, async () => {
      await allPass(firings.map((f) => [f.title, async () => f.run(await new RecordedPartnership(rig.store).formalized())] as const));
    }, 60_000);

    /** … then preliminary findings from the pilot shared with the district (R-10 started). */
    async function findingsShared(p: RecordedPartnership) {
      await inputGathered(p);
      await p.run('SharePreliminaryFindings', { workstreamId: 'ws-1', findingsId: 'f-1', sourceId: 'pilot-1', sharedWithOrganizationIds: [ORG.district] });
    }
    const interpretJointly = (p: RecordedPartnership) =>
      p.run('InterpretFindingsJointly', {
        workstreamId: 'ws-1',
        findingsId: 'f-1',
        sessionOn: dateIn(0),
        attendeeParticipantIds: [P.researcher, P.practitioner],
        followUpQuestions: [],
        agreedImplications: ['Keep the routine'],
      });

    /**
     * Satisfaction with the real scheduler and queue, one policy per row: the starting history puts
     * the policy's first step two or more scaled seconds away; the satisfying event removes every job
     * of that clock (its subject), the view no longer lists it, and nothing of it is ever issued.
     */
    const satisfactions: ReadonlyArray<{ policy: string; by: string; start: (p: RecordedPartnership) => Promise<unknown>; satisfy: (p: RecordedPartnership) => Promise<unknown> }> = [
      {
        policy: 'R-03',
        by: 'an agreed agenda',
        start: async (p) => {
          await p.run('OpenWorkstream', { workstreamId: 'ws-1', title: 'Reading', leadParticipantIds: [P.researcher, P.practitioner] });
          await p.run('DefineProblemOfPractice', { workstreamId: 'ws-1', problemId: 'pr-1', statement: 'Fluency drops', proposedByParticipantIds: [P.teacher], intendedUse: 'Choose routines' });
        },
        satisfy: (p) =>
          p.run('AgreeResearchAgenda', { workstreamId: 'ws-1', agendaId: 'ag-1', researchQuestions: [{ questionId: 'q-1', text: 'What helps?' }], agreedByParticipantIds: [P.researcher, P.practitioner] }),
      },
      {
        policy: 'R-05',
        by: 'an approved pilot',
        start: (p) => toolCreated(p),
        satisfy: (p) =>
          approvePilot(p, dateIn(60), dateIn(200)),
      },
      {
        policy: 'R-06',
        by: 'the pilot’s start',
        start: async (p) => {
          await toolCreated(p);
          await approvePilot(p, dateIn(30), dateIn(200)); // due plannedStart + 30 days
        },
        satisfy: (p) => p.run('StartPilot', { workstreamId: 'ws-1', pilotId: 'pilot-1', startedOn: dateIn(0), siteOrganizationIds: [ORG.schoolA] }),
      },
      { policy: 'R-10', by: 'a joint interpretation', start: (p) => findingsShared(p), satisfy: (p) => interpretJointly(p) },
      {
        policy: 'R-11',
        by: 'a dissemination',
        start: async (p) => {
          await findingsShared(p);
          await interpretJointly(p);
        },
        satisfy: (p) => p.run('DisseminateFindings', { workstreamId: 'ws-1', findingsId: 'f-1', artifactKind: 'brief', audience: 'partner_internal', releasedOn: dateIn(0) }),
      },
      {
        policy: 'R-04',
        by: 'an evidence review',
        start: (p) => agendaAgreed(p),
        satisfy: (p) =>
          p.run('RecordEvidenceReview', { workstreamId: 'ws-1', reviewId: 'rv-1', sources: ['district data'], evidenceTypes: ['local_data'], contributorParticipantIds: [P.researcher, P.teacher] }),
      },
      {
        policy: 'R-07',
        by: 'the pilot’s conclusion (both steps)',
        start: (p) => pilotRunning(p, dateIn(45)),
        satisfy: (p) => p.run('ConcludePilot', { workstreamId: 'ws-1', pilotId: 'pilot-1', endedOn: dateIn(0), outcome: 'completed' }),
      },
      {
        policy: 'R-08',
        by: 'a revision of the tool',
        start: (p) => inputGathered(p),
        satisfy: (p) =>
          p.run('ReviseTool', { workstreamId: 'ws-1', toolId: 'tool-1', answersInputIds: ['in-1'], changeSummary: 'Shorter routine', revisedWithParticipantIds: [P.teacher] }),
      },
      {
        policy: 'R-14',
        by: 'a disposal certificate (notice and overdue)',
        start: (p) => dsaEnded(p, 60),
        satisfy: (p) => p.run('CertifyDataDisposal', { dsaId: 'dsa-1', certifiedByParticipantId: P.researcher, method: 'secure deletion', disposedOn: dateIn(0) }),
      },
      {
        policy: 'R-12',
        by: 'the practice partner’s review',
        start: async (p) => {
          await dataReceived(p);
          await pilotRunning(p, dateIn(300));
          await p.run('RecordDataReceived', { workstreamId: 'ws-1', transferId: 't-1', dsaId: 'dsa-1', dataCategories: ['assessment'], piiIncluded: true, receivedOn: dateIn(0) });
          await p.run('ConcludePilot', { workstreamId: 'ws-1', pilotId: 'pilot-1', endedOn: dateIn(0), outcome: 'completed' });
          await p.run('SharePreliminaryFindings', { workstreamId: 'ws-1', findingsId: 'f-1', sourceId: 'pilot-1', sharedWithOrganizationIds: [ORG.district] });
        },
        satisfy: (p) => p.run('RecordPracticePartnerReview', { workstreamId: 'ws-1', findingsId: 'f-1', reviewerOrganizationId: ORG.district, outcome: 'cleared' }),
      },
      {
        policy: 'R-13',
        by: 'the agreement’s end',
        start: (p) =>
          p.run('ExecuteDataSharingAgreement', {
            dsaId: 'dsa-1',
            providerOrganizationId: ORG.district,
            recipientOrganizationIds: [ORG.research],
            legalBasis: 'ferpa_studies_exception',
            purpose: 'Study fluency',
            dataCategories: ['assessment'],
            piiIncluded: true,
            effectiveFrom: dateIn(-30),
            expiresOn: dateIn(150), // steps 90, 30 and 7 days before: the first 60 days away
            destructionPeriodDays: 90,
          }),
        satisfy: (p) => p.run('EndDataSharingAgreement', { dsaId: 'dsa-1', endKind: 'terminated', endedOn: dateIn(0) }),
      },
      {
        policy: 'R-18',
        by: 'a renewal (which starts a new clock for the new term)',
        start: (p) => p.run('AmendAgreement', { agreementRef: 'MOU-1', amendmentKind: 'renewal', newTermEnd: dateIn(180) }),
        satisfy: (p) => p.run('AmendAgreement', { agreementRef: 'MOU-1', amendmentKind: 'renewal', newTermEnd: dateIn(1_000) }),
      },
    ];

    /** One row: start the clock, see its jobs, satisfy it, then nothing of that clock is left or issued. */
    async function satisfiedCheck({ policy, start, satisfy }: (typeof satisfactions)[number]): Promise<void> {
      const p = await new RecordedPartnership(rig.store).formalized();
      await start(p);
      await eventually(`the ${policy} job`, async () => ((await jobsOf(p, policy)).length > 0 ? true : undefined));
      await sleep(200); // every step of the clock is scheduled in the same batch
      const jobs = await jobsOf(p, policy);
      const subject = jobs[0]!.data.subject as string;
      const lastDueMs = Math.max(...jobs.map((j) => Date.parse(j.data.dueAt as string)));
      await satisfy(p);
      await eventually('the jobs removed', async () => (await Promise.all(jobs.map((j) => rig.queue.getJob(j.id!)))).every((j) => j === undefined));
      const view = await readReminders(rig.store, rig.states, rig.settings, p.partnershipId);
      expect(view.scheduled.filter((r) => r.policy === policy && r.subject === subject)).toEqual([]);
      // Past every step's due time: still nothing of that clock (a stale job would have fired by now).
      await sleep(Math.max(0, lastDueMs - Date.now()) + 400);
      expect((await issuedOf(p, policy)).filter((e) => e.data['subject'] === subject)).toEqual([]);
      expect((await jobsOf(p, policy)).filter((j) => j.data.subject === subject)).toEqual([]);
    }

    it(`every policy satisfied: its jobs removed, the view drops it, nothing issued past its due times (${satisfactions.map((r) => r.policy).join(', ')})`, async () => {
      await allPass(satisfactions.map((row) => [`${row.policy} satisfied by ${row.by}`, () => satisfiedCheck(row)] as const));
    }, 60_000);

  });
});
