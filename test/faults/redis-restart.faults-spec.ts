/**
 * Redis stopped and restarted under load (issue 8, fault suite). The engine — one API process and one
 * worker process run from source — uses a private `redis-server` on a free port (no persistence: it
 * comes back empty, as a Redis that lost its data would) and the shared PostgreSQL (a fresh schema).
 * Commands keep flowing through the API the whole time; a webhook receiver subscribes to every event;
 * reminders run on a scaled clock (R-01, 90 days → 15 s) so that delayed reminder jobs are in Redis
 * when it stops, and are lost with it.
 *
 * While Redis is down, commands still append to PostgreSQL and are answered 201 (the API's rate
 * limiter fails open; nothing on the command path needs Redis). After the restart the engine recovers
 * by itself: the job schedulers are re-created, the reminder scheduler resynchronises the delayed jobs
 * lost with Redis, the dispatcher re-offers every undelivered lane head. Then the invariants: every
 * event in every read model exactly once, every event delivered, every due reminder issued once.
 */
import { Queue } from 'bullmq';
import { QUEUES, workerRedisOptions } from '@trellis/platform';
import { CommandLoad, check, EngineRig, sleep, waitFor, faultEngineEnv } from '../support/fault-rig';
import { expectEveryEventDelivered, expectReadModelsComplete, expectRemindersIssuedOnce } from '../support/fault-invariants';
import { PrivateRedis, stopAllPrivateServices } from '../support/private-services';
import { killAllEngineProcesses } from '../support/processes';
import { DATABASE_URL } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

/** 90 days → 15 s. */
const R01_DUE_MS = 15_000;
const OUTAGE_MS = 5_000;

let redis: PrivateRedis;
let rig: EngineRig;
let receiver: WebhookReceiver;
let load: CommandLoad | undefined;

/** Runs `body` with the engine's queues on the private Redis (opened and closed around it: Redis is stopped later). */
async function withQueues<T>(body: (queues: Record<'reminders' | 'dispatch' | 'projections', Queue>) => Promise<T>): Promise<T> {
  const open = (name: string) => new Queue(name, { connection: workerRedisOptions(redis.url), prefix: rig.queuePrefix });
  const queues = { reminders: open(QUEUES.reminders), dispatch: open(QUEUES.webhookDispatch), projections: open(QUEUES.projections) };
  try {
    return await body(queues);
  } finally {
    await Promise.all(Object.values(queues).map((q) => q.close()));
  }
}

beforeAll(async () => {
  redis = await PrivateRedis.start();
  receiver = await new WebhookReceiver().start();
  rig = new EngineRig({
    label: 'fredis',
    databaseUrl: DATABASE_URL,
    redisUrl: redis.url,
    env: faultEngineEnv(R01_DUE_MS),
  });
  await rig.start();
}, 200_000);

afterAll(async () => {
  await load?.stop().catch(() => undefined);
  await killAllEngineProcesses();
  await rig?.close({ deleteQueueKeys: false });
  await receiver?.close();
  await stopAllPrivateServices();
}, 60_000);

