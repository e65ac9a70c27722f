/**
 * The scale-out topology on one machine (DESIGN.md §1; docs/operations.md "Scaling out"): two api
 * processes and two worker processes — real processes run from source, as test/support/processes.ts
 * starts them — share one PostgreSQL schema (event store and read store) and one Redis prefix.
 * Commands go through both APIs at once, including concurrent commands on the same partnership; a
 * real HTTP receiver subscribes to every event and a real SMTP server on loopback receives the
 * reminder e-mails. Then, with nothing appended any more:
 *
 * - **read models** — both APIs list exactly the partnerships recorded, each at its stream's head;
 *   every timeline holds each event of its stream once; and the read models built by the two live
 *   workers equal, table by table, a clean rebuild of the same log;
 * - **deliveries** — every event of the log reached the receiver, each accepted exactly once (no
 *   webhook-id twice), in order per partnership;
 * - **reminders** — each reminder step is issued once (one ReminderIssued per policy, subject and
 *   step in the log) and mailed once, and the R-01 of each partnership left unformalized was issued.
 *
 * Reminders run on a scaled clock: 90 days (R-01) last 6 s.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createPostgresEventStore, PgSqlClient, type RecordedEvent, type SqlEventStore } from '@trellis/event-store';
import { ProjectionRegistry, READ_MODEL_PROJECTIONS } from '@trellis/projections';
import { SmtpSink } from '../../libs/reminders/src/testing/smtp-sink';
import { ApiClient } from '../support/api-client';
import { ENGINE_ENTRY, killAllEngineProcesses, postgresEngineEnv, startEngineProcess, type EngineProcess } from '../support/processes';
import { checksumDifferences, readModelChecksums } from '../support/read-model-checksums';
import { playScenario, STATE_AGENCY_PATH, TOOL_PATH } from '../support/seed-scenarios';
import { DATABASE_URL, REDIS_URL } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const SCHEMA = `rep_${randomBytes(5).toString('hex')}`;
const QUEUE_PREFIX = `trellis-replicas-${SCHEMA}`;
const ADMIN_KEY = `trk_test_${randomBytes(24).toString('base64url')}`;
/** 90 days → 6 s. */
const TIME_SCALE = `1/${(90 * 86_400) / 6}`;
const FALLBACK_MAILBOX = 'ops@replicas.example';
/** Four engine start-ups from source on a loaded 2-core machine. */
const START_TIMEOUT_MS = 120_000;
const PROJECTION_NAMES = READ_MODEL_PROJECTIONS.map((p) => p.name);

let sql: PgSqlClient;
let store: SqlEventStore;
let registry: ProjectionRegistry;
let receiver: WebhookReceiver;
let smtp: SmtpSink;
const processes: EngineProcess[] = [];
const apis: ApiClient[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function engineEnv(label: string): Record<string, string> {
  return {
    ...postgresEngineEnv({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, schema: SCHEMA, queuePrefix: QUEUE_PREFIX, adminKey: ADMIN_KEY, label }),
    HOST: '127.0.0.1',
    PORT: '0',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_BACKOFF_MS: '200',
    PROJECTION_LEASE_MS: '3000',
    PROJECTION_JOB_LOCK_MS: '3000',
    REMINDER_TIME_SCALE: TIME_SCALE,
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Trellis <trellis@replicas.example>',
    REMINDER_FALLBACK_EMAIL: FALLBACK_MAILBOX,
  };
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
    await sleep(200);
  }
}

/** Runs a step; a failure message carries the last log lines of every process. */
async function withLogs<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const e = error as Error;
    const wrapped = new Error(`${e.message}\n\nLast log lines:\n${processes.map((p) => p.tail(20)).join('\n')}`);
    wrapped.stack = `${wrapped.message}\n${(e.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at ')).join('\n')}`;
    throw wrapped;
  }
}

async function readAll(filter?: (e: RecordedEvent) => boolean): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll()) if (!filter || filter(e)) out.push(e);
  return out;
}

const registryReport = async () =>
  `head ${await store.headPosition()}; ${(await registry.list()).map((r) => `${r.name}@${r.checkpoint}${r.leaseOwner ? ` (${r.leaseOwner})` : ''}${r.lastError ? ` error ${r.lastError}` : ''}`).join(', ')}`;

/** Every read model and follower (dispatcher, scheduler) has applied everything up to the head. */
async function caughtUp(what: string): Promise<void> {
  await waitFor(
    async () => {
      const head = await store.headPosition();
      const rows = await registry.list();
      return rows.length >= PROJECTION_NAMES.length + 2 && rows.every((r) => r.checkpoint >= head && r.rebuild === null && r.lastError === null);
    },
    what,
    90_000,
    registryReport,
  );
}

