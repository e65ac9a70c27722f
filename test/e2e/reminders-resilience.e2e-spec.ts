/**
 * Reminders survive a killed worker (DESIGN.md §8): real worker processes (`apps/worker/src/main.ts`,
 * run from source as test/support/processes.ts starts them), real PostgreSQL (a fresh schema), real
 * Redis (a fresh queue prefix) and a real SMTP server on loopback. Histories are appended straight
 * into the event store, as the projections' resilience suite does; no API process is needed.
 *
 * Time is scaled so that 30 days last 5 s (R-15 "departure without successor": 30 days; R-03 "problem
 * defined, no agreed agenda": set to 36 days, 6 s). The scheduler's lease and the reminder jobs' lock
 * are 2 s, so a dead worker's work is taken over in seconds.
 *
 * The scenario: w1 schedules the reminder jobs of several clocks; it is SIGKILLed before any is due.
 * While no worker runs, one clock is satisfied (it must never fire), another starts (it must be
 * scheduled by the next worker), and the first due times pass. Then w2 starts: every due reminder is issued exactly once (one
 * ReminderIssued per step in the log, one e-mail), none before its due time, and none by the dead w1.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { createPostgresEventStore, PgSqlClient, type RecordedEvent, type SqlEventStore } from '@trellis/event-store';
import { QUEUES, workerRedisOptions } from '@trellis/platform';
import { ORG, P, RecordedPartnership } from '../../libs/reminders/src/testing/reminder-log';
import { SmtpSink } from '../../libs/reminders/src/testing/smtp-sink';
import { ENGINE_ENTRY, killAllEngineProcesses, postgresEngineEnv, startEngineProcess, type EngineProcess } from '../support/processes';
import { DATABASE_URL, REDIS_URL } from '../support/test-app';

const SCHEMA = `rrs_${randomBytes(5).toString('hex')}`;
const QUEUE_PREFIX = `trellis-reminders-resilience-${SCHEMA}`;
const ADMIN_KEY = `trk_test_${randomBytes(24).toString('base64url')}`;
/** 30 days → 5 s. */
const TIME_SCALE_DENOMINATOR = 518_400;
const SCALED_DAY_MS = 86_400_000 / TIME_SCALE_DENOMINATOR;
const DAYS = { 'R-15': 30, 'R-03': 36 } as const;
const LOCK_MS = 2_000;
const MAILBOX = { co_leads: 'co-leads@resilience.example', workstream_leads: 'leads@resilience.example' } as const;
/** Generous: two worker start-ups from source on a loaded 2-core machine. */
const DEADLINE_MS = 45_000;

let sql: PgSqlClient;
let store: SqlEventStore;
let queue: Queue;
let smtp: SmtpSink;
const started: EngineProcess[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function engineEnv(label: string): Record<string, string> {
  return {
    ...postgresEngineEnv({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, schema: SCHEMA, queuePrefix: QUEUE_PREFIX, adminKey: ADMIN_KEY, label }),
    REMINDER_TIME_SCALE: `1/${TIME_SCALE_DENOMINATOR}`,
    REMINDER_R15_DAYS: String(DAYS['R-15']),
    REMINDER_R03_DAYS: String(DAYS['R-03']),
    REMINDER_JOB_LOCK_MS: String(LOCK_MS),
    REMINDER_SCHEDULER_LEASE_MS: String(LOCK_MS),
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Trellis <trellis@resilience.example>',
    REMINDER_RECIPIENTS: JSON.stringify({ roles: { co_leads: [MAILBOX.co_leads], workstream_leads: [MAILBOX.workstream_leads] } }),
  };
}

function startWorker(label: string): EngineProcess {
  const worker = startEngineProcess(label, ENGINE_ENTRY.worker, engineEnv(label));
  started.push(worker);
  return worker;
}

const workerReady = (w: EngineProcess) => w.waitForLog(/Trellis worker started/, `${w.name} to start`, 90_000);

/** Runs the scenario; a failure message gets the last log lines of every worker. */
async function withLogs(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const e = error as Error;
    const wrapped = new Error(`${e.message}\n\nLast log lines of the workers:\n${started.map((p) => p.tail(30)).join('\n')}`);
    wrapped.stack = `${wrapped.message}\n${(e.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at ')).join('\n')}`;
    throw wrapped;
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs: number, explain?: () => Promise<string>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${await explain()}` : ''}`);
    await sleep(100);
  }
}

/** A reminder step this test expects (or expects never to be issued). */
interface Step {
  readonly partnershipId: string;
  readonly policy: 'R-15' | 'R-03';
  readonly subject: string;
  readonly dueMs: number;
}
const keyOf = (s: { partnershipId: string; policy: string; subject: string; escalation?: number }) => `${s.partnershipId} ${s.policy} ${s.subject} e${s.escalation ?? 0}`;

