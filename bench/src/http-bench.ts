/**
 * The http-commands benchmark's workloads (compiled into bench/.build/, driven by
 * bench/scenarios/http-commands.js, one child process per measurement): commands per second and
 * latency over HTTP for a realistic command mix, against the ceiling of the same commands appended
 * straight to the store.
 *
 * The mix (both subjects play it): every connection (writer) drives its own partnerships through
 * the two seed scenarios of test/support/seed-scenarios.ts, one after the other — the district tool
 * path (ProposePartnership and 33 commands: organizations, participants, MOU, a workstream from
 * problem to research use with a pilot, input, a revision, a DSA and a formal study) and the
 * state-agency path (ProposePartnership and 18 commands) — then starts over on two new
 * partnerships. Over HTTP, every command carries its back-dated `occurredAt` and a unique
 * `Idempotency-Key` (as a careful client sends); after every third command the connection reads the
 * partnership's state (`GET /partnerships/:id`), and after the last one its history (a JSON page of
 * 100) and its state as of the middle of its history (`?asOf=…&time=occurred`): 53 commands and 21
 * reads per loop, ~72% commands.
 *
 * Subjects:
 * - `trellis`: the engine as `npm start` runs it (engine-process.ts: API and workers in one
 *   process, PostgreSQL, Redis), loaded by autocannon 8 (programmatic API, one request in flight per
 *   connection) with a `member` API key. Right after the mix, the same engine answers `GET /health`
 *   under the same number of connections: the HTTP stack's floor in this process (middleware,
 *   routing, a `SELECT 1` on the read store, a store ping and a Redis PING), for context.
 * - `store` (the reference, the ceiling): the same commands, decided by the real decider in this
 *   process (TestLog, state kept in memory) and appended through the PostgreSQL adapter with the
 *   exact expected revision by as many concurrent writers as there are connections — no HTTP, no
 *   authentication, validation, idempotency, stream load or workers. No reads.
 */
import { performance } from 'node:perf_hooks';
import { createPostgresEventStore, PgSqlClient } from '@trellis/event-store';
import { TestLog, toAppend, type LogCommand } from '@trellis/projections/testing';
import autocannon = require('autocannon');
import { STATE_AGENCY_PATH, TOOL_PATH, type Scenario } from '../../test/support/seed-scenarios';
import { BACKDATED_REMINDER_POLICIES, startEngine, type Engine } from './engine-process';

export interface HttpOptions {
  readonly subject: 'trellis' | 'store';
  readonly url: string;
  readonly schema: string;
  readonly applicationName: string;
  readonly redisUrl: string;
  readonly apiEntry: string;
  /** autocannon connections / store writers. */
  readonly connections: number;
  readonly seconds: number;
  readonly warmup: number;
  /** Seconds of `GET /health` after the mix (trellis only; 0: none). */
  readonly healthSeconds: number;
  /** Store subject: connections of its pool. */
  readonly pool: number;
  /** Before the measured window (CHECKPOINT). */
  readonly beforeMeasure?: () => Promise<void>;
}

export type RequestKind = 'command' | 'read';

export interface HttpResult {
  readonly seconds: number;
  /** Responses in the measured window, by kind and status code. */
  readonly statuses: Record<RequestKind, Record<string, number>>;
  /** Latency (ms) of every response in the window, by kind. */
  readonly latencyMs: Record<RequestKind, number[]>;
  /** autocannon's own figures for the window (all requests): latency percentiles, errors, timeouts. */
  readonly autocannon?: { p50: number; p99: number; p99_9: number; max: number; errors: number; timeouts: number; non2xx: number; requests: number };
  /** `GET /health` after the mix (trellis only). */
  readonly health?: { requestsPerSecond: number; p50: number; p99: number; non2xx: number; errors: number; seconds: number };
  /** Partnerships proposed in the window. */
  readonly partnerships: number;
  readonly events?: number;
}

export async function measureHttp(options: HttpOptions): Promise<HttpResult> {
  return options.subject === 'trellis' ? measureTrellis(options) : measureStore(options);
}

