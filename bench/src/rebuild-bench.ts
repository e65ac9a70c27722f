/**
 * The rebuild benchmark's workloads (compiled into bench/.build/ and driven by
 * bench/scenarios/rebuild.js, one child process per measurement):
 *
 * - `generateLog`: a log of realistic partnership histories (every command decided by the real
 *   decider through TestLog, the five read-model history templates in turn, thousands of
 *   partnerships interleaved in `$all` as in production), appended through the real PostgreSQL
 *   adapter until it holds the requested number of events;
 * - `measureScan`: the ceiling — a plain sequential scan of the events table (a server-side cursor
 *   over `SELECT * FROM events`, fetched 10,000 rows at a time, every row parsed by the driver);
 * - `measureReadAll`: the store's own `$all` read in batches, for context;
 * - `measureRebuild`: the real ProjectionRebuilder rebuilding every read model of
 *   READ_MODEL_PROJECTIONS in one blue/green pass from that log, exactly as the worker's rebuild job
 *   does, into a fresh schema — with the peak RSS of the process.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openSync, readFileSync } from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import { createPostgresEventStore, PgSqlClient } from '@trellis/event-store';
import { ProjectionRebuilder, ProjectionRegistry, READ_MODEL_PROJECTIONS, type RebuildProgress } from '@trellis/projections';
import { HistoryWriter } from '@trellis/projections/testing';

export interface GenerateOptions {
  readonly url: string;
  readonly schema: string;
  readonly events: number;
  /** Partnerships decided together and interleaved in `$all` (default 500). */
  readonly slice?: number;
  /** Commands per append (default 4). */
  readonly commandsPerAppend?: number;
}

export interface GenerateResult {
  readonly events: number;
  readonly partnerships: number;
  readonly seconds: number;
  readonly head: string;
  readonly tableBytes: number;
}

export async function generateLog(options: GenerateOptions): Promise<GenerateResult> {
  const slice = options.slice ?? 500;
  const write = { slice, commandsPerAppend: options.commandsPerAppend ?? 4 };
  const sql = PgSqlClient.fromUrl(options.url, { max: 8, applicationName: `${options.schema}_gen` });
  const store = await createPostgresEventStore({ sql, schema: options.schema });
  const writer = new HistoryWriter(store);
  const started = performance.now();
  try {
    // One slice tells how many events a partnership makes on average; then the rest in one go
    // (the writer decides the next slice while the previous one is written), topped up if short.
    await writer.write(slice, write);
    while (writer.events < options.events) {
      const perPartnership = writer.events / writer.created.length;
      const needed = Math.ceil((options.events - writer.events) / perPartnership / slice) * slice;
      await writer.write(needed, write);
    }
    const head = await store.headPosition();
    const { rows } = await sql.query<{ bytes: string }>(`SELECT pg_total_relation_size($1::regclass)::text AS bytes`, [`${options.schema}.events`]);
    await sql.query(`ANALYZE ${options.schema}.events`);
    return {
      events: writer.events,
      partnerships: writer.created.length,
      seconds: (performance.now() - started) / 1000,
      head: head.toString(),
      tableBytes: Number(rows[0]!.bytes),
    };
  } finally {
    await store.close();
    await sql.close();
  }
}

// ── measurements ────────────────────────────────────────────────────────────────────────────────

export interface ReadResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssBytes: number;
}

/** The ceiling: a plain sequential scan of the events table through a server-side cursor. */
export async function measureScan(options: { url: string; logSchema: string; applicationName: string; fetch?: number }): Promise<ReadResult> {
  const fetch = options.fetch ?? 10_000;
  const sql = PgSqlClient.fromUrl(options.url, { max: 1, applicationName: options.applicationName });
  const rss = new RssSampler();
  try {
    const started = performance.now();
    let events = 0;
    await sql.transaction(async (tx) => {
      await tx.query(`DECLARE scan NO SCROLL CURSOR FOR SELECT * FROM ${options.logSchema}.events`);
      for (;;) {
        const { rows } = await tx.query(`FETCH ${fetch} FROM scan`);
        if (rows.length === 0) break;
        events += rows.length;
      }
      await tx.query('CLOSE scan');
    });
    const seconds = (performance.now() - started) / 1000;
    return { events, seconds, eventsPerSecond: events / seconds, peakRssBytes: rss.stop() };
  } finally {
    await sql.close();
  }
}