beforeAll(async () => {
  sql = PgSqlClient.fromUrl(DATABASE_URL, { max: 3 });
  receiver = await new WebhookReceiver().start();
  smtp = await new SmtpSink().start();
  await withLogs(async () => {
    for (const label of ['api-1', 'api-2']) {
      processes.push(startEngineProcess(label, ENGINE_ENTRY.api, { ...engineEnv(label), RUN_WORKERS: 'false' }));
    }
    for (const label of ['worker-1', 'worker-2']) processes.push(startEngineProcess(label, ENGINE_ENTRY.worker, engineEnv(label)));
    for (const p of processes.slice(0, 2)) {
      const line = await p.waitForLog(/Trellis listening on http:\/\/\S+/, `${p.name} to listen`, START_TIMEOUT_MS);
      const url = /Trellis listening on (http:\/\/\S+)/.exec(line)![1]!.replace('localhost', '127.0.0.1');
      apis.push(new ApiClient(url, ADMIN_KEY));
    }
    for (const p of processes.slice(2)) await p.waitForLog(/Trellis worker started/, `${p.name} to start`, START_TIMEOUT_MS);
  });
  store = await createPostgresEventStore({ connectionString: DATABASE_URL, schema: SCHEMA, poolSize: 2, applicationName: `trellis_${SCHEMA}_test` });
  registry = new ProjectionRegistry(sql, SCHEMA);
}, 6 * 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill('SIGTERM')));
  await killAllEngineProcesses();
  await store?.close();
  await receiver?.close();
  await smtp?.close();
  await sql?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
  await sql?.close();
}, 60_000);

