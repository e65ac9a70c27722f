/**
 * The webhook-delivery benchmark's workload (compiled into bench/.build/, driven by
 * bench/scenarios/webhook-delivery.js): latency from an append returning to the webhook being
 * received, at a steady rate of events, with one or several subscriptions (fan-out).
 *
 * Subjects:
 * - `trellis`: the real engine as `npm start` runs it — `dist/apps/api/main.js` (built by `nest
 *   build api`) with the API and the workers in one process on PostgreSQL and Redis; subscriptions
 *   are created through `POST /subscriptions`, so every delivery goes through the real dispatcher
 *   (checkpointed outbox), BullMQ delivery jobs, ordering lanes, signing and the safe HTTP sender.
 * - `direct` (the reference, the floor of "follow the log and POST"): in this process, the store's
 *   own `subscribeAll` from the head, and for every event one POST per subscription of the same
 *   signed CloudEvents body over a keep-alive agent — no outbox, no queue, no retries, no ordering,
 *   nothing durable.
 *
 * In both, the same process appends partnership commands (decided by the real decider) through the
 * PostgreSQL adapter, open loop at `rate` events per second, and one local HTTP server receives every
 * subscription's deliveries (a path per subscription) and answers 204 at once. Latency = from the
 * append call returning to the receiver having read the whole request, per (subscription, event).
 * Losses = deliveries of appended events never received (after a drain of up to 30 s); duplicates =
 * a (subscription, event) received more than once.
 */
import { createServer, Agent, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createPostgresEventStore, PgSqlClient } from '@trellis/event-store';
import { BACKDATED_REMINDER_POLICIES, sleep, startEngine } from './engine-process';
// The primitives by path: the library's index also exports its NestJS modules, which the bench does not build.
import { CLOUDEVENTS_CONTENT_TYPE, serializeCloudEvent, toCloudEvent } from '../../libs/integrations/src/webhooks/cloud-event';
import { generateWebhookSecret, signWebhook } from '../../libs/integrations/src/webhooks/signing';
import { HISTORY_TEMPLATES, TestLog, toAppend, type LogCommand, type PartnershipLog } from '@trellis/projections/testing';

export interface DeliveryOptions {
  readonly subject: 'trellis' | 'direct';
  readonly url: string;
  readonly schema: string;
  readonly applicationName: string;
  readonly redisUrl: string;
  /** `dist/apps/api/main.js`, for the `trellis` subject. */
  readonly apiEntry: string;
  /** Events per second. */
  readonly rate: number;
  readonly seconds: number;
  readonly warmup: number;
  readonly subscriptions: number;
  /** Partnerships moving forward at once. */
  readonly active?: number;
}

export interface DeliveryResult {
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly subscriptions: number;
  /** Append returned → received, ms, one sample per (subscription, measured event). */
  readonly latencyMs: readonly number[];
  readonly expected: number;
  readonly received: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly appendMs: readonly number[];
}

export async function measureDelivery(options: DeliveryOptions): Promise<DeliveryResult> {
  const receiver = await startReceiver(options.subscriptions);
  const sql = PgSqlClient.fromUrl(options.url, { max: 4, applicationName: options.applicationName });
  const store = await createPostgresEventStore({ sql, schema: options.schema });
  const engine = options.subject === 'trellis' ? await startTrellis(options, receiver) : await startDirect(store, receiver, options.subscriptions);
  try {
    const appended = await appendSteadily(store, options);
    // Drain: everything appended (warm-up included) must arrive; the measured part gives latencies.
    const deadline = performance.now() + Number(process.env['BENCH_DRAIN_MS'] ?? 30_000);
    // Only the appended events count (the engine may deliver others too, e.g. reminders).
    const receivedOfAppended = () => {
      let n = 0;
      for (const eventId of appended.all) for (let s = 0; s < options.subscriptions; s++) if (receiver.firstReceipt(s, eventId) !== undefined) n++;
      return n;
    };
    while (receivedOfAppended() < appended.all.size * options.subscriptions && performance.now() < deadline) await sleep(100);
    const latencyMs: number[] = [];
    for (const [eventId, returnedAt] of appended.measured) {
      for (let s = 0; s < options.subscriptions; s++) {
        const at = receiver.firstReceipt(s, eventId);
        if (at !== undefined) latencyMs.push(Math.max(0, at - returnedAt));
      }
    }
    let received = 0;
    for (const eventId of appended.all) for (let s = 0; s < options.subscriptions; s++) if (receiver.firstReceipt(s, eventId) !== undefined) received++;
    const expected = appended.all.size * options.subscriptions;
    return {
      events: appended.measured.size,
      eventsPerSecond: appended.measured.size / options.seconds,
      subscriptions: options.subscriptions,
      latencyMs,
      expected,
      received,
      lost: expected - received,
      duplicates: receiver.duplicates(),
      appendMs: appended.appendMs,
    };
  } finally {
    await engine.stop();
    await store.close();
    await sql.close();
    await receiver.close();
  }
}

// ── the appender ────────────────────────────────────────────────────────────────────────────────

