/**
 * Resilience of the read-model runtime (DESIGN.md §7) with real processes, real PostgreSQL and real
 * Redis: one API process (RUN_WORKERS=false: admin endpoints and queries) and two worker processes
 * (`apps/worker/src/main.ts`), all run from source, on one fresh schema and queue prefix. Short job
 * locks and leases (3 s) make takeovers happen in seconds; small rebuild batches (1,000) make a
 * rebuild of the log last long enough to kill it half-way.
 *
 * The log: ~30,000 events of realistic partnership histories (decided by the real decider through
 * TestLog, interleaved across ~1,150 partnerships) appended straight into the store, then more
 * appended throughout every scenario.
 *
 * "Equal to a clean rebuild": once the live runners have caught up, a checksum of every read-model
 * table (every table of every projection in READ_MODEL_PROJECTIONS, through its stable view) is
 * recorded; then every projection is rebuilt from the log (POST /admin/projections/rebuild) and the
 * checksums must be identical.
 *
 * The scenarios run in order and share the processes and the log:
 *  1. SIGKILL of a worker holding projection leases while the live runners lag behind appends;
 *  2. SIGKILL of the worker running a rebuild half-way (BullMQ retries it elsewhere; it resumes from
 *     its checkpoint), with events appended throughout;
 *  3. queries keep answering, and never go backwards, while a rebuild runs and swaps;
 *  4. two workers under heavy concurrent appends never apply an event twice; leases moved between
 *     processes over the file.
 * A failure message ends with the last log lines of every engine process.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import { createPostgresEventStore, PgSqlClient, type SqlEventStore } from '@trellis/event-store';
import { QUEUES, workerRedisOptions } from '@trellis/platform';
import { ProjectionRegistry, READ_MODEL_PROJECTIONS, type ProjectionStatus, type RegistryRow } from '@trellis/projections';
import { HistoryWriter, type ContinuousWriter } from '@trellis/projections/testing';
import { ApiClient } from '../support/api-client';
import { ENGINE_ENTRY, killAllEngineProcesses, startEngineProcess, type EngineProcess } from '../support/processes';
import { checksumDifferences, readModelChecksums } from '../support/read-model-checksums';
import { REMINDER_POLICY_IDS } from '@trellis/reminders';
import { DATABASE_URL, REDIS_URL } from '../support/test-app';

const SCHEMA = `res_${randomBytes(5).toString('hex')}`;
const QUEUE_PREFIX = `trellis-resilience-${SCHEMA}`;
const ADMIN_KEY = `trk_test_${randomBytes(24).toString('base64url')}`;
/** application_name prefix of every database session of this file: tells the processes apart in pg_stat_activity. */
const APP = `trellis_${SCHEMA}`;
const HOST = hostname();
/** ~26 events each on average: ~30,000 events. */
const SEED_PARTNERSHIPS = 1_150;
const PROJECTION_NAMES = READ_MODEL_PROJECTIONS.map((p) => p.name);

const ENGINE_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  EVENT_STORE: 'postgres',
  DB_SCHEMA: SCHEMA,
  REDIS_URL,
  QUEUE_PREFIX,
  ADMIN_API_KEY: ADMIN_KEY,
  PROJECTION_JOB_LOCK_MS: '3000',
  PROJECTION_LEASE_MS: '3000',
  PROJECTION_REBUILD_BATCH: '1000',
  // The histories are back-dated, so every reminder clock would be long overdue and the workers would
  // append thousands of ReminderIssued while this suite measures projections; reminders have their own.
  REMINDER_DISABLED_POLICIES: REMINDER_POLICY_IDS.join(','),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sql: PgSqlClient;
let store: SqlEventStore;
let registry: ProjectionRegistry;
let queue: Queue;
let writer: HistoryWriter;
let api: EngineProcess | undefined;
let client: ApiClient;
/** Worker processes meant to be running now; every engine process ever started (for logs and lease owners). */
const workers: EngineProcess[] = [];
const started: EngineProcess[] = [];
const appenders = new Set<ContinuousWriter>();
let workerCount = 0;

// ── processes ─────────────────────────────────────────────────────────────────────────────────────

function databaseUrl(label: string): string {
  const url = new URL(DATABASE_URL);
  url.searchParams.set('application_name', `${APP}_${label}`);
  return url.toString();
}