/** Starts R-15: a participant of school A departs with no successor. */
async function departure(p: RecordedPartnership): Promise<Step> {
  const [departed] = await p.run('DepartParticipant', { participantId: P.teacher, reason: 'moved' });
  return stepOf(p, 'R-15', `participant/${P.teacher}/${departed!.eventId}`, departed!);
}

/** Starts R-03: a problem of practice defined in a new workstream, no agenda agreed. */
async function problemDefined(p: RecordedPartnership): Promise<Step> {
  await p.run('OpenWorkstream', { workstreamId: 'ws-1', title: 'Reading', leadParticipantIds: [P.researcher, P.practitioner] });
  const [defined] = await p.run('DefineProblemOfPractice', { workstreamId: 'ws-1', problemId: 'pr-1', statement: 'Fluency drops', proposedByParticipantIds: [P.teacher], intendedUse: 'Choose routines' });
  return stepOf(p, 'R-03', `workstream/ws-1/${defined!.eventId}`, defined!);
}

function stepOf(p: RecordedPartnership, policy: Step['policy'], subject: string, startedBy: RecordedEvent): Step {
  const dueMs = Date.parse(startedBy.metadata['occurredAt'] as string) + Math.round(DAYS[policy] * SCALED_DAY_MS);
  return { partnershipId: p.partnershipId, policy, subject, dueMs };
}

async function issuedEvents(): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll({ filter: { eventTypes: ['ReminderIssued'] } })) if (e.type === 'ReminderIssued') out.push(e);
  return out;
}

const reminderJobs = async (states: Parameters<Queue['getJobs']>[0]) => (await queue.getJobs(states)).filter((j) => j.name === 'reminder');

async function queueReport(): Promise<string> {
  const jobs = await queue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed']);
  const lines = await Promise.all(jobs.filter((j) => j.name !== 'scheduler').map(async (j) => `  ${j.id}: ${await j.getState()}, attempts ${j.attemptsMade}, stalled ${j.stalledCounter}, result ${JSON.stringify(j.returnvalue)}, failed ${j.failedReason ?? '-'}`));
  const issued = (await issuedEvents()).map((e) => `  ${keyOf(e.data as never)} recorded ${e.metadata['recordedAt']}`);
  return `reminder queue:\n${lines.join('\n') || '  (empty)'}\nReminderIssued in the log:\n${issued.join('\n') || '  (none)'}`;
}

beforeAll(async () => {
  sql = PgSqlClient.fromUrl(DATABASE_URL, { max: 2, applicationName: `trellis_${SCHEMA}_test` });
  await sql.query(`CREATE SCHEMA ${SCHEMA}`);
  store = await createPostgresEventStore({ connectionString: DATABASE_URL, schema: SCHEMA, poolSize: 4, applicationName: `trellis_${SCHEMA}_writer` });
  queue = new Queue(QUEUES.reminders, { connection: workerRedisOptions(REDIS_URL), prefix: QUEUE_PREFIX });
  smtp = await new SmtpSink().start();
}, 60_000);

afterAll(async () => {
  await killAllEngineProcesses();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await smtp?.close();
  await store?.close();
  await sql?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await sql?.close();
}, 60_000);