/** The store's own `$all` read (position order, envelopes as projections receive them). */
export async function measureReadAll(options: { url: string; logSchema: string; applicationName: string; batch?: number }): Promise<ReadResult> {
  const batch = options.batch ?? 10_000;
  const store = await createPostgresEventStore({ connectionString: options.url, schema: options.logSchema, poolSize: 2, applicationName: options.applicationName });
  const rss = new RssSampler();
  try {
    const started = performance.now();
    let events = 0;
    let after = 0n;
    for (;;) {
      let n = 0;
      for await (const e of store.readAll({ after, maxCount: batch })) {
        after = e.position;
        n += 1;
      }
      events += n;
      if (n < batch) break;
    }
    const seconds = (performance.now() - started) / 1000;
    return { events, seconds, eventsPerSecond: events / seconds, peakRssBytes: rss.stop() };
  } finally {
    await store.close();
  }
}

export interface RebuildResult extends ReadResult {
  readonly projections: readonly string[];
  /** `$all` positions replayed per second (what the admin progress shows). */
  readonly positionsPerSecond: number;
  readonly rows: Readonly<Record<string, number>>;
  readonly tableBytes: number;
  readonly batchSize: number;
}

/**
 * Every read model rebuilt from the log by the real ProjectionRebuilder (one pass, blue/green into
 * a new generation, swap), reading the log from `logSchema` and writing into `schema`.
 */