function startWorker(): EngineProcess {
  const label = `w${++workerCount}`;
  const worker = startEngineProcess(label, ENGINE_ENTRY.worker, { ...ENGINE_ENV, DATABASE_URL: databaseUrl(label) });
  workers.push(worker);
  started.push(worker);
  return worker;
}

const workerReady = (w: EngineProcess) => w.waitForLog(/Trellis worker started/, 'the worker to start', 90_000);

async function sigkill(w: EngineProcess): Promise<void> {
  const status = await w.kill('SIGKILL');
  if (status.signal !== 'SIGKILL') throw new Error(`${w.name} was not killed by SIGKILL: ${JSON.stringify(status)}`);
  workers.splice(workers.indexOf(w), 1);
}

/** The process a lease owner (`host:pid:random`) belongs to. */
const ownerProcess = (owner: string | null | undefined): EngineProcess | undefined =>
  owner ? started.find((p) => owner.startsWith(`${HOST}:${p.pid}:`)) : undefined;

function logsOfEveryProcess(lines = 25): string {
  return [api, ...started]
    .filter((p): p is EngineProcess => p !== undefined)
    .map((p) => p.tail(lines))
    .join('\n');
}

/** Runs a scenario; a failure message gets the last log lines of every engine process. */
async function withLogs(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const e = error as Error;
    const wrapped = new Error(`${e.message}\n\nLast log lines of the engine processes:\n${logsOfEveryProcess()}`);
    wrapped.stack = `${wrapped.message}\n${(e.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at ')).join('\n')}`;
    throw wrapped;
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs: number, everyMs = 100, explain?: () => Promise<string> | string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${await explain()}` : ''}`);
    await sleep(everyMs);
  }
}

function startAppender(options: Parameters<HistoryWriter['continuous']>[0]): ContinuousWriter {
  const appender = writer.continuous(options);
  appenders.add(appender);
  return {
    async stop() {
      appenders.delete(appender);
      return appender.stop();
    },
  };
}

// ── projections as seen through the admin API and the registry ───────────────────────────────────

async function adminStatus(): Promise<ProjectionStatus[]> {
  const res = await client.get<{ projections: ProjectionStatus[] }>('/admin/projections');
  check(res.status === 200, `GET /admin/projections → ${res.status}: ${res.text}`);
  return res.body.projections;
}

const describeRows = (rows: readonly RegistryRow[]) =>
  rows
    .map(
      (r) =>
        `  ${r.name}: generation ${r.generation}, checkpoint ${r.checkpoint}, lease ${r.leaseOwner ?? '-'} (${ownerProcess(r.leaseOwner)?.name ?? '?'}), lastError ${r.lastError ?? '-'}` +
        (r.rebuild ? `, rebuild ${r.rebuild.jobId} → g${r.rebuild.generation} at ${r.rebuild.checkpoint}/${r.rebuild.head ?? '?'}` : ''),
    )
    .join('\n');

/** The read models' rows (the registry also holds the dispatcher's and the scheduler's leases). */
const readModelRows = (): Promise<RegistryRow[]> => registry.list(PROJECTION_NAMES);

async function registryReport(): Promise<string> {
  return `head ${await store.headPosition()}; registry:\n${describeRows(await registry.list())}`;
}

/** Every projection caught up with the head: lag 0, no rebuild, no error, the code's version. */
async function caughtUp(what: string, timeoutMs = 60_000): Promise<ProjectionStatus[]> {
  return waitFor(
    async () => {
      const list = await adminStatus();
      const ready =
        list.length === PROJECTION_NAMES.length && list.every((p) => p.lag === '0' && p.rebuild === null && p.lastError === null && p.version === p.codeVersion);
      return ready ? list : undefined;
    },
    what,
    timeoutMs,
    200,
    registryReport,
  );
}

/**
 * Checksums of every read-model table, then a clean rebuild of every projection from the log, then
 * the checksums again: they must be identical. Nothing may be appended meanwhile.
 */