it('Redis stopped for a few seconds and restarted empty under load: commands keep succeeding, and afterwards every event is in every read model once, delivered, and every due reminder issued once', () =>
  rig.withLogs(async () => {
    const sub = await rig.api.post('/subscriptions', { url: receiver.url('/all'), description: 'fault suite: Redis restart' });
    check(sub.status === 201, `POST /subscriptions → ${sub.status}: ${sub.text}`);

    load = new CommandLoad(rig.api, { lanes: 3, pauseMs: 40, label: 'Redis fault' });
    await waitFor(() => load!.partnerships.length >= 4 && receiver.accepted('/all').length >= 10, 'load under way and deliveries flowing', 60_000);
    // Delayed R-01 jobs are in Redis (they will be lost with it), and the job schedulers too.
    const before = await withQueues(async (q) =>
      waitFor(
        async () => {
          const delayed = (await q.reminders.getJobs(['delayed'])).filter((j) => j.name === 'reminder').length;
          return delayed >= 3 ? { delayed, schedulers: (await q.reminders.getJobSchedulersCount()) + (await q.dispatch.getJobSchedulersCount()) + (await q.projections.getJobSchedulersCount()) } : undefined;
        },
        'delayed reminder jobs in Redis',
        60_000,
      ),
    );

    // Redis goes away with delayed reminder jobs and queued deliveries in it.
    await redis.stop();
    const downAt = Date.now();
    await sleep(OUTAGE_MS); // the length of the fault, not an assertion
    await waitFor(() => load!.answers.filter((a) => a.at > downAt).length >= 5, 'commands answered while Redis is down', 60_000);
    await redis.restart();
    const upAt = Date.now();
    const during = load.answers.filter((a) => a.at > downAt && a.at <= upAt);

    // The engine re-creates its job schedulers in the empty Redis by itself.
    const recreatedAfterMs = await withQueues((q) =>
      waitFor(
        async () =>
          (await q.reminders.getJobSchedulersCount()) + (await q.dispatch.getJobSchedulersCount()) + (await q.projections.getJobSchedulersCount()) >= before.schedulers ? Date.now() - upAt : undefined,
        `the ${before.schedulers} job schedulers to be re-created`,
        60_000,
        async () =>
          `schedulers now: reminders ${(await q.reminders.getJobSchedulers()).map((j) => j.key).join(', ')}; dispatch ${(await q.dispatch.getJobSchedulers()).map((j) => j.key).join(', ')}; ` +
          `projections ${(await q.projections.getJobSchedulers()).map((j) => j.key).join(', ')}\n${rig.workers.flatMap((w) => w.grep(/Job schedulers/)).join('\n')}`,
      ),
    );

    // Load goes on after the restart, then stops.
    await waitFor(() => load!.answers.filter((a) => a.at > upAt && a.status === 201).length >= 20, 'commands answered after the restart', 120_000);
    await load.stop();
    const after = load.answers.filter((a) => a.at > upAt);

    // While Redis was down, commands were answered 201 (they only need PostgreSQL).
    const failed = during.filter((a) => a.status !== 201);
    check(failed.length === 0, `${failed.length} of ${during.length} commands failed while Redis was down: ${JSON.stringify(failed.slice(0, 5))}`);
    const failedAfter = after.filter((a) => a.status !== 201);
    check(failedAfter.length === 0, `${failedAfter.length} commands failed after the restart: ${JSON.stringify(failedAfter.slice(0, 5))}`);

    // Nothing acknowledged is missing from the log.
    const logIds = new Set((await rig.readAll()).map((e) => e.eventId));
    const lost = load.acknowledged.filter((id) => !logIds.has(id));
    check(lost.length === 0, `${lost.length} acknowledged events are not in the log`);

    // Every engine process rode the outage out (none crashed and had to be restarted).
    for (const p of rig.processes) check(p.alive, `${p.name} died during the outage:\n${p.tail(60)}`);
    const readModels = await expectReadModelsComplete(rig);
    const deliveries = await expectEveryEventDelivered(rig, receiver, '/all', { subscriptionId: sub.body.id as string });

    // Every partnership of the log is left exploring: its R-01 falls due 15 s after its proposal.
    const proposals = await rig.readAll((e) => e.type === 'PartnershipProposed');
    const expected = proposals.map((e) => ({ partnershipId: e.data['partnershipId'] as string, policy: 'R-01' }));
    const reminders = await expectRemindersIssuedOnce(rig, expected, 120_000 + R01_DUE_MS);
    process.stdout.write(
      `[faults] Redis restart: down ${upAt - downAt} ms with ${before.delayed} delayed reminder jobs and ${before.schedulers} job schedulers in it (re-created ${recreatedAfterMs} ms after the restart); ${during.length} commands answered while down ${JSON.stringify(load.statuses(downAt, upAt))} ` +
        `(slowest ${Math.max(0, ...during.map((a) => a.ms))} ms), ${after.length} after; ${readModels}; ${deliveries}; ${reminders}\n`,
    );
  }), 8 * 60_000);
