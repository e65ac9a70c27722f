/**
 * The engine as the fault suite (test/faults) runs it: one API process (RUN_WORKERS=false) and worker
 * processes, run from source (test/support/processes.ts), on a PostgreSQL database and a Redis that
 * the test file chooses — the shared ones (with a fresh schema and queue prefix) or private servers
 * it can stop (test/support/private-services.ts). The rig also holds the test's own connections to
 * the same schema: an event store (to read the log), a SQL client and the projection registry.
 *
 * Also here: `CommandLoad`, a bounded stream of commands through the API that records every answer,
 * and the small polling helpers every fault test uses (never fixed sleeps as assertions).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createPostgresEventStore, PgSqlClient, type RecordedEvent, type SqlEventStore } from '@trellis/event-store';
import { ProjectionRegistry } from '@trellis/projections';
import { REMINDER_POLICY_IDS } from '@trellis/reminders';
import { ApiClient, type ApiResponse } from './api-client';
import { ENGINE_ENTRY, postgresEngineEnv, startEngineProcess, type EngineProcess } from './processes';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Polls `probe` every `everyMs` until it returns a value (not undefined/null/false); fails after `timeoutMs` with `explain()`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs: number,
  explain?: () => Promise<string> | string,
  everyMs = 200,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: Error | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error as Error;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}${explain ? `\n${await explain()}` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same faults on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Four engine start-ups from source on a loaded 2-core machine. */
export const START_TIMEOUT_MS = 150_000;

export interface RigOptions {
  /** Short name: schema `<label>_<random>`, log lines, application_name. */
  readonly label: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Extra engine environment (both api and workers). */
  readonly env?: Record<string, string>;
  readonly workers?: number;
}

export class EngineRig {
  readonly schema: string;
  readonly queuePrefix: string;
  readonly adminKey = `trk_test_${randomBytes(24).toString('base64url')}`;
  readonly processes: EngineProcess[] = [];
  api!: ApiClient;
  apiProcess!: EngineProcess;
  sql!: PgSqlClient;
  store!: SqlEventStore;
  registry!: ProjectionRegistry;
  private workerCount = 0;

  constructor(readonly options: RigOptions) {
    this.schema = `${options.label}_${randomBytes(5).toString('hex')}`;
    this.queuePrefix = `trellis-faults-${this.schema}`;
  }

  /** The engine's environment for one process. */
  env(processLabel: string): Record<string, string> {
    return {
      ...postgresEngineEnv({
        databaseUrl: this.options.databaseUrl,
        redisUrl: this.options.redisUrl,
        schema: this.schema,
        queuePrefix: this.queuePrefix,
        adminKey: this.adminKey,
        label: processLabel,
      }),
      HOST: '127.0.0.1',
      PORT: '0',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      PROJECTION_LEASE_MS: '3000',
      PROJECTION_JOB_LOCK_MS: '3000',
      REMINDER_SCHEDULER_LEASE_MS: '3000',
      REMINDER_JOB_LOCK_MS: '3000',
      WEBHOOK_DISPATCHER_LEASE_MS: '3000',
      ...this.options.env,
    };
  }

  /** Starts the API and the workers, waits until they are up, and opens the test's own connections. */
  async start(): Promise<this> {
    this.apiProcess = startEngineProcess(`${this.options.label}-api`, ENGINE_ENTRY.api, { ...this.env('api'), RUN_WORKERS: 'false' });
    this.processes.push(this.apiProcess);
    const workers = Array.from({ length: this.options.workers ?? 1 }, () => this.startWorker());
    await this.withLogs(async () => {
      const line = await this.apiProcess.waitForLog(/Trellis listening on http:\/\/\S+/, 'the API to listen', START_TIMEOUT_MS);
      const url = /Trellis listening on (http:\/\/\S+)/.exec(line)![1]!.replace('localhost', '127.0.0.1').replace('[::1]', '127.0.0.1');
      this.api = new ApiClient(url, this.adminKey);
      await Promise.all(workers.map((w) => this.workerReady(w)));
    });
    this.sql = PgSqlClient.fromUrl(this.options.databaseUrl, { max: 3, applicationName: `trellis_${this.schema}_test`, onError: () => undefined });
    this.store = await createPostgresEventStore({ connectionString: this.options.databaseUrl, schema: this.schema, poolSize: 2, applicationName: `trellis_${this.schema}_reader`, onError: () => undefined });
    this.registry = new ProjectionRegistry(this.sql, this.schema);
    return this;
  }

  startWorker(): EngineProcess {
    const label = `${this.options.label}-w${++this.workerCount}`;
    const worker = startEngineProcess(label, ENGINE_ENTRY.worker, this.env(`w${this.workerCount}`));
    this.processes.push(worker);
    return worker;
  }

  workerReady(worker: EngineProcess): Promise<string> {
    return worker.waitForLog(/Trellis worker started/, `${worker.name} to start`, START_TIMEOUT_MS);
  }

  get workers(): EngineProcess[] {
    return this.processes.filter((p) => p !== this.apiProcess && p.alive);
  }