async function expectEqualToCleanRebuild(scenario: string): Promise<void> {
  await caughtUp(`${scenario}: the live runners to catch up before the comparison`);
  const live = await readModelChecksums(sql, SCHEMA);
  const summaryRows = live['rm_partnership_summary_docs']?.rows;
  check(summaryRows === writer.created.length, `${scenario}: the summary has ${summaryRows} partnerships, the log ${writer.created.length}`);

  const before = new Map((await readModelRows()).map((r) => [r.name, r.generation]));
  const res = await client.post('/admin/projections/rebuild', { reason: `${scenario}: clean rebuild for comparison` });
  check(res.status === 202, `POST /admin/projections/rebuild → ${res.status}: ${res.text}`);
  await waitFor(
    async () => (await readModelRows()).every((r) => r.rebuild === null && r.generation > before.get(r.name)!),
    `${scenario}: the clean rebuild ${res.body.jobId} to swap`,
    60_000,
    200,
    async () => `${await registryReport()}\njob: ${await jobReport(res.body.jobId)}`,
  );
  await caughtUp(`${scenario}: the live runners to resume after the clean rebuild`);
  const rebuilt = await readModelChecksums(sql, SCHEMA);
  const differences = checksumDifferences(live, rebuilt);
  check(differences.length === 0, `${scenario}: the read models differ from a clean rebuild of the same log:\n${differences.join('\n')}`);
  await expectOnlyLiveGenerations(scenario);
}

/** No shadow tables left behind: each projection has only its live generation's tables. */
async function expectOnlyLiveGenerations(scenario: string): Promise<void> {
  const live = new Map((await readModelRows()).map((r) => [r.name, r.generation]));
  const expected = READ_MODEL_PROJECTIONS.flatMap((p) => p.tables.map((t) => `rm_${p.name}_${t.name}_g${live.get(p.name)}`)).sort();
  const { rows } = await sql.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'rm\\_%' ORDER BY tablename`, [SCHEMA]);
  const actual = rows.map((r) => r.tablename).sort();
  check(JSON.stringify(actual) === JSON.stringify(expected), `${scenario}: read-model tables ${actual.join(', ')}; expected only ${expected.join(', ')}`);
}

async function jobReport(jobId: string): Promise<string> {
  const job = await queue.getJob(jobId);
  if (!job) return `job ${jobId} not found`;
  return `job ${jobId}: ${await job.getState()}, attemptsMade ${job.attemptsMade}, stalledCounter ${job.stalledCounter}, failedReason ${job.failedReason ?? '-'}, progress ${JSON.stringify(job.progress)}`;
}

/** Worker labels (w1, w2, …) whose database sessions are busy with the rebuild `jobId` right now. */
async function workersRunningRebuild(jobId: string): Promise<string[]> {
  const rows = (await readModelRows()).filter((r) => r.rebuild?.jobId === jobId);
  const shadowTables = rows.flatMap((r) =>
    READ_MODEL_PROJECTIONS.find((p) => p.name === r.name)!.tables.map((t) => new RegExp(`${SCHEMA}\\.rm_${r.name}_${t.name}_g${r.rebuild!.generation}\\b`)),
  );
  const { rows: sessions } = await sql.query<{ application_name: string; query: string }>(
    `SELECT application_name, query FROM pg_stat_activity WHERE state <> 'idle' AND starts_with(application_name, $1)`,
    [`${APP}_w`],
  );
  return sessions
    .filter((s) => s.query.includes('SET rebuild_checkpoint = ') || shadowTables.some((t) => t.test(s.query)))
    .map((s) => s.application_name.slice(APP.length + 1));
}

/** Every partnership id GET /partnerships lists (all pages). */
async function listedPartnerships(): Promise<Map<string, bigint>> {
  const listed = new Map<string, bigint>();
  let cursor: string | null = null;
  do {
    const res = await client.get(`/partnerships?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    check(res.status === 200, `GET /partnerships → ${res.status}: ${res.text.slice(0, 300)}`);
    for (const item of res.body.items as Array<{ partnershipId: string; asOfPosition: string }>) listed.set(item.partnershipId, BigInt(item.asOfPosition));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return listed;
}

// ── lease owners over the whole file ─────────────────────────────────────────────────────────────

interface LeaseMove {
  readonly projection: string;
  readonly from: string;
  readonly to: string;
  readonly at: number;
  /** Whether the previous holder was still running when the lease changed hands. */
  readonly fromAlive: boolean;
}
const leaseMoves: LeaseMove[] = [];
const lastHolder = new Map<string, string>();
const holdersSeen = new Map<string, Set<string>>();
let sampling = true;
let sampler: Promise<void> | undefined;