export async function measureRebuild(options: { url: string; logSchema: string; schema: string; applicationName: string; batchSize: number }): Promise<RebuildResult> {
  const store = await createPostgresEventStore({ connectionString: options.url, schema: options.logSchema, poolSize: 4, applicationName: options.applicationName });
  const sql = PgSqlClient.fromUrl(options.url, { max: READ_MODEL_PROJECTIONS.length + 2, applicationName: options.applicationName });
  const rss = new RssSampler();
  try {
    const registry = new ProjectionRegistry(sql, options.schema);
    await registry.migrate();
    await registry.ensure(READ_MODEL_PROJECTIONS);
    const rebuilder = new ProjectionRebuilder(store, registry, READ_MODEL_PROJECTIONS, { batchSize: options.batchSize });
    let last: RebuildProgress | undefined;
    const started = performance.now();
    const outcome = await rebuilder.rebuild(`bench-${uuidv7()}`, 'benchmark', (p) => {
      last = p;
    });
    const seconds = (performance.now() - started) / 1000;
    if (outcome !== 'swapped') throw new Error(`rebuild ended ${outcome}`);
    const events = last?.eventsRead ?? 0;
    const head = Number(await store.headPosition());
    const rows: Record<string, number> = {};
    let tableBytes = 0;
    for (const p of READ_MODEL_PROJECTIONS) {
      for (const t of p.tables) {
        const view = `${options.schema}.rm_${p.name}_${t.name}`;
        const { rows: r } = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${view}`);
        rows[`${p.name}.${t.name}`] = Number(r[0]!.n);
      }
    }
    const { rows: size } = await sql.query<{ bytes: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [options.schema],
    );
    tableBytes = Number(size[0]!.bytes);
    return {
      projections: READ_MODEL_PROJECTIONS.map((p) => p.name),
      events,
      seconds,
      eventsPerSecond: events / seconds,
      positionsPerSecond: head / seconds,
      peakRssBytes: rss.stop(),
      rows,
      tableBytes,
      batchSize: options.batchSize,
    };
  } finally {
    await store.close();
    await sql.close();
  }
}

/** Peak resident set size: sampled every 50 ms, and the kernel's high-water mark (VmHWM) at the end. */
class RssSampler {
  private peak = process.memoryUsage.rss();
  private readonly timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }, 50);

  stop(): number {
    clearInterval(this.timer);
    return Math.max(this.peak, vmHwm() ?? 0);
  }
}

function vmHwm(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ── the worker itself ───────────────────────────────────────────────────────────────────────────

export interface WorkerRebuildResult extends ReadResult {
  /** The worker process's RSS before the rebuild was requested (idle, live runners at the head). */
  readonly idleRssBytes: number;
}

/**
 * The same rebuild, run by the real worker (`dist/apps/worker/main.js`, built by `nest build
 * worker`) as the BullMQ job an admin's POST /admin/projections/rebuild enqueues, against the log
 * schema; the peak RSS is the worker process's high-water mark (VmHWM) when the swap is seen.
 * Before the worker starts, the registry is put at the head (as in production, where the live
 * runners follow the log), so the rebuild is the only work.
 */
export async function measureWorkerRebuild(options: { url: string; logSchema: string; applicationName: string; workerEntry: string; redisUrl: string }): Promise<WorkerRebuildResult> {
  const { spawn } = await import('node:child_process');
  const { Queue } = await import('bullmq');
  const sql = PgSqlClient.fromUrl(options.url, { max: 2, applicationName: options.applicationName });
  const store = await createPostgresEventStore({ sql, schema: options.logSchema });
  const registry = new ProjectionRegistry(sql, options.logSchema);
  await registry.migrate();
  await registry.ensure(READ_MODEL_PROJECTIONS);
  const head = await store.headPosition();
  // The registry also holds the webhook dispatcher's and the reminder scheduler's leases: not read models.
  const names = READ_MODEL_PROJECTIONS.map((p) => p.name);
  const readModels = () => registry.list(names);
  await sql.query(`UPDATE ${registry.table} SET checkpoint = $1 WHERE rebuild_job_id IS NULL AND name = ANY($2::text[])`, [head.toString(), names]);
  const before = new Map((await readModels()).map((r) => [r.name, r.generation]));

  const prefix = `bench-${options.applicationName}`;
  // BENCH_WORKER_NODE_ARGS: extra Node flags for the worker (e.g. `--trace-gc` or `--heap-prof` to see where its memory goes).
  const nodeArgs = (process.env['BENCH_WORKER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const worker = spawn(process.execPath, [...nodeArgs, options.workerEntry], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // Production needs the people vault's master key; the bench registers no people.
      PEOPLE_MASTER_KEY: randomBytes(32).toString('base64'),
      EVENT_STORE: 'postgres',
      DATABASE_URL: options.url,
      DB_SCHEMA: options.logSchema,
      REDIS_URL: options.redisUrl,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      ADMIN_API_KEY: `trk_bench_${uuidv7().replace(/-/g, '')}`,
    },
    // BENCH_WORKER_LOG=<file>: keep the worker's standard output (e.g. `--trace-gc` lines).
    stdio: ['ignore', process.env['BENCH_WORKER_LOG'] ? openSync(process.env['BENCH_WORKER_LOG'], 'a') : 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
  const queue = new Queue('projections', { connection: { url: options.redisUrl }, prefix });
  try {
    // Ready: its run jobs hold the live leases.
    for (let i = 0; ; i++) {
      const rows = await readModels();
      if (rows.every((r) => r.leaseOwner !== null)) break;
      if (worker.exitCode !== null) throw new Error(`the worker exited with code ${worker.exitCode}`);
      if (i > 600) throw new Error('the worker did not start its runners within 60 s');
      await sleep(100);
    }
    await sleep(1_000);
    const idleRssBytes = procStatus(worker.pid!, 'VmRSS') ?? 0;
    const started = performance.now();
    await queue.add('rebuild', { projections: names, reason: 'benchmark' }, { jobId: `rebuild-bench-${uuidv7()}`, attempts: 1 });
    let peak = 0;
    for (;;) {
      peak = Math.max(peak, procStatus(worker.pid!, 'VmRSS') ?? 0);
      const rows = await readModels();
      if (rows.every((r) => r.rebuild === null && r.generation > before.get(r.name)!)) break;
      if (worker.exitCode !== null) throw new Error(`the worker exited with code ${worker.exitCode} during the rebuild`);
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1000;
    const peakRssBytes = Math.max(peak, procStatus(worker.pid!, 'VmHWM') ?? 0);
    const events = Number(head);
    return { events, seconds, eventsPerSecond: events / seconds, peakRssBytes, idleRssBytes };
  } finally {
    worker.kill('SIGTERM');
    const timer = setTimeout(() => worker.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await store.close();
    await sql.close();
  }
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