it('two APIs and two workers on one PostgreSQL and one Redis: read models, deliveries and reminders each come out exactly once', () =>
  withLogs(async () => {
    const [api1, api2] = apis as [ApiClient, ApiClient];

    // A subscription to every event, created on one replica, delivered by whichever worker runs it.
    const sub = await api1.post('/subscriptions', { url: receiver.url('/all'), description: 'multi-replica proof' });
    check(sub.status === 201, `POST /subscriptions → ${sub.status}: ${sub.text}`);

    // Both APIs at once: whole scenarios, partnerships left exploring (R-01), and one partnership
    // receiving concurrent commands through both replicas (revision conflicts retried server-side).
    const scenarios = [TOOL_PATH, STATE_AGENCY_PATH, TOOL_PATH, STATE_AGENCY_PATH];
    const played = await Promise.all(scenarios.map((s, i) => playScenario(i % 2 === 0 ? api1 : api2, s)));
    const exploring = await Promise.all(
      [api1, api2, api1].map(async (api, i) => {
        const res = await api.post('/partnerships', { name: `Exploring ${i}`, initiationMode: 'community', focus: 'Family engagement' });
        check(res.status === 201, `ProposePartnership → ${res.status}: ${res.text}`);
        return res.body.partnershipId as string;
      }),
    );
    const shared = exploring[0]!;
    const joins = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? api1 : api2).command(shared, 'JoinOrganization', { organizationId: `org-${i}`, name: `Organization ${i}`, orgType: 'school', side: 'practice' }),
      ),
    );
    for (const res of joins) check(res.status === 201, `concurrent JoinOrganization → ${res.status}: ${res.text}`);
    const revisions = joins.map((r) => (r.body as { revision: string }).revision);
    expect(new Set(revisions).size).toBe(joins.length);
    const partnerships = [...played, ...exploring];

    // Reminders: the R-01 of each exploring partnership falls due 6 s after its proposal.
    const r01 = await waitFor(
      async () => {
        const issued = await readAll((e) => e.type === 'ReminderIssued' && e.data['policy'] === 'R-01');
        return exploring.every((id) => issued.some((e) => e.data['partnershipId'] === id)) ? issued : undefined;
      },
      'the R-01 reminder of every exploring partnership',
      60_000,
      registryReport,
    );
    check(r01.length > 0, 'no R-01 issued');

    // Quiet: nothing is appended by the tests any more; let the followers and deliveries settle.
    await caughtUp('every projection, the dispatcher and the scheduler at the head');
    const log = await readAll();
    const partnershipEvents = log.filter((e) => e.streamId.startsWith('partnership-'));
    const reminderEvents = log.filter((e) => e.type === 'ReminderIssued');

    // ── read models ──
    for (const api of apis) {
      const listed = new Map<string, string>();
      let cursor: string | null = null;
      do {
        const res = await api.get(`/partnerships?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        check(res.status === 200, `GET /partnerships → ${res.status}: ${res.text}`);
        for (const item of res.body.items as Array<{ partnershipId: string; asOfPosition: string }>) listed.set(item.partnershipId, item.asOfPosition);
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      expect([...listed.keys()].sort()).toEqual([...partnerships].sort());
      for (const id of partnerships) {
        const head = await store.streamHead(`partnership-${id}`);
        expect({ id, asOfPosition: listed.get(id) }).toEqual({ id, asOfPosition: head!.position.toString() });
      }
    }
    for (const [i, id] of partnerships.entries()) {
      const timeline = await apis[i % 2]!.get(`/partnerships/${id}/timeline?limit=1000`);
      check(timeline.status === 200, `GET timeline → ${timeline.status}: ${timeline.text}`);
      const ids = (timeline.body.events as Array<{ eventId: string }>).map((e) => e.eventId);
      expect(ids).toEqual(partnershipEvents.filter((e) => e.streamId === `partnership-${id}`).map((e) => e.eventId));
    }
    const live = await readModelChecksums(sql, SCHEMA);
    const generations = new Map((await registry.list(PROJECTION_NAMES)).map((r) => [r.name, r.generation]));
    const rebuild = await api2.post('/admin/projections/rebuild', { reason: 'multi-replica proof: clean rebuild for comparison' });
    check(rebuild.status === 202, `POST /admin/projections/rebuild → ${rebuild.status}: ${rebuild.text}`);
    await waitFor(
      async () => (await registry.list(PROJECTION_NAMES)).every((r) => r.rebuild === null && r.generation > generations.get(r.name)!),
      'the clean rebuild to swap',
      90_000,
      registryReport,
    );
    await caughtUp('the live runners after the clean rebuild');
    const differences = checksumDifferences(live, await readModelChecksums(sql, SCHEMA));
    check(differences.length === 0, `the read models differ from a clean rebuild of the same log:\n${differences.join('\n')}`);
    // The rebuild re-fired nothing.
    expect((await readAll((e) => e.type === 'ReminderIssued')).length).toBe(reminderEvents.length);

    // ── deliveries ──
    const delivered = await waitFor(
      async () => {
        const accepted = receiver.accepted('/all');
        return new Set(accepted.map((r) => r.headers['webhook-id'])).size >= log.length ? accepted : undefined;
      },
      `all ${log.length} events delivered`,
      90_000,
      async () => `${receiver.accepted('/all').length} accepted so far`,
    );
    await sleep(1_000); // a late duplicate would arrive now
    const ids = receiver.accepted('/all').map((r) => r.headers['webhook-id']!);
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(new Set(log.map((e) => e.eventId)));
    const positions = new Map(log.map((e) => [e.eventId, e.position]));
    const byPartnership = new Map<string, bigint[]>();
    for (const r of delivered) {
      const subject = (JSON.parse(r.body) as { subject: string }).subject;
      byPartnership.set(subject, [...(byPartnership.get(subject) ?? []), positions.get(r.headers['webhook-id']!)!]);
    }
    for (const [subject, seq] of byPartnership) expect({ subject, inOrder: seq.every((p, i) => i === 0 || seq[i - 1]! < p) }).toEqual({ subject, inOrder: true });

    // ── reminders ──
    const steps = reminderEvents.map((e) => `${e.data['partnershipId']} ${e.data['policy']} ${e.data['subject']} e${e.data['escalation']}`);
    expect(steps.length).toBe(new Set(steps).size);
    await waitFor(
      async () => reminderEvents.every((e) => smtp.messages.some((m) => m.header('X-Trellis-Reminder') === e.eventId)),
      'one e-mail per issued reminder',
      60_000,
    );
    await sleep(1_000);
    for (const e of reminderEvents) {
      const mails = smtp.messages.filter((m) => m.header('X-Trellis-Reminder') === e.eventId);
      expect({ reminder: e.eventId, mails: mails.length }).toEqual({ reminder: e.eventId, mails: 1 });
      expect(mails[0]!.to).toEqual([FALLBACK_MAILBOX]);
    }

    // Every lease is held by one of the two worker processes (the APIs run no workers).
    const workerPids = processes.slice(2).map((p) => p.pid);
    for (const r of await registry.list()) {
      if (r.leaseOwner === null) continue;
      expect({ name: r.name, byWorker: workerPids.some((pid) => r.leaseOwner!.startsWith(`${hostname()}:${pid}:`)) }).toEqual({ name: r.name, byWorker: true });
    }
  }), 8 * 60_000);