/** Samples the live runners' lease owners every 150 ms and records every change of holding process. */
function startLeaseSampler(): Promise<void> {
  return (async () => {
    while (sampling) {
      try {
        const { rows } = await sql.query<{ name: string; lease_owner: string }>(
          `SELECT name, lease_owner FROM ${SCHEMA}.projections
            WHERE name = ANY($1::text[]) AND lease_owner IS NOT NULL AND lease_owner NOT LIKE 'rebuild:%' AND lease_expires_at > clock_timestamp()`,
          [PROJECTION_NAMES],
        );
        for (const r of rows) {
          const holder = ownerProcess(r.lease_owner);
          if (!holder) continue;
          const seen = holdersSeen.get(r.name) ?? new Set<string>();
          seen.add(holder.name);
          holdersSeen.set(r.name, seen);
          const previous = lastHolder.get(r.name);
          if (previous !== undefined && previous !== holder.name) {
            leaseMoves.push({ projection: r.name, from: previous, to: holder.name, at: Date.now(), fromAlive: started.find((p) => p.name === previous)?.alive ?? false });
          }
          lastHolder.set(r.name, holder.name);
        }
      } catch {
        // the registry does not exist yet
      }
      await sleep(150);
    }
  })();
}

// ── set-up and tear-down ─────────────────────────────────────────────────────────────────────────

beforeAll(async () => {
  sql = PgSqlClient.fromUrl(DATABASE_URL, { max: 4, applicationName: `${APP}_test` });
  await sql.query(`CREATE SCHEMA ${SCHEMA}`);
  store = await createPostgresEventStore({ connectionString: DATABASE_URL, schema: SCHEMA, poolSize: 8, applicationName: `${APP}_writer`, maxBatchAppends: 512, maxBatchEvents: 4_000 });
  registry = new ProjectionRegistry(sql, SCHEMA);
  queue = new Queue(QUEUES.projections, { connection: workerRedisOptions(REDIS_URL), prefix: QUEUE_PREFIX });
  writer = new HistoryWriter(store);

  api = startEngineProcess('api', ENGINE_ENTRY.api, { ...ENGINE_ENV, DATABASE_URL: databaseUrl('api'), RUN_WORKERS: 'false', PORT: '0', HOST: '127.0.0.1' });
  const [a, b] = [startWorker(), startWorker()];
  sampler = startLeaseSampler();
  await withLogs(async () => {
    await writer.write(SEED_PARTNERSHIPS);
    const listening = await api!.waitForLog(/Trellis listening on http/, 'the API to listen', 90_000);
    client = new ApiClient(/Trellis listening on (http:\/\/[^ ]+)/.exec(listening)![1]!.replace('[::1]', '127.0.0.1'), ADMIN_KEY);
    await Promise.all([workerReady(a), workerReady(b)]);
    await caughtUp('the live runners to catch up with the seeded log', 90_000);
  });
}, 150_000);

afterAll(async () => {
  for (const appender of [...appenders]) await appender.stop().catch(() => undefined);
  sampling = false;
  await sampler;
  await killAllEngineProcesses();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await store?.close();
  await sql?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await sql?.close();
}, 60_000);

// ── the scenarios ────────────────────────────────────────────────────────────────────────────────