  /** Runs a step; a failure message carries the last log lines of every engine process. */
  async withLogs<T>(body: () => Promise<T>, extra?: () => string): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const e = error as Error;
      const wrapped = new Error(`${e.message}\n\nLast log lines:\n${this.processes.map((p) => p.tail(25)).join('\n')}${extra ? `\n${extra()}` : ''}`);
      wrapped.stack = `${wrapped.message}\n${(e.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at ')).join('\n')}`;
      throw wrapped;
    }
  }

  async readAll(filter?: (e: RecordedEvent) => boolean): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    for await (const e of this.store.readAll()) if (!filter || filter(e)) out.push(e);
    return out;
  }

  async registryReport(): Promise<string> {
    const rows = await this.registry.list();
    return `head ${await this.store.headPosition()}; ${rows.map((r) => `${r.name}@${r.checkpoint}${r.leaseOwner ? ` (${r.leaseOwner})` : ''}${r.lastError ? ` error ${r.lastError}` : ''}`).join(', ')}`;
  }

  /** Stops every process (SIGKILL), drops the schema, deletes the queue keys (when the services still answer). */
  async close(options: { dropSchema?: boolean; deleteQueueKeys?: boolean } = {}): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill('SIGKILL')));
    await this.store?.close().catch(() => undefined);
    if (options.dropSchema !== false) await this.sql?.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`).catch(() => undefined);
    await this.sql?.close().catch(() => undefined);
    if (options.deleteQueueKeys !== false) await deleteKeys(this.options.redisUrl, `${this.queuePrefix}:*`).catch(() => undefined);
  }
}

/** Deletes every key matching `pattern` (the queues of a test's own prefix on a shared Redis). */
export async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

// ── load ──────────────────────────────────────────────────────────────────────────────────────────

export interface LoadAnswer {
  readonly at: number;
  readonly request: string;
  /** 0: no HTTP answer at all (connection refused or reset, or the client timed out). */
  readonly status: number;
  readonly code?: string;
  readonly retryAfter?: string;
  readonly contentType?: string;
  readonly error?: string;
  readonly ms: number;
}

/**
 * Commands through the API, `lanes` at a time, until stopped (bounded: at most `maxCommands`): each
 * lane proposes a partnership, then has organizations join it one command at a time, and starts a new
 * partnership every `perPartnership` commands. Every answer is recorded; a command refused with 503
 * (or not answered) is not retried — the log must hold exactly the commands answered 201.
 */
export class CommandLoad {
  readonly answers: LoadAnswer[] = [];
  /** Partnerships created (answered 201), with the time of the answer. */
  readonly partnerships: Array<{ id: string; at: number }> = [];
  /** Event ids the API acknowledged (201 to a command): each must be in the log. */
  readonly acknowledged: string[] = [];
  private running = true;
  private readonly done: Promise<void>;
  private sent = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly options: { lanes?: number; perPartnership?: number; pauseMs?: number; maxCommands?: number; requestTimeoutMs?: number; label?: string } = {},
  ) {
    this.done = Promise.all(Array.from({ length: options.lanes ?? 4 }, (_, i) => this.lane(i))).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  /** The answers of a time window, by status. */
  statuses(from = 0, to = Number.MAX_SAFE_INTEGER): Record<string, number> {
    const out: Record<string, number> = {};
    for (const a of this.answers) if (a.at >= from && a.at <= to) out[a.status] = (out[a.status] ?? 0) + 1;
    return out;
  }

  private async lane(index: number): Promise<void> {
    const per = this.options.perPartnership ?? 6;
    let partnership: string | undefined;
    let joined = 0;
    while (this.running && this.sent < (this.options.maxCommands ?? 5_000)) {
      this.sent += 1;
      if (partnership === undefined || joined >= per) {
        const res = await this.send('POST /partnerships', () =>
          this.api.request('POST', '/partnerships', { body: { name: `${this.options.label ?? 'Fault'} ${index}-${this.sent}`, initiationMode: 'community', focus: 'Family engagement' } }),
        );
        if (res?.status === 201) {
          partnership = res.body.partnershipId as string;
          this.partnerships.push({ id: partnership, at: Date.now() });
          joined = 0;
        }
      } else {
        const org = `org-${index}-${this.sent}`;
        const res = await this.send('JoinOrganization', () =>
          this.api.command(partnership!, 'JoinOrganization', { organizationId: org, name: `Organization ${org}`, orgType: 'school', side: 'practice' }),
        );
        if (res?.status === 201) {
          joined += 1;
          for (const e of (res.body.events ?? []) as Array<{ eventId: string }>) this.acknowledged.push(e.eventId);
        }
      }
      if (this.options.pauseMs) await sleep(this.options.pauseMs);
    }
  }

  private async send(request: string, call: () => Promise<ApiResponse>): Promise<ApiResponse | undefined> {
    const started = Date.now();
    const timeout = this.options.requestTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const res = await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
        }),
      ]);
      const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as { code?: string };
      this.answers.push({
        at: Date.now(),
        request,
        status: res.status,
        ...(body.code ? { code: body.code } : {}),
        ...(res.headers.get('retry-after') ? { retryAfter: res.headers.get('retry-after')! } : {}),
        ...(res.headers.get('content-type') ? { contentType: res.headers.get('content-type')! } : {}),
        ms: Date.now() - started,
      });
      return res;
    } catch (error) {
      this.answers.push({ at: Date.now(), request, status: 0, error: (error as Error).message, ms: Date.now() - started });
      await sleep(100);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The engine settings the fault files share: only R-01 issues reminders, due `r01DueMs` after each
 * proposal (90 days scaled), and webhook retries are fast and many, so that an outage of seconds
 * never dead-letters a delivery.
 */
export function faultEngineEnv(r01DueMs: number): Record<string, string> {
  return {
    REMINDER_TIME_SCALE: `1/${(90 * 86_400_000) / r01DueMs}`,
    REMINDER_R01_DAYS: '90',
    REMINDER_DISABLED_POLICIES: REMINDER_POLICY_IDS.filter((p) => p !== 'R-01').join(','),
    WEBHOOK_BACKOFF_MS: '200',
    WEBHOOK_BACKOFF_JITTER_PERCENT: '20',
    WEBHOOK_MAX_ATTEMPTS: '25',
  };
}
