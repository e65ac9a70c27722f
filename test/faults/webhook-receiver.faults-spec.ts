/**
 * Webhook receivers that misbehave (issue 8, fault suite): one API and one worker process run from
 * source on the shared PostgreSQL and Redis (a fresh schema and queue prefix), and a real HTTP
 * receiver on loopback with one subscription per behaviour, each to every event:
 *
 * - `/slow`   answers only after 1.5 s, past the engine's WEBHOOK_TIMEOUT_MS (1 s): every attempt
 *             times out (the receiver took the event, the sender never learns it);
 * - `/drop`   destroys the connection mid-request, for a seeded half of the requests;
 * - `/flaky`  answers 500 to a seeded half of the requests;
 * - `/ok`     answers 200 at once (the control).
 *
 * Commands go through the API while the receivers misbehave; then they turn healthy. With enough
 * attempts (WEBHOOK_MAX_ATTEMPTS 40, backoff from 100 ms) every event is delivered to every path —
 * at least once, extra requests only retries of the same webhook-id, accepted deliveries in order
 * per partnership — and nothing is dead-lettered.
 */
import { REMINDER_POLICY_IDS } from '@trellis/reminders';
import { CommandLoad, check, EngineRig, seededRandom, waitFor } from '../support/fault-rig';
import { expectEveryEventDelivered, expectReadModelsComplete } from '../support/fault-invariants';
import { killAllEngineProcesses } from '../support/processes';
import { DATABASE_URL, REDIS_URL } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const SEED = 20_260_108;
const PATHS = ['/slow', '/drop', '/flaky', '/ok'] as const;

let rig: EngineRig;
let receiver: WebhookReceiver;
let load: CommandLoad | undefined;
let healthy = false;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  const random = { drop: seededRandom(SEED), flaky: seededRandom(SEED + 1) };
  receiver.behave('/slow', () => (healthy ? 200 : { status: 200, delayMs: 1_500 }));
  receiver.behave('/drop', () => (healthy || random.drop() < 0.5 ? 200 : { drop: true, delayMs: 20 }));
  receiver.behave('/flaky', () => (healthy || random.flaky() < 0.5 ? 200 : 500));
  rig = new EngineRig({
    label: 'fhook',
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    env: {
      REMINDER_DISABLED_POLICIES: REMINDER_POLICY_IDS.join(','),
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_MAX_ATTEMPTS: '40',
      WEBHOOK_BACKOFF_MS: '100',
      WEBHOOK_BACKOFF_JITTER_PERCENT: '20',
    },
  });
  await rig.start();
}, 200_000);

afterAll(async () => {
  await load?.stop().catch(() => undefined);
  await killAllEngineProcesses();
  await rig?.close();
  await receiver?.close();
}, 60_000);

it('slow, connection-dropping and randomly failing receivers: once healthy, every event is delivered to each (retries only of the same webhook-id, in order per partnership) and nothing is dead-lettered', () =>
  rig.withLogs(async () => {
    const subscriptions = new Map<string, string>();
    for (const path of PATHS) {
      const res = await rig.api.post('/subscriptions', { url: receiver.url(path), description: `fault suite: ${path}` });
      check(res.status === 201, `POST /subscriptions → ${res.status}: ${res.text}`);
      subscriptions.set(path, res.body.id as string);
    }
    // Commands while the receivers misbehave, until each fault has hit a good number of requests.
    load = new CommandLoad(rig.api, { lanes: 3, pauseMs: 100, maxCommands: 400, label: 'Webhook fault' });
    const faulty = () => ({
      slowTimedOut: receiver.at('/slow').filter((r) => r.senderGone).length,
      dropped: receiver.at('/drop').filter((r) => r.status === 0).length,
      answered500: receiver.at('/flaky').filter((r) => r.status === 500).length,
    });
    await waitFor(
      () => {
        const f = faulty();
        return load!.partnerships.length >= 6 && f.slowTimedOut >= 5 && f.dropped >= 10 && f.answered500 >= 10;
      },
      'each fault to hit requests',
      120_000,
      () => JSON.stringify(faulty()),
    );
    await load.stop();
    const faults = faulty();
    check(load.answers.every((a) => a.status === 201), `a command failed: ${JSON.stringify(load.answers.find((a) => a.status !== 201))}`);
    healthy = true;

    const reports: string[] = [];
    for (const path of PATHS) reports.push(`${path}: ${await expectEveryEventDelivered(rig, receiver, path, { subscriptionId: subscriptions.get(path)!, timeoutMs: 240_000 })}`);
    const readModels = await expectReadModelsComplete(rig);
    process.stdout.write(`[faults] webhook receivers: faults ${JSON.stringify(faults)}; ${readModels}\n  ${reports.join('\n  ')}\n`);
  }), 8 * 60_000);