it('1. SIGKILL of a worker holding leases while the live runners lag: another worker takes over, and the read models equal a clean rebuild', () =>
  withLogs(async () => {
    check(workers.length === 2 && workers.every((w) => w.alive), 'two workers should be running');
    const appender = startAppender({ lanes: 1, active: 8, pauseMs: 10 });
    await sleep(1_000);

    // A burst of appends so the runners clearly lag; kill a worker holding leases on lagging projections.
    let burst = writer.write(80, { concurrency: 64 });
    const victimAt = await waitFor(
      async () => {
        const list = await adminStatus();
        const lagging = list.filter((p) => ownerProcess(p.leaseOwner)?.alive && BigInt(p.lag) > 0n);
        if (lagging.length === 0) {
          // The runners kept up with this burst: another one.
          if (await Promise.race([burst.then(() => true), sleep(0).then(() => false)])) burst = writer.write(80, { concurrency: 64 });
          return undefined;
        }
        const victim = ownerProcess(lagging[0]!.leaseOwner)!;
        return { victim, projections: lagging.filter((p) => ownerProcess(p.leaseOwner) === victim), list };
      },
      'a worker to hold the lease of a lagging projection',
      30_000,
      25,
    );
    const { victim } = victimAt;
    const headAtKill = await store.headPosition();
    await sigkill(victim);
    const killedAt = Date.now();
    const held = victimAt.projections.map((p) => p.name);
    // The admin status named the victim (host:pid) as the holder of lagging projections just before the kill.
    for (const p of victimAt.projections) {
      expect(p.leaseOwner).toMatch(new RegExp(`^${HOST}:${victim.pid}:`));
      expect(BigInt(p.lag)).toBeGreaterThan(0n);
    }

    // After the kill the registry still names the dead process for those leases (it died holding
    // them), with events after its checkpoint: the kill happened mid-live.
    await sleep(300);
    const orphaned = (await readModelRows()).filter((r) => held.includes(r.name));
    for (const r of orphaned) {
      check(ownerProcess(r.leaseOwner) === victim, `right after the kill, ${r.name}'s lease should still name ${victim.name}: ${describeRows([r])}`);
    }
    const pending = orphaned.filter((r) => r.checkpoint < headAtKill);
    check(pending.length > 0, `no projection of ${victim.name} had events left to apply at the kill (head ${headAtKill}):\n${describeRows(orphaned)}`);
    const checkpointsAtKill = new Map(orphaned.map((r) => [r.name, r.checkpoint]));

    // The surviving worker takes over once the dead runner's lease expires (3 s); appends go on.
    const survivor = workers[0]!;
    const takeover = await waitFor(
      async () => {
        const rows = (await readModelRows()).filter((r) => held.includes(r.name));
        return rows.every((r) => r.checkpoint > checkpointsAtKill.get(r.name)! && ownerProcess(r.leaseOwner) !== victim) ? Date.now() : undefined;
      },
      `${survivor.name} to take over ${held.join(', ')} from the killed ${victim.name}`,
      30_000,
      100,
      registryReport,
    );

    // A replacement starts (as an orchestrator would restart it) while events keep coming.
    const replacement = startWorker();
    await workerReady(replacement);
    await sleep(500);
    await burst;
    const written = await appender.stop();
    check(written.appends > 0, 'the appender should have appended');

    const takenOver = leaseMoves.filter((m) => m.from === victim.name && m.at >= killedAt);
    check(takenOver.length > 0, `the lease sampler saw no lease move away from ${victim.name}`);
    process.stdout.write(
      `[resilience] scenario 1: killed ${victim.name} (pid ${victim.pid}) holding ${held.join(', ')} with lag ${victimAt.projections.map((p) => p.lag).join(', ')}; ` +
        `taken over after ${takeover - killedAt} ms by ${[...new Set(takenOver.map((m) => m.to))].join(', ')}; ${written.events} events appended by the appender\n`,
    );
    await expectEqualToCleanRebuild('scenario 1 (SIGKILL during live projection)');
  }), 120_000);