// ── the mix ──────────────────────────────────────────────────────────────────────────────────────

interface MixStep {
  readonly kind: RequestKind;
  /** Which of the loop's partnerships it is about. */
  readonly partnership: 'tool' | 'state';
  readonly build: (id: string | undefined) => { method: string; path: string; body?: string } | null;
  /** `propose`: remember the partnership id from the 201. */
  readonly proposes?: boolean;
}

const SCENARIOS: ReadonlyArray<readonly ['tool' | 'state', Scenario]> = [
  ['tool', TOOL_PATH],
  ['state', STATE_AGENCY_PATH],
];

/** Halfway between a scenario's first and last dates: the `asOf` of the mix's bitemporal read. */
function middleOf(scenario: Scenario): string {
  const first = Date.parse(String(scenario.proposal['occurredAt']));
  const last = Date.parse(scenario.steps[scenario.steps.length - 1]![2]);
  return new Date((first + last) / 2).toISOString();
}

export function mixSteps(): MixStep[] {
  const steps: MixStep[] = [];
  for (const [partnership, scenario] of SCENARIOS) {
    steps.push({ kind: 'command', partnership, proposes: true, build: () => ({ method: 'POST', path: '/partnerships', body: JSON.stringify(scenario.proposal) }) });
    scenario.steps.forEach(([type, data, occurredAt], i) => {
      const body = JSON.stringify({ type, data, occurredAt });
      steps.push({ kind: 'command', partnership, build: (id) => (id ? { method: 'POST', path: `/partnerships/${id}/commands`, body } : null) });
      if ((i + 1) % 3 === 0) steps.push({ kind: 'read', partnership, build: (id) => (id ? { method: 'GET', path: `/partnerships/${id}` } : null) });
    });
    const asOf = encodeURIComponent(middleOf(scenario));
    steps.push({ kind: 'read', partnership, build: (id) => (id ? { method: 'GET', path: `/partnerships/${id}/history?limit=100` } : null) });
    steps.push({ kind: 'read', partnership, build: (id) => (id ? { method: 'GET', path: `/partnerships/${id}?asOf=${asOf}&time=occurred` } : null) });
  }
  return steps;
}

// ── trellis: the engine over HTTP ───────────────────────────────────────────────────────────────

