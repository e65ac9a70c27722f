/**
 * SIGKILL of a worker mid-work (issue 8, fault suite): during webhook delivery (requests in flight
 * to the receiver) and during reminder firing (a reminder job held mid-run). One API process and
 * worker processes run from source on the shared PostgreSQL and Redis (a fresh schema and queue
 * prefix). SIGKILL during live projection and during a rebuild is covered by
 * test/e2e/projections-resilience.e2e-spec.ts, and a worker killed while reminder jobs are pending by
 * test/e2e/reminders-resilience.e2e-spec.ts; `npm run test:faults` runs those too.
 *
 * 1. Delivery: the receiver holds every request (never answers in time); once several are in
 *    flight the worker sending them is SIGKILLed, the receiver turns healthy and a replacement worker
 *    starts. BullMQ finds the jobs stalled (their lock lapses), the dispatcher's sweep re-offers the
 *    lane heads: every event is delivered, the killed attempts only as retries of the same webhook-id.
 * 2. Reminder firing: R-01 falls due 8 s after a proposal. Just before it does, the test holds the
 *    event store's append lock, so the firing job stops inside its append (after its re-check); the
 *    worker running it is SIGKILLed while the job is active, the lock released, a replacement started.
 *    The job is retried (stalled), re-checks, and each reminder is issued exactly once.
 * Then the invariants: read models equal to a clean rebuild, every event delivered, every due
 * reminder issued once.
 */
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { QUEUES, workerRedisOptions } from '@trellis/platform';
import { advisoryLockKey } from '../../libs/event-store/src/sql/sql-client';
import { CommandLoad, check, EngineRig, sleep, waitFor, faultEngineEnv } from '../support/fault-rig';
import { expectEveryEventDelivered, expectReadModelsComplete, expectRemindersIssuedOnce } from '../support/fault-invariants';
import { killAllEngineProcesses, type EngineProcess } from '../support/processes';
import { DATABASE_URL, REDIS_URL } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

/** 90 days → 8 s. */
const R01_DUE_MS = 8_000;

let rig: EngineRig;
let receiver: WebhookReceiver;
let reminders: Queue;
let subscriptionId: string;
let holding = true;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  receiver.behave('/all', () => (holding ? { status: 200, delayMs: 120_000 } : 200));
  rig = new EngineRig({
    label: 'fkill',
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    env: faultEngineEnv(R01_DUE_MS),
  });
  await rig.start();
  reminders = new Queue(QUEUES.reminders, { connection: workerRedisOptions(REDIS_URL), prefix: rig.queuePrefix });
}, 200_000);

afterAll(async () => {
  await killAllEngineProcesses();
  await reminders?.close();
  await rig?.close();
  await receiver?.close();
}, 60_000);

async function sigkill(worker: EngineProcess): Promise<void> {
  const status = await worker.kill('SIGKILL');
  check(status.signal === 'SIGKILL', `${worker.name} was not killed by SIGKILL: ${JSON.stringify(status)}`);
}

it('1. SIGKILL of the worker while webhook requests are in flight: a replacement delivers every event, the killed attempts only retried', () =>
  rig.withLogs(async () => {
    const sub = await rig.api.post('/subscriptions', { url: receiver.url('/all'), description: 'fault suite: SIGKILL during delivery' });
    check(sub.status === 201, `POST /subscriptions → ${sub.status}: ${sub.text}`);
    subscriptionId = sub.body.id as string;
    const load = new CommandLoad(rig.api, { lanes: 4, pauseMs: 20, maxCommands: 40, label: 'SIGKILL delivery' });
    await waitFor(() => receiver.inFlight >= 4, 'requests in flight to the receiver', 60_000, () => `${receiver.at('/all').length} answered, ${receiver.inFlight} in flight`);
    const [victim] = rig.workers;
    const inFlight = receiver.inFlight;
    await sigkill(victim!);
    holding = false;
    await load.stop();
    const replacement = rig.startWorker();
    await rig.workerReady(replacement);
    const delivered = await expectEveryEventDelivered(rig, receiver, '/all', { subscriptionId, timeoutMs: 240_000 });
    process.stdout.write(`[faults] SIGKILL during delivery: ${inFlight} requests in flight at the kill; ${delivered}\n`);
  }), 6 * 60_000);

it('2. SIGKILL of the worker while a reminder job is held mid-run (inside its append): the job is retried elsewhere and each reminder is issued once', () =>
  rig.withLogs(async () => {
    // Three partnerships left exploring: R-01 falls due 8 s after each proposal.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await rig.api.post('/partnerships', { name: `Held reminder ${i}`, initiationMode: 'community', focus: 'Attendance' });
      check(res.status === 201, `ProposePartnership → ${res.status}: ${res.text}`);
      ids.push(res.body.partnershipId as string);
    }
    const proposedAt = Date.now();
    await waitFor(async () => (await reminders.getDelayed()).filter((j) => j.name === 'reminder' && ids.includes(j.data.partnershipId)).length === 3, 'the three R-01 jobs scheduled', R01_DUE_MS - 1_000);

    // Hold the append lock before they fall due: a firing job re-checks, then waits inside its append.
    const locker = new Client({ connectionString: DATABASE_URL, application_name: `trellis_${rig.schema}_locker` });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey('trellis:event-store:append', rig.schema).toString()]);
      const lockedAt = Date.now();
      check(lockedAt < proposedAt + R01_DUE_MS, 'the append lock was taken only after the reminders fell due: the machine is too slow for these durations');
      const active = await waitFor(
        async () => {
          const jobs = (await reminders.getActive()).filter((j) => j.name === 'reminder' && ids.includes(j.data.partnershipId));
          return jobs.length > 0 ? jobs : undefined;
        },
        'a reminder job running (held inside its append)',
        60_000,
      );
      const [victim] = rig.workers;
      await sigkill(victim!);
      check((await rig.readAll((e) => e.type === 'ReminderIssued' && ids.includes(e.data['partnershipId'] as string))).length === 0, 'a reminder was issued while the append lock was held');
      await locker.query('ROLLBACK');
      const replacement = rig.startWorker();
      await rig.workerReady(replacement);
      const issued = await expectRemindersIssuedOnce(rig, ids.map((partnershipId) => ({ partnershipId, policy: 'R-01' })), 120_000);
      process.stdout.write(`[faults] SIGKILL during reminder firing: ${active.length} reminder jobs held mid-run at the kill; ${issued}\n`);
    } finally {
      await locker.end().catch(() => undefined);
    }
  }), 6 * 60_000);

it('3. afterwards: every event in every read model once (equal to a clean rebuild), every event delivered, every due reminder issued once', () =>
  rig.withLogs(async () => {
    const proposals = await rig.readAll((e) => e.type === 'PartnershipProposed');
    const due = Math.max(...proposals.map((e) => Date.parse(e.metadata['recordedAt'] as string))) + R01_DUE_MS;
    await sleep(Math.max(0, due - Date.now())); // until the last R-01 is due (then polled, not assumed)
    const issued = await expectRemindersIssuedOnce(rig, proposals.map((e) => ({ partnershipId: e.data['partnershipId'] as string, policy: 'R-01' })), 120_000);
    const readModels = await expectReadModelsComplete(rig, { cleanRebuild: true });
    const delivered = await expectEveryEventDelivered(rig, receiver, '/all', { subscriptionId, timeoutMs: 240_000 });
    process.stdout.write(`[faults] after the SIGKILLs: ${readModels}; ${delivered}; ${issued}\n`);
  }), 8 * 60_000);