it('2. SIGKILL of the worker running a rebuild half-way: the job resumes elsewhere from its checkpoint, every event appended meanwhile appears, and the read models equal a clean rebuild', () =>
  withLogs(async () => {
    check(workers.length === 2 && workers.every((w) => w.alive), 'two workers should be running');
    const appender = startAppender({ lanes: 1, active: 8, pauseMs: 5 });
    await sleep(500);
    const headAtRequest = await store.headPosition();
    const requested = await client.post('/admin/projections/rebuild', { reason: 'resilience: SIGKILL mid-rebuild' });
    expect(requested.status).toBe(202);
    const jobId = requested.body.jobId as string;
    expect([...requested.body.projections].sort()).toEqual([...PROJECTION_NAMES].sort());

    // Find the worker running it (its database sessions write the shadow generation), and wait
    // until the rebuild is between 10 % and 80 %.
    const votes = new Map<string, number>();
    const target = await waitFor(
      async () => {
        for (const label of await workersRunningRebuild(jobId)) votes.set(label, (votes.get(label) ?? 0) + 1);
        const rows = (await readModelRows()).filter((r) => r.rebuild?.jobId === jobId);
        if (rows.length !== PROJECTION_NAMES.length) throw new Error(`the rebuild claims ${rows.length} projections:\n${describeRows(rows)}`);
        const percents = rows.map((r) => (r.rebuild!.head ? Number((r.rebuild!.checkpoint * 10_000n) / r.rebuild!.head) / 100 : 0));
        if (Math.max(...percents) > 80) throw new Error(`the rebuild passed 80 % (${percents.join(', ')}) before the worker running it was known (${JSON.stringify([...votes])}): the log is too small`);
        const [label, count] = [...votes].sort((x, y) => y[1] - x[1])[0] ?? [];
        return Math.min(...percents) >= 10 && label && count! >= 3 ? label : undefined;
      },
      'the rebuild to reach 10 % with its worker known',
      60_000,
      30,
      async () => `${await registryReport()}\n${await jobReport(jobId)}`,
    );
    check(votes.size === 1, `sessions of several workers worked on the rebuild at once: ${JSON.stringify([...votes])}`);
    const victim = workers.find((w) => w.name === target);
    check(victim, `the rebuild runs in ${target}, which is not a running worker`);

    // The admin progress just before the kill: mid-way for every projection of the group.
    const progress = (await adminStatus()).map((s) => ({ name: s.name, percent: s.rebuild?.percent ?? null, position: s.rebuild?.position }));
    for (const p of progress) {
      check(p.percent !== null && p.percent >= 5 && p.percent <= 90, `the admin status should show the rebuild mid-way before the kill: ${JSON.stringify(progress)}`);
    }
    await sigkill(victim);
    const killedAt = Date.now();
    const replacement = startWorker();

    // The registry keeps the claim (same job, same shadow generation) and its checkpoints.
    await sleep(300);
    const atKill = new Map((await readModelRows()).map((r) => [r.name, r]));
    for (const [name, r] of atKill) {
      check(r.rebuild?.jobId === jobId && r.rebuild.checkpoint > 0n, `after the kill ${name} should still be claimed by ${jobId} with its checkpoint: ${describeRows([r])}`);
    }

    // Resumed by another worker after the job lock expires (3 s): never from 0, never with a new
    // job or generation; then swapped.
    let resumedAt: number | undefined;
    const resumedBy = new Map<string, number>();
    const lowest = new Map<string, bigint>();
    const swappedAt = await waitFor(
      async () => {
        const rows = await readModelRows();
        for (const r of rows) {
          const before = atKill.get(r.name)!;
          if (r.rebuild) {
            check(r.rebuild.jobId === jobId && r.rebuild.generation === before.rebuild!.generation, `${r.name}: the rebuild changed identity after the kill: ${describeRows([r])}`);
            check(r.rebuild.checkpoint >= before.rebuild!.checkpoint, `${r.name}: the rebuild checkpoint went back from ${before.rebuild!.checkpoint} to ${r.rebuild.checkpoint} after the kill`);
            lowest.set(r.name, r.rebuild.checkpoint < (lowest.get(r.name) ?? r.rebuild.checkpoint + 1n) ? r.rebuild.checkpoint : lowest.get(r.name)!);
            if (r.rebuild.checkpoint > before.rebuild!.checkpoint) resumedAt ??= Date.now();
          }
        }
        if (resumedAt) for (const label of await workersRunningRebuild(jobId)) resumedBy.set(label, (resumedBy.get(label) ?? 0) + 1);
        return rows.every((r) => r.rebuild === null && r.generation === atKill.get(r.name)!.rebuild!.generation) ? Date.now() : undefined;
      },
      `the rebuild ${jobId} to resume and swap`,
      60_000,
      50,
      async () => `${await registryReport()}\n${await jobReport(jobId)}`,
    );
    check(resumedAt !== undefined || [...atKill.values()].every((r) => r.rebuild!.checkpoint === r.rebuild!.head), 'the rebuild swapped without ever advancing after the kill');
    check(!resumedBy.has(victim.name), `the killed ${victim.name} cannot have resumed the rebuild`);

    // Keep appending a moment after the swap, then stop.
    await sleep(500);
    await appender.stop();
    const duringRebuild = writer.created.filter((c) => c.position > headAtRequest && c.at <= swappedAt);
    check(duringRebuild.length > 0, 'no partnership was created while the rebuild ran');

    const job = await queue.getJob(jobId);
    check(job, `job ${jobId} is gone`);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toEqual({ outcome: 'swapped' });
    // BullMQ found it stalled (its worker died holding the lock) and handed it to another worker.
    check(job.stalledCounter >= 1, `the job should have been detected as stalled: ${await jobReport(jobId)}`);

    await caughtUp('the live runners to catch up after the swap');
    const listed = await listedPartnerships();
    const missing = writer.created.filter((c) => !listed.has(c.partnershipId));
    check(missing.length === 0, `${missing.length} partnerships are not listed, e.g. ${missing.slice(0, 3).map((c) => `${c.partnershipId} (position ${c.position})`).join(', ')}`);
    await workerReady(replacement);
    process.stdout.write(
      `[resilience] scenario 2: killed ${victim.name} (pid ${victim.pid}) running ${jobId} at ${progress.map((p) => `${p.name} ${p.percent}%`).join(', ')}; ` +
        `resumed ${resumedAt ? resumedAt - killedAt : '?'} ms later by ${JSON.stringify([...resumedBy])}, lowest checkpoints after the kill ${JSON.stringify([...lowest].map(([n, c]) => [n, c.toString()]))} ` +
        `(at the kill ${JSON.stringify([...atKill].map(([n, r]) => [n, r.rebuild!.checkpoint.toString()]))}); swapped ${swappedAt - killedAt} ms after the kill; ` +
        `${duringRebuild.length} partnerships created during the rebuild; ${await jobReport(jobId)}\n`,
    );
    await expectEqualToCleanRebuild('scenario 2 (SIGKILL during a rebuild)');
  }), 120_000);