async function measureTrellis(options: HttpOptions): Promise<HttpResult> {
  const engine = await startEngine({
    apiEntry: options.apiEntry,
    url: options.url,
    schema: options.schema,
    applicationName: options.applicationName,
    redisUrl: options.redisUrl,
    runWorkers: true,
    env: {
      // The limiter stays on (one Redis round trip per request, as in production) with an allowance
      // no benchmark reaches: the benchmark measures the engine, not its throttle.
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_BURST: '1000000',
      REMINDER_DISABLED_POLICIES: BACKDATED_REMINDER_POLICIES,
    },
  });
  try {
    const key = await memberKey(engine);
    if (options.warmup > 0) await runMix(engine, key, options.connections, options.warmup);
    await options.beforeMeasure?.();
    const mix = await runMix(engine, key, options.connections, options.seconds);
    let health: HttpResult['health'];
    if (options.healthSeconds > 0) {
      const r = await autocannon({ url: `${engine.base}/health`, connections: options.connections, duration: options.healthSeconds, renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
      health = { requestsPerSecond: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, seconds: r.duration };
    }
    return { ...mix, ...(health ? { health } : {}) };
  } finally {
    await engine.stop();
  }
}

async function memberKey(engine: Engine): Promise<string> {
  const res = await fetch(`${engine.base}/admin/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${engine.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'http-commands benchmark', role: 'member' }),
  });
  if (res.status !== 201) throw new Error(`POST /admin/api-keys answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}

let idempotencySequence = 0;

async function runMix(engine: Engine, key: string, connections: number, seconds: number): Promise<HttpResult> {
  const statuses: HttpResult['statuses'] = { command: {}, read: {} };
  const latencyMs: HttpResult['latencyMs'] = { command: [], read: [] };
  let partnerships = 0;
  // autocannon calls a step's onResponse and then, synchronously, emits 'response' with the
  // latency: the kind of the response being reported is the one onResponse saw last.
  let lastKind: RequestKind = 'command';
  const requests: autocannon.RequestStep[] = mixSteps().map((step) => ({
    setupRequest: (request, context) => {
      const built = step.build(context[step.partnership] as string | undefined);
      if (!built) return null;
      const headers: Record<string, string> = { ...request.headers, authorization: `Bearer ${key}` };
      if (built.method === 'POST') {
        headers['content-type'] = 'application/json';
        headers['idempotency-key'] = `bench-${process.pid}-${++idempotencySequence}`;
      }
      return { ...request, method: built.method, path: built.path, headers, ...(built.body ? { body: built.body } : {}) };
    },
    onResponse: (status, body, context) => {
      lastKind = step.kind;
      statuses[step.kind][status] = (statuses[step.kind][status] ?? 0) + 1;
      if (step.proposes && status === 201) {
        context[step.partnership] = (JSON.parse(body) as { partnershipId: string }).partnershipId;
        partnerships += 1;
      }
    },
  }));
  const instance = autocannon({
    url: engine.base,
    connections,
    duration: seconds,
    timeout: 30,
    requests,
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencyMs[lastKind].push(responseTime);
  });
  const r = await instance;
  return {
    seconds: r.duration,
    statuses,
    latencyMs,
    autocannon: { p50: r.latency.p50, p99: r.latency.p99, p99_9: r.latency.p99_9, max: r.latency.max, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, requests: r.requests.total },
    partnerships,
  };
}

// ── store: the same commands, decided here and appended ─────────────────────────────────────────

async function measureStore(options: HttpOptions): Promise<HttpResult> {
  const sql = PgSqlClient.fromUrl(options.url, { max: options.pool, applicationName: options.applicationName });
  const store = await createPostgresEventStore({ sql, schema: options.schema });
  const log = new TestLog();
  const plans = SCENARIOS.map(([, scenario]) => toLogCommands(scenario));
  let window: { from: number; to: number; latencies: number[]; completed: number; partnerships: number; events: number } | undefined;
  let stopAt = 0;
  const writer = async () => {
    for (;;) {
      for (const commands of plans) {
        const p = log.partnership();
        if (window && performance.now() < window.to) window.partnerships += 1;
        for (const command of commands) {
          if (performance.now() >= stopAt) return;
          const t0 = performance.now();
          const recorded = p.run([command]);
          const append = toAppend(p, recorded);
          await store.append(append.streamId, append.events, { expectedRevision: append.expectedRevision });
          const t1 = performance.now();
          if (window && t0 >= window.from) {
            window.latencies.push(t1 - t0);
            if (t1 <= window.to) {
              window.completed += 1;
              window.events += recorded.length;
            }
          }
        }
        // The decided events live on in the store; the log need not keep them.
        log.events.length = 0;
      }
    }
  };
  try {
    // Warm-up, then the measured window, with the same writers running through both.
    stopAt = performance.now() + options.warmup * 1000 + 3_600_000;
    const writers = Array.from({ length: options.connections }, writer);
    const running = Promise.all(writers);
    await sleep(options.warmup * 1000);
    await options.beforeMeasure?.();
    const from = performance.now();
    window = { from, to: from + options.seconds * 1000, latencies: [], completed: 0, partnerships: 0, events: 0 };
    stopAt = window.to;
    await running;
    return {
      seconds: options.seconds,
      statuses: { command: { '201': window.completed }, read: {} },
      latencyMs: { command: window.latencies, read: [] },
      partnerships: window.partnerships,
      events: window.events,
    };
  } finally {
    await store.close();
    await sql.close();
  }
}

/** A seed scenario as TestLog commands (the proposal first), with the same back-dated dates. */
function toLogCommands(scenario: Scenario): LogCommand[] {
  const { occurredAt, ...proposal } = scenario.proposal;
  return [
    { type: 'ProposePartnership', data: proposal, on: String(occurredAt) },
    ...scenario.steps.map(([type, data, on]) => ({ type: type as LogCommand['type'], data, on })),
  ];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