it('a worker SIGKILLed while reminder jobs are pending: after a restart each due reminder is issued once, on time, and e-mailed once', () =>
  withLogs(async () => {
    const w1 = startWorker('w1');
    await workerReady(w1);

    // Clocks started while w1 runs: R-15 and R-03 in three partnerships, plus one R-15 that will be
    // satisfied while no worker runs.
    const partnerships = await Promise.all([0, 1, 2, 3].map(() => new RecordedPartnership(store).formalized()));
    const beforeKill: Step[] = [];
    for (const p of partnerships.slice(0, 3)) {
      const defined = await problemDefined(p); // before the departure: the departing teacher proposes the problem
      beforeKill.push(defined, await departure(p));
    }
    const toSatisfy = await departure(partnerships[3]!);
    const ours = new Set([...partnerships.map((p) => p.partnershipId)]);

    // w1 has scheduled every one of them as a delayed job at its due time; none is issued yet.
    const expectedJobs = [...beforeKill, toSatisfy].map((s) => `${keyOf(s)} ${new Date(s.dueMs).toISOString()}`).sort();
    await waitFor(
      async () => {
        const delayed = (await reminderJobs(['delayed'])).filter((j) => ours.has(j.data.partnershipId));
        const seen = delayed.map((j) => `${keyOf(j.data)} ${j.data.dueAt}`).sort();
        return JSON.stringify(seen) === JSON.stringify(expectedJobs);
      },
      'w1 to schedule the reminder jobs',
      Math.min(...beforeKill.map((s) => s.dueMs)) - Date.now() - 300,
      async () => `expected jobs:\n  ${expectedJobs.join('\n  ')}\n${await queueReport()}`,
    );
    check((await issuedEvents()).length === 0, `a reminder was issued before any was due:\n${await queueReport()}`);

    const status = await w1.kill('SIGKILL');
    const killedAt = Date.now();
    check(status.signal === 'SIGKILL', `w1 was not killed by SIGKILL: ${JSON.stringify(status)}`);
    check(killedAt < Math.min(...beforeKill.map((s) => s.dueMs)), `w1 was killed only after a reminder fell due: the machine is too slow for these durations`);
    check((await issuedEvents()).length === 0, `a reminder was issued before w1 was killed:\n${await queueReport()}`);

    // While no worker runs: one clock satisfied (a successor joins school A), one new clock started.
    await partnerships[3]!.run('JoinParticipant', { participantId: 'p-new-teacher', organizationId: ORG.schoolA, roles: ['practitioner'] });
    const late = new RecordedPartnership(store);
    await late.formalized();
    ours.add(late.partnershipId);
    const startedWhileDown = await departure(late);
    const expected = [...beforeKill, startedWhileDown];

    // Let the first due times pass with no worker at all: those jobs are overdue when w2 starts, the
    // later ones fall due while it runs.
    const firstDue = Math.min(...beforeKill.map((s) => s.dueMs));
    await sleep(Math.max(0, firstDue + 200 - Date.now()));
    const overdueAtRestart = expected.filter((s) => s.dueMs < Date.now()).length;
    check(overdueAtRestart > 0, 'no reminder was overdue when w2 started');
    const w2 = startWorker('w2');
    await workerReady(w2);
    const w2ReadyAt = Date.now();

    // Every due reminder issued, each once, never before its due time.
    const byKey = new Map(expected.map((s) => [keyOf(s), s]));
    const issued = await waitFor(
      async () => {
        const events = (await issuedEvents()).filter((e) => ours.has(e.data['partnershipId'] as string));
        return events.length >= expected.length ? events : undefined;
      },
      `${expected.length} reminders to be issued after the restart`,
      DEADLINE_MS,
      queueReport,
    );
    const keys = issued.map((e) => keyOf(e.data as never)).sort();
    expect(keys).toEqual([...byKey.keys()].sort());
    for (const e of issued) {
      const step = byKey.get(keyOf(e.data as never))!;
      const recordedMs = Date.parse(e.metadata['recordedAt'] as string);
      expect(e.data['dueAt']).toBe(new Date(step.dueMs).toISOString());
      check(recordedMs >= step.dueMs, `${keyOf(step)} was issued ${step.dueMs - recordedMs} ms early`);
      check(recordedMs > killedAt, `${keyOf(step)} was issued before the kill`);
    }

    // Settled: no reminder job of ours left to run; the satisfied clock is past its due time.
    await waitFor(
      async () => (await reminderJobs(['delayed', 'waiting', 'active', 'prioritized', 'waiting-children'])).every((j) => !ours.has(j.data.partnershipId)) && Date.now() > toSatisfy.dueMs + 500,
      'no reminder job left',
      DEADLINE_MS,
      queueReport,
    );
    const final = (await issuedEvents()).filter((e) => ours.has(e.data['partnershipId'] as string));
    expect(final.map((e) => keyOf(e.data as never)).sort()).toEqual([...byKey.keys()].sort());
    check(!final.some((e) => e.data['partnershipId'] === toSatisfy.partnershipId), 'the clock satisfied while no worker ran was issued');

    // Issued by w2 alone (the issuing log line), and one e-mail per reminder to its role mailbox.
    expect(w1.grep(/Reminder R-\d+ \(step \d+\) issued/)).toEqual([]);
    expect(w2.grep(/Reminder R-\d+ \(step \d+\) issued/)).toHaveLength(expected.length);
    await waitFor(async () => issued.every((e) => smtp.messages.some((m) => m.header('X-Trellis-Reminder') === e.eventId)), 'the e-mails', DEADLINE_MS);
    await sleep(500);
    for (const e of issued) {
      const mails = smtp.messages.filter((m) => m.header('X-Trellis-Reminder') === e.eventId);
      expect(mails.map((m) => m.to)).toEqual([[e.data['policy'] === 'R-15' ? MAILBOX.co_leads : MAILBOX.workstream_leads]]);
    }
    process.stdout.write(
      `[reminders-resilience] killed w1 ${Math.min(...beforeKill.map((s) => s.dueMs)) - killedAt} ms before the first due time; ` +
        `w2 started with ${overdueAtRestart} of ${expected.length} reminders overdue, ready ${w2ReadyAt - killedAt} ms after the kill; ${issued.length} issued, latest ${Math.max(...issued.map((e) => Date.parse(e.metadata['recordedAt'] as string) - byKey.get(keyOf(e.data as never))!.dueMs))} ms after its due time\n`,
    );
  }), 120_000);