it('3. queries keep answering during a rebuild and its swap, and never go backwards', () =>
  withLogs(async () => {
    const seeded = [...(await listedPartnerships()).keys()].slice(0, 40);
    // Partnerships with data-sharing agreements for the agreements register.
    const withAgreements: string[] = [];
    for (const id of seeded) {
      if (withAgreements.length >= 3) break;
      const res = await client.get(`/partnerships/${id}/agreements`);
      if (res.status === 200 && res.body.dataSharingAgreements.length > 0) withAgreements.push(id);
    }
    check(withAgreements.length === 3, 'the seeded log should have partnerships with data-sharing agreements');
    const effectivenessIds = seeded.slice(0, 3);

    const appender = startAppender({ lanes: 1, active: 8, pauseMs: 5 });
    let polling = true;
    let rebuilding = false;
    const failures: string[] = [];
    const regressions: string[] = [];
    const rounds = { total: 0, duringRebuild: 0 };
    const counts: number[] = [];
    const asOf = new Map<string, bigint>();
    const dsaCounts = new Map<string, number>();
    const everListed = new Set<string>();
    const poll = async (path: string) => {
      const res = await client.get(path);
      if (res.status !== 200) failures.push(`GET ${path} → ${res.status}: ${res.text.slice(0, 200)}`);
      return res;
    };
    const monotonic = (key: string, value: bigint) => {
      const previous = asOf.get(key);
      if (previous !== undefined && value < previous) regressions.push(`${key}: asOfPosition ${previous} → ${value}`);
      asOf.set(key, value > (previous ?? value) ? value : (previous ?? value));
    };
    const poller = (async () => {
      while (polling) {
        const during = rebuilding;
        const listed = await listedPartnerships().catch((e: Error) => {
          failures.push(e.message);
          return new Map<string, bigint>();
        });
        const lost = [...everListed].filter((id) => !listed.has(id));
        if (lost.length > 0) regressions.push(`${lost.length} partnerships listed before are gone, e.g. ${lost[0]}`);
        if (counts.length > 0 && listed.size < counts[counts.length - 1]!) regressions.push(`partnerships listed: ${counts[counts.length - 1]} → ${listed.size}`);
        counts.push(listed.size);
        for (const [id, position] of listed) {
          everListed.add(id);
          monotonic(`summary ${id}`, position);
        }
        for (const id of effectivenessIds) {
          const res = await poll(`/partnerships/${id}/effectiveness`);
          if (res.status === 200) monotonic(`effectiveness ${id}`, BigInt(res.body.asOfPosition));
        }
        for (const id of withAgreements) {
          const res = await poll(`/partnerships/${id}/agreements`);
          if (res.status !== 200) continue;
          const n = res.body.dataSharingAgreements.length as number;
          if (n < (dsaCounts.get(id) ?? 0)) regressions.push(`agreements ${id}: ${dsaCounts.get(id)} → ${n} data-sharing agreements`);
          dsaCounts.set(id, n);
        }
        await poll('/workstreams?limit=200');
        await poll(`/workstreams?stalled=true&partnershipId=${seeded[0]}`);
        rounds.total += 1;
        if (during && rebuilding) rounds.duringRebuild += 1;
      }
    })();

    try {
      await sleep(1_000);
      const before = new Map((await readModelRows()).map((r) => [r.name, r.generation]));
      const res = await client.post('/admin/projections/rebuild', { reason: 'resilience: queries during a rebuild' });
      expect(res.status).toBe(202);
      rebuilding = true;
      await waitFor(
        async () => (await readModelRows()).every((r) => r.rebuild === null && r.generation > before.get(r.name)!),
        `the rebuild ${res.body.jobId} to swap`,
        60_000,
        100,
        async () => `${await registryReport()}\n${await jobReport(res.body.jobId)}`,
      );
      rebuilding = false;
      const roundsAtSwap = rounds.total;
      await waitFor(async () => rounds.total >= roundsAtSwap + 2, 'two query rounds after the swap', 20_000);
    } finally {
      polling = false;
      await poller;
      await appender.stop();
    }

    check(failures.length === 0, `${failures.length} queries failed during the rebuild:\n${failures.slice(0, 10).join('\n')}`);
    check(regressions.length === 0, `the data went backwards:\n${regressions.slice(0, 10).join('\n')}`);
    check(rounds.duringRebuild >= 3, `only ${rounds.duringRebuild} query rounds ran during the rebuild`);
    check(counts[counts.length - 1]! > counts[0]!, `the list should have grown while appending (${counts[0]} → ${counts[counts.length - 1]})`);
    process.stdout.write(
      `[resilience] scenario 3: ${rounds.total} query rounds (${rounds.duringRebuild} during the rebuild), partnerships listed ${counts[0]} → ${counts[counts.length - 1]}, no failure, nothing went backwards\n`,
    );
    await caughtUp('the live runners to catch up after the rebuild');
  }), 120_000);

