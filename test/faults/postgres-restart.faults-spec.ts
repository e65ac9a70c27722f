/**
 * PostgreSQL restarted under load (issue 8, fault suite). The engine — one API process and one worker
 * process run from source — uses a private PostgreSQL cluster (initdb into a temp directory, its own
 * port) as event store and read store, and the shared Redis (its own queue prefix). Commands keep
 * flowing through the API while the cluster is stopped (`pg_ctl stop -m fast`: every session is
 * terminated, then connections are refused) for a few seconds and started again.
 *
 * While it is down the API answers 503 with `Retry-After` (a problem document, code
 * SERVICE_UNAVAILABLE) — never a 500, never a hang — and it recovers by itself when the cluster is back.
 * The projection runners, the webhook dispatcher and the reminder scheduler resume from their
 * checkpoints. Then the invariants: no acknowledged event lost, every event in every read model
 * exactly once, every event delivered, every due reminder issued once.
 */
import { CommandLoad, check, EngineRig, sleep, waitFor, faultEngineEnv } from '../support/fault-rig';
import { expectEveryEventDelivered, expectReadModelsComplete, expectRemindersIssuedOnce } from '../support/fault-invariants';
import { PrivatePostgres, stopAllPrivateServices } from '../support/private-services';
import { killAllEngineProcesses } from '../support/processes';
import { REDIS_URL } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

/** 90 days → 20 s. */
const R01_DUE_MS = 20_000;
const OUTAGE_MS = 6_000;

let pg: PrivatePostgres;
let rig: EngineRig;
let receiver: WebhookReceiver;
let load: CommandLoad | undefined;

beforeAll(async () => {
  pg = await PrivatePostgres.start();
  receiver = await new WebhookReceiver().start();
  rig = new EngineRig({
    label: 'fpg',
    databaseUrl: pg.url(),
    redisUrl: REDIS_URL,
    env: faultEngineEnv(R01_DUE_MS),
  });
  await rig.start();
}, 200_000);

afterAll(async () => {
  await load?.stop().catch(() => undefined);
  await killAllEngineProcesses();
  await rig?.close({ dropSchema: false }); // the whole cluster goes
  await receiver?.close();
  await stopAllPrivateServices();
}, 60_000);

it('PostgreSQL restarted under load: the API answers 503 with Retry-After while it is down and recovers by itself; no event lost or duplicated, every event in every read model once, delivered, every due reminder issued once', () =>
  rig.withLogs(
    async () => {
      const sub = await rig.api.post('/subscriptions', { url: receiver.url('/all'), description: 'fault suite: PostgreSQL restart' });
      check(sub.status === 201, `POST /subscriptions → ${sub.status}: ${sub.text}`);

      load = new CommandLoad(rig.api, { lanes: 3, pauseMs: 40, label: 'PostgreSQL fault', requestTimeoutMs: 30_000 });
      await waitFor(() => load!.partnerships.length >= 4 && receiver.accepted('/all').length >= 10, 'load under way and deliveries flowing', 60_000);

      await pg.stop('fast');
      const downAt = Date.now();
      await sleep(OUTAGE_MS); // the length of the fault, not an assertion
      // Reads while it is down answer 503 too (the summary is a read model in the same database).
      const read = await rig.api.get('/partnerships?limit=5');
      await waitFor(() => load!.answers.filter((a) => a.at > downAt).length >= 10, 'commands answered while PostgreSQL is down', 60_000);
      await pg.restart();
      const upAt = Date.now();
      const during = load.answers.filter((a) => a.at > downAt && a.at <= upAt);

      // The API recovers by itself: commands succeed again.
      const recoveredAt = await waitFor(
        () => load!.answers.find((a) => a.at > upAt && a.status === 201)?.at,
        'a command to succeed after the restart',
        60_000,
        () => JSON.stringify(load!.answers.slice(-5)),
      );
      await waitFor(() => load!.answers.filter((a) => a.at > recoveredAt && a.status === 201).length >= 20, 'commands to keep succeeding after the restart', 120_000);
      await load.stop();

      // While down: 503 problem documents with Retry-After, nothing else (a command that was in flight
      // when the sessions were terminated is answered 503 too).
      check(during.length >= 10, `only ${during.length} commands were answered while PostgreSQL was down`);
      const unexpected = during.filter((a) => a.status !== 503 && a.status !== 201);
      check(unexpected.length === 0, `while PostgreSQL was down, ${unexpected.length} answers were neither 503 nor 201: ${JSON.stringify(unexpected.slice(0, 5))}`);
      const unavailable = during.filter((a) => a.status === 503);
      check(unavailable.length >= 10, `expected 503s while PostgreSQL was down: ${JSON.stringify(load.statuses(downAt, upAt))}`);
      for (const a of unavailable) {
        check(a.retryAfter !== undefined && Number(a.retryAfter) > 0, `a 503 without Retry-After: ${JSON.stringify(a)}`);
        check(a.code === 'SERVICE_UNAVAILABLE' && a.contentType?.startsWith('application/problem+json'), `a 503 that is not a SERVICE_UNAVAILABLE problem document: ${JSON.stringify(a)}`);
      }
      check(read.status === 503 && read.headers.get('retry-after') !== null && read.body.code === 'SERVICE_UNAVAILABLE', `GET /partnerships while down → ${read.status}: ${read.text.slice(0, 200)}`);
      const afterRecovery = load.answers.filter((a) => a.at > recoveredAt);
      const failedAfter = afterRecovery.filter((a) => a.status !== 201);
      check(failedAfter.length === 0, `${failedAfter.length} commands failed after the API recovered: ${JSON.stringify(failedAfter.slice(0, 5))}`);

      // No acknowledged event lost; no event twice (ids are unique in the log; no command was retried).
      const log = await rig.readAll();
      const logIds = new Set(log.map((e) => e.eventId));
      check(logIds.size === log.length, 'an event id appears twice in the log');
      const lost = load.acknowledged.filter((id) => !logIds.has(id));
      check(lost.length === 0, `${lost.length} acknowledged events are not in the log`);
      for (const p of load.partnerships) check(log.some((e) => e.streamId === `partnership-${p.id}`), `the partnership ${p.id} acknowledged with 201 is not in the log`);

      // Every engine process rode the outage out (none crashed and had to be restarted).
      for (const p of rig.processes) check(p.alive, `${p.name} died during the outage:\n${p.tail(60)}`);
      const readModels = await expectReadModelsComplete(rig, { cleanRebuild: true });
      const deliveries = await expectEveryEventDelivered(rig, receiver, '/all', { subscriptionId: sub.body.id as string });
      const proposals = await rig.readAll((e) => e.type === 'PartnershipProposed');
      const expected = proposals.map((e) => ({ partnershipId: e.data['partnershipId'] as string, policy: 'R-01' }));
      const reminders = await expectRemindersIssuedOnce(rig, expected, 120_000 + R01_DUE_MS);
      process.stdout.write(
        `[faults] PostgreSQL restart: down ${upAt - downAt} ms; answers while down ${JSON.stringify(load.statuses(downAt, upAt))} (slowest ${Math.max(0, ...during.map((a) => a.ms))} ms, Retry-After ${[...new Set(unavailable.map((a) => a.retryAfter))].join('/')}); ` +
          `first 201 ${recoveredAt - upAt} ms after the restart; ${afterRecovery.length} commands after; ${readModels}; ${deliveries}; ${reminders}\n`,
      );
    },
    () => `--- private PostgreSQL log ---\n${pg.serverLog(20)}\nlast answers: ${JSON.stringify(load?.answers.slice(-8))}`,
  ), 8 * 60_000);