async function appendSteadily(
  store: Awaited<ReturnType<typeof createPostgresEventStore>>,
  options: DeliveryOptions,
): Promise<{ all: Set<string>; measured: Map<string, number>; appendMs: number[] }> {
  const log = new TestLog();
  let template = 0;
  const next = (): { p: PartnershipLog; commands: LogCommand[]; at: number } => ({
    p: log.partnership(),
    commands: HISTORY_TEMPLATES[template++ % HISTORY_TEMPLATES.length]!(),
    at: 0,
  });
  const slots = Array.from({ length: options.active ?? 50 }, next);
  const all = new Set<string>();
  const measured = new Map<string, number>();
  const appendMs: number[] = [];
  const started = performance.now();
  const measureFrom = started + options.warmup * 1000;
  const end = measureFrom + options.seconds * 1000;
  let events = 0;
  let i = 0;
  // Open loop in events: the append that brings the count to k is due at k / rate.
  for (;;) {
    const due = started + (events * 1000) / options.rate;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const index = i;
    i = (i + 1) % slots.length;
    const slot = slots[index]!;
    const command = slot.commands[slot.at++]!;
    const recorded = slot.p.run([command]);
    if (slot.at >= slot.commands.length) slots[index] = next();
    log.events.length = 0;
    if (recorded.length === 0) continue;
    const append = toAppend(slot.p, recorded);
    const t0 = performance.now();
    await store.append(append.streamId, append.events, { expectedRevision: append.expectedRevision });
    const t1 = performance.now();
    events += recorded.length;
    for (const e of append.events) {
      all.add(e.eventId);
      if (t0 >= measureFrom) measured.set(e.eventId, t1);
    }
    if (t0 >= measureFrom) appendMs.push(t1 - t0);
  }
  return { all, measured, appendMs };
}

// ── the receiver ────────────────────────────────────────────────────────────────────────────────

interface Receiver {
  readonly base: string;
  firstReceipt(subscription: number, eventId: string): number | undefined;
  duplicates(): number;
  close(): Promise<void>;
}

async function startReceiver(subscriptions: number): Promise<Receiver> {
  const receipts = Array.from({ length: subscriptions }, () => new Map<string, number>());
  let duplicates = 0;
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (req: IncomingMessage, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      const at = performance.now();
      const m = /^\/hook\/(\d+)$/.exec(req.url ?? '');
      const id = req.headers['webhook-id'];
      if (m && typeof id === 'string') {
        const map = receipts[Number(m[1])];
        if (map) {
          if (map.has(id)) duplicates++;
          else {
            map.set(id, at);
          }
        }
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    firstReceipt: (s, eventId) => receipts[s]!.get(eventId),
    duplicates: () => duplicates,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ── the subjects ────────────────────────────────────────────────────────────────────────────────

interface Running {
  stop(): Promise<void>;
}

/** The reference: follow `$all` and POST each event to each subscription, nothing else. */
async function startDirect(store: Awaited<ReturnType<typeof createPostgresEventStore>>, receiver: Receiver, subscriptions: number): Promise<Running> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const secrets = [generateWebhookSecret()];
  const subscription = store.subscribeAll({ after: await store.headPosition() });
  const post = (path: string, body: string, headers: Record<string, string>) =>
    new Promise<void>((resolve) => {
      const req = request(`${receiver.base}${path}`, { method: 'POST', agent, headers: { ...headers, 'content-type': CLOUDEVENTS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => resolve());
      req.end(body);
    });
  const loop = (async () => {
    for await (const event of subscription) {
      const body = serializeCloudEvent(toCloudEvent(event));
      const headers = signWebhook(secrets, event.eventId, Math.floor(Date.now() / 1000), body);
      for (let s = 0; s < subscriptions; s++) void post(`/hook/${s}`, body, headers);
    }
  })();
  return {
    async stop() {
      await subscription.close();
      await loop.catch(() => undefined);
      agent.destroy();
    },
  };
}

/** The engine as `npm start` runs it (engine-process.ts), with `subscriptions` webhook subscriptions created over HTTP. */
async function startTrellis(options: DeliveryOptions, receiver: Receiver): Promise<Running> {
  const engine = await startEngine({
    apiEntry: options.apiEntry,
    url: options.url,
    schema: options.schema,
    applicationName: options.applicationName,
    redisUrl: options.redisUrl,
    runWorkers: true,
    // The generated histories are back-dated: every reminder clock would be long overdue, and the
    // burst of ReminderIssued deliveries would measure a catch-up, not the steady state.
    env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', REMINDER_DISABLED_POLICIES: BACKDATED_REMINDER_POLICIES },
  });
  try {
    for (let s = 0; s < options.subscriptions; s++) {
      const res = await fetch(`${engine.base}/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${engine.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${receiver.base}/hook/${s}`, description: `bench ${s}` }),
      });
      if (res.status !== 201) throw new Error(`POST /subscriptions answered ${res.status}: ${await res.text()}`);
    }
  } catch (error) {
    await engine.stop();
    throw error;
  }
  return { stop: () => engine.stop() };
}