it('4. two workers under heavy concurrent appends never apply an event twice, and leases moved between the processes', () =>
  withLogs(async () => {
    check(workers.length === 2 && workers.every((w) => w.alive), 'two workers should be running');
    const base = new Map((await caughtUp('a quiet start')).map((s) => [s.name, { checkpoint: BigInt(s.checkpoint), applied: BigInt(s.eventsApplied), generation: s.generation }]));
    const movesBefore = leaseMoves.length;

    // Heavy load: 12 appenders moving partnerships forward one command at a time, plus bulk histories.
    const appender = startAppender({ lanes: 12, active: 4, pauseMs: 0 });
    try {
      await writer.write(150, { concurrency: 64 });
      await sleep(3_000);
    } finally {
      await appender.stop();
    }
    const after = await caughtUp('the live runners to catch up after the heavy appends');

    // Exactly once by count: what the live runners applied since the start equals the matching events in the log.
    for (const s of after) {
      const b = base.get(s.name)!;
      check(s.generation === b.generation, `${s.name} was rebuilt during the scenario`);
      const types = READ_MODEL_PROJECTIONS.find((p) => p.name === s.name)!.eventTypes;
      const { rows } = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${SCHEMA}.events WHERE position > $1 AND position <= $2 AND type = ANY($3::text[])`, [
        b.checkpoint.toString(),
        s.checkpoint,
        types,
      ]);
      const applied = BigInt(s.eventsApplied) - b.applied;
      check(applied === BigInt(rows[0]!.n), `${s.name}: the live runners applied ${applied} events for ${rows[0]!.n} matching events in (${b.checkpoint}, ${s.checkpoint}]`);
    }
    const holdersDuring = new Set(leaseMoves.slice(movesBefore).flatMap((m) => [m.from, m.to]));
    await expectEqualToCleanRebuild('scenario 4 (two workers, heavy appends)');

    // Over the file, leases changed hands between processes: takeovers after the kill, and handovers
    // between running workers (time slices ending, leases lost under load, runs after each swap).
    const handovers = leaseMoves.filter((m) => m.fromAlive);
    const takeovers = leaseMoves.filter((m) => !m.fromAlive);
    check(takeovers.length > 0, 'no lease was taken over from the killed worker');
    check(handovers.length > 0, `leases never moved between running workers: ${JSON.stringify(leaseMoves)}`);
    process.stdout.write(
      `[resilience] scenario 4: ${leaseMoves.length} lease moves over the file (${takeovers.length} from killed workers, ${handovers.length} between running workers; ` +
        `${leaseMoves.length - movesBefore} during the heavy appends, holders ${[...holdersDuring].join(', ') || 'unchanged'}); ` +
        `holders per projection ${JSON.stringify([...holdersSeen].map(([n, s]) => [n, [...s]]))}\n`,
    );
  }), 120_000);
