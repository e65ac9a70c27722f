/**
 * The history-asof benchmark's workloads (compiled into bench/.build/, driven by
 * bench/scenarios/history-asof.js): reading the whole history of a 10,000-event partnership, and
 * its state as of a date on both time axes.
 *
 * - `generatePartnership` (once per run): ONE partnership stream of exactly `events` events, every
 *   command decided by the real decider (TestLog) and appended through the PostgreSQL adapter with
 *   the exact expected revision. A ten-year alliance (2014–2025): the organizations and people of
 *   the district tool path (test/support/seed-scenarios.ts), then workstream after workstream, each
 *   the tool path's workstream lifecycle (problem of practice → agenda → evidence review → tool →
 *   pilot → input → revision → DSA → formal study → data → findings → joint interpretation → review
 *   → research use, with its phase transitions) under its own ids and dates, a new teacher joining
 *   for it, and brokering activities — one of which is recorded 45 days after it happened, so that
 *   the two time axes differ. Workstreams overlap (a new one starts every few days), so their
 *   commands interleave in the stream by date, and the stream is topped up with brokering
 *   activities to the exact count.
 * - `measureHttp` (subject `http`): the engine (`dist/apps/api/main.js`, API only: reads need no
 *   worker) on that log, read by one client at a time with an `auditor` key: the whole history as
 *   JSON pages of 1,000 (`GET /partnerships/:id/history?limit=1000&afterRevision=…`, the largest
 *   page), the whole history as one NDJSON export, `GET /partnerships/:id?asOf=…&time=recorded|occurred`
 *   at four dates, and the current state (`GET /partnerships/:id`) for context.
 * - `measureDirect` (subject `direct`, the reference): in this process, no HTTP: one plain
 *   `SELECT … WHERE stream_id = $1 ORDER BY revision` of the same rows (the floor of any read that
 *   folds from the log), the store's `readStream` of the whole stream, and the asOf fold done the
 *   way the query service does it (readStream, skip by time, the decider's linear folder) without HTTP.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createPostgresEventStore, PgSqlClient } from '@trellis/event-store';
import { partnershipDecider, partnershipStreamId } from '@trellis/domain';
import { TestLog, toAppend, type LogCommand } from '@trellis/projections/testing';
import type { RecordedEvent } from '@trellis/event-store';
import { fromRecorded } from '../../apps/api/src/partnerships/partnership-envelope';
import { TOOL_PATH } from '../../test/support/seed-scenarios';
import { startEngine } from './engine-process';

// ── the partnership ─────────────────────────────────────────────────────────────────────────────

export interface GenerateOptions {
  readonly url: string;
  readonly schema: string;
  readonly events: number;
}

export interface AsOfQuery {
  readonly label: string;
  readonly asOf: string;
  readonly time: 'recorded' | 'occurred';
}

export interface GeneratedPartnership {
  readonly partnershipId: string;
  readonly events: number;
  readonly workstreams: number;
  readonly participants: number;
  readonly backdated: number;
  readonly firstRecorded: string;
  readonly lastRecorded: string;
  readonly seconds: number;
  readonly streamBytes: number;
  readonly queries: readonly AsOfQuery[];
}

const DAY = 86_400_000;
const FIRST_DAY = Date.parse('2014-01-06T15:00:00Z');
/** Every workstream must be played out (and its late records made) before this. */
const LAST_DAY = Date.parse('2025-10-31T15:00:00Z');
const BACKDATE_DAYS = 45;
/** The tool path's workstream lifecycle starts at its OpenWorkstream. */
const CYCLE_START = TOOL_PATH.steps.findIndex(([type]) => type === 'OpenWorkstream');
/** The ids the lifecycle defines (they get a per-workstream suffix); organizations and people are shared. */
const LOCAL_IDS = [
  'ws-attendance-tool',
  'pop-chronic-absence',
  'agenda-2024',
  'q-drivers',
  'q-effect',
  'review-lit-local',
  'tool-attendance',
  'pilot-spring-2025',
  'input-pilot-focus-groups',
  'dsa-rusd-attendance',
  'study-attendance-2025',
  'transfer-2025-10',
  'findings-midyear',
  'use-budget-2026',
];
const BROKERING = [
  { brokerParticipantId: 'p-research-broker', fromOrganizationId: 'westlab', toOrganizationId: 'riverside-usd', activityKind: 'translate_research' },
  { brokerParticipantId: 'p-county-staff', fromOrganizationId: 'river-county', toOrganizationId: 'lincoln-ms', activityKind: 'share_strategies' },
  { brokerParticipantId: 'p-research-broker', fromOrganizationId: 'westlab', toOrganizationId: 'river-county', activityKind: 'convene' },
  { brokerParticipantId: 'p-county-staff', fromOrganizationId: 'river-county', toOrganizationId: 'riverside-usd', activityKind: 'connect' },
];

interface Planned extends LogCommand {
  /** Sort key: when it was recorded (ms). */
  readonly at: number;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();

/** Shifts every `YYYY-MM-DD` string in a JSON value by `days`. */
function shiftDates(value: unknown, days: number): unknown {
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}$/.test(value) ? isoDay(Date.parse(`${value}T00:00:00Z`) + days * DAY) : value;
  if (Array.isArray(value)) return value.map((v) => shiftDates(v, days));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftDates(v, days)]));
  return value;
}

function withSuffix(data: object, k: number): object {
  let text = JSON.stringify(data);
  for (const id of LOCAL_IDS) text = text.split(`"${id}"`).join(`"${id}-${k}"`);
  return JSON.parse(text) as object;
}

function opening(): Planned[] {
  const templateStart = Date.parse(String(TOOL_PATH.proposal['occurredAt']));
  const shift = Math.round((FIRST_DAY - templateStart) / DAY);
  const { occurredAt: _at, ...proposal } = TOOL_PATH.proposal;
  const planned: Planned[] = [{ type: 'ProposePartnership', data: { ...proposal, name: 'Riverside Research Alliance' }, on: iso(FIRST_DAY), at: FIRST_DAY }];
  for (const [type, data, occurredAt] of TOOL_PATH.steps.slice(0, CYCLE_START)) {
    const at = Date.parse(occurredAt) + shift * DAY;
    let shifted = shiftDates(data, shift) as Record<string, unknown>;
    // An open-ended alliance: no term end to run past.
    if (type === 'FormalizePartnership') {
      const { termEnd: _end, ...rest } = shifted;
      shifted = rest;
    }
    planned.push({ type: type as LogCommand['type'], data: shifted, on: iso(at), at });
  }
  return planned;
}

/** Workstream `k`, starting `startMs`: the tool path's lifecycle, a teacher joining, brokering (one recorded late). */
function cycle(k: number, startMs: number): Planned[] {
  const steps = TOOL_PATH.steps.slice(CYCLE_START);
  const templateStart = Date.parse(steps[0]![2]);
  const shift = Math.round((startMs - templateStart) / DAY);
  const planned: Planned[] = [
    {
      type: 'JoinParticipant',
      data: { participantId: `p-teacher-${k}`, organizationId: k % 2 === 0 ? 'lincoln-ms' : 'oak-grove-ms', roles: ['practitioner'] },
      on: iso(startMs - DAY),
      at: startMs - DAY,
    },
  ];
  steps.forEach(([type, data, occurredAt], i) => {
    const at = Date.parse(occurredAt) + shift * DAY;
    planned.push({ type: type as LogCommand['type'], data: withSuffix(shiftDates(data, shift) as object, k), on: iso(at), at });
    if (i === 4 || i === 12) {
      const brokering = { ...BROKERING[(k + i) % BROKERING.length]!, workstreamId: `ws-attendance-tool-${k}` };
      const on = at + DAY;
      // The second one is recorded 45 days after it happened (a back-dated fact).
      const recorded = i === 12 ? on + BACKDATE_DAYS * DAY : on;
      planned.push({ type: 'RecordBrokeringActivity', data: brokering, on: iso(on), ...(recorded !== on ? { recordedOn: iso(recorded) } : {}), at: recorded });
    }
  });
  return planned;
}

function cycleSpanMs(): number {
  const c = cycle(0, FIRST_DAY);
  return Math.max(...c.map((p) => p.at)) - FIRST_DAY;
}

/** Writes the partnership; returns what the measurements need (id, the asOf queries). */
export async function generatePartnership(options: GenerateOptions): Promise<GeneratedPartnership> {
  const started = performance.now();
  // How many events one workstream makes, from a dry run.
  const dry = new TestLog().partnership();
  const openingEvents = dry.run(opening()).length;
  const perCycle = dry.run(cycle(0, FIRST_DAY + 60 * DAY)).length;
  const cycles = Math.ceil((options.events - openingEvents) / perCycle) + 1;
  const span = cycleSpanMs();
  const firstCycle = FIRST_DAY + 30 * DAY;
  const step = (LAST_DAY - span - firstCycle) / cycles;
  const plan = [...opening(), ...Array.from({ length: cycles }, (_, k) => cycle(k, firstCycle + Math.round((k * step) / DAY) * DAY)).flat()];
  // Stable: the order of one workstream's commands on the same day is kept.
  plan.sort((a, b) => a.at - b.at);

  const sql = PgSqlClient.fromUrl(options.url, { max: 2, applicationName: `${options.schema}_gen` });
  const store = await createPostgresEventStore({ sql, schema: options.schema });
  const log = new TestLog();
  const p = log.partnership();
  let count = 0;
  let pending: RecordedEvent[] = [];
  let backdated = 0;
  let workstreams = 0;
  let participants = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const append = toAppend(p, pending);
    await store.append(append.streamId, append.events, { expectedRevision: append.expectedRevision });
    pending = [];
    log.events.length = 0;
  };
  const run = async (command: LogCommand) => {
    const recorded = p.run([command]);
    count += recorded.length;
    pending.push(...recorded);
    if (command.recordedOn) backdated += recorded.length;
    if (command.type === 'OpenWorkstream') workstreams += 1;
    if (command.type === 'JoinParticipant') participants += 1;
    if (pending.length >= 200) await flush();
  };
  try {
    let last = plan[0]!;
    for (const command of plan) {
      // A command makes up to three events: stop early enough to land on the count with one-event fillers.
      if (count > options.events - 3) break;
      last = command;
      await run(command);
    }
    for (let i = 0; count < options.events; i++) {
      const at = last.at + (i + 1) * 60_000;
      await run({ type: 'RecordBrokeringActivity', data: BROKERING[i % BROKERING.length]!, on: iso(at) });
    }
    await flush();
    if (count !== options.events) throw new Error(`generated ${count} events, wanted ${options.events}`);
    const streamId = partnershipStreamId(p.partnershipId);
    const head = await store.streamHead(streamId);
    if (head?.revision !== BigInt(options.events - 1)) throw new Error(`stream head ${head?.revision}, wanted ${options.events - 1}`);
    const { rows } = await sql.query<{ bytes: string; first: string; last: string }>(
      `SELECT sum(pg_column_size(e.*))::text AS bytes, min(e.metadata->>'recordedAt') AS first, max(e.metadata->>'recordedAt') AS last
         FROM ${options.schema}.events e WHERE e.stream_id = $1`,
      [streamId],
    );
    await sql.query(`ANALYZE ${options.schema}.events`);
    const first = Date.parse(rows[0]!.first);
    const end = Date.parse(rows[0]!.last);
    // Four dates: a tenth, half and nine tenths of the way through, and after the last event.
    const dates: Array<[string, number]> = [
      ['10%', first + (end - first) * 0.1],
      ['50%', first + (end - first) * 0.5],
      ['90%', first + (end - first) * 0.9],
      ['end', end + DAY],
    ];
    const queries = dates.flatMap(([label, at]) => (['recorded', 'occurred'] as const).map((time) => ({ label, asOf: iso(at), time })));
    return {
      partnershipId: p.partnershipId,
      events: count,
      workstreams,
      participants,
      backdated,
      firstRecorded: rows[0]!.first,
      lastRecorded: rows[0]!.last,
      seconds: (performance.now() - started) / 1000,
      streamBytes: Number(rows[0]!.bytes),
      queries,
    };
  } finally {
    await store.close();
    await sql.close();
  }
}

// ── measurements ────────────────────────────────────────────────────────────────────────────────

export interface MeasureOptions {
  readonly url: string;
  /** Where the generated partnership is (the run's shared schema). */
  readonly logSchema: string;
  readonly applicationName: string;
  readonly partnershipId: string;
  readonly queries: readonly AsOfQuery[];
  readonly seconds: number;
  readonly warmup: number;
  readonly beforeMeasure?: () => Promise<void>;
}

export interface HttpMeasureOptions extends MeasureOptions {
  readonly redisUrl: string;
  readonly apiEntry: string;
}

/** Latencies (ms) by measurement; for asOf, by query label too (`recorded 50%`). */
export interface HistoryResult {
  readonly latencyMs: Record<string, number[]>;
  /** What each asOf query answered (events folded), to show the two axes differ. */
  readonly eventsApplied: Record<string, number>;
  /** Events one full history read returned (a check). */
  readonly historyEvents: number;
  /** HTTP: the asOf snapshots the engine stored for the partnership, and their table's size. */
  readonly snapshots?: { readonly rows: number; readonly bytes: number };
}

/** A measurement plan: named operations, each with its share of the time budget. */
interface Operation {
  readonly name: string;
  readonly share: number;
  /** Measure a multiple of this many runs (whole cycles through the asOf queries). */
  readonly multipleOf?: number;
  /** Runs once; returns extra samples by name (e.g. per asOf query). */
  readonly run: () => Promise<Record<string, number | number[]> | void>;
}

async function runPlan(operations: readonly Operation[], options: MeasureOptions, latencyMs: Record<string, number[]>): Promise<void> {
  // Warm-up: every operation a few times, not recorded.
  const warmupEnd = performance.now() + options.warmup * 1000;
  do for (const op of operations) await op.run();
  while (performance.now() < warmupEnd);
  await options.beforeMeasure?.();
  for (const op of operations) {
    const end = performance.now() + options.seconds * 1000 * op.share;
    const samples: number[] = (latencyMs[op.name] ??= []);
    // At least five samples, whatever the budget.
    const multiple = op.multipleOf ?? 1;
    for (let i = 0; i < 5 || i % multiple !== 0 || performance.now() < end; i++) {
      const t0 = performance.now();
      const extra = await op.run();
      samples.push(performance.now() - t0);
      if (extra) for (const [name, ms] of Object.entries(extra)) (latencyMs[name] ??= []).push(...(Array.isArray(ms) ? ms : [ms]));
    }
  }
}

/** Subject `http`: the engine over HTTP. */
export async function measureHttp(options: HttpMeasureOptions): Promise<HistoryResult> {
  const engine = await startEngine({
    apiEntry: options.apiEntry,
    url: options.url,
    schema: options.logSchema,
    applicationName: options.applicationName,
    redisUrl: options.redisUrl,
    // Reads go to the log; no worker is involved (an API replica with RUN_WORKERS=false).
    runWorkers: false,
    env: { RATE_LIMIT_PER_MINUTE: '10000000', RATE_LIMIT_BURST: '1000000' },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sql = PgSqlClient.fromUrl(options.url, { max: 1, applicationName: options.applicationName });
  try {
    const created = await fetch(`${engine.base}/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engine.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'history-asof benchmark', role: 'auditor' }),
    });
    if (created.status !== 201) throw new Error(`POST /admin/api-keys answered ${created.status}: ${await created.text()}`);
    const key = ((await created.json()) as { secret: string }).secret;
    const get = async (path: string, accept = 'application/json'): Promise<string> => {
      const { status, body } = await httpGet(agent, `${engine.base}${path}`, { authorization: `Bearer ${key}`, accept });
      if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${body.slice(0, 500)}`);
      return body;
    };
    const id = options.partnershipId;
    let historyEvents = 0;
    const eventsApplied: Record<string, number> = {};
    let next = 0;
    // Every round starts without asOf snapshots (the log's schema is shared by the rounds): the
    // first query folds the whole stream and starts the engine's catch-up, which the warm-up covers.
    const snapshotTable = `${options.logSchema}.partnership_snapshots`;
    await sql.query(`TRUNCATE ${snapshotTable}`);
    const first = options.queries[options.queries.length - 1]!;
    const t0 = performance.now();
    await get(`/partnerships/${id}?asOf=${encodeURIComponent(first.asOf)}&time=${first.time}`);
    const firstMs = performance.now() - t0;
    const operations: Operation[] = [
      {
        name: 'history pages',
        share: 0.2,
        run: async () => {
          let after: string | null = null;
          let n = 0;
          const pages: number[] = [];
          do {
            const t0 = performance.now();
            const path = `/partnerships/${id}/history?limit=1000${after === null ? '' : `&afterRevision=${after}`}`;
            const page = JSON.parse(await get(path)) as { events: unknown[]; nextAfterRevision: string | null };
            pages.push(performance.now() - t0);
            n += page.events.length;
            after = page.nextAfterRevision;
          } while (after !== null);
          historyEvents = n;
          // Each page as a sample of its own: the largest single request of the history route.
          return { 'history page': pages };
        },
      },
      {
        name: 'history ndjson',
        share: 0.2,
        run: async () => {
          const body = await get(`/partnerships/${id}/history`, 'application/x-ndjson');
          let lines = 0;
          for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lines++;
          if (lines !== historyEvents && historyEvents > 0) throw new Error(`NDJSON export had ${lines} lines, JSON pages ${historyEvents} events`);
        },
      },
      {
        name: 'asOf',
        share: 0.5,
        multipleOf: options.queries.length,
        run: async () => {
          const q = options.queries[next++ % options.queries.length]!;
          const t0 = performance.now();
          const view = JSON.parse(await get(`/partnerships/${id}?asOf=${encodeURIComponent(q.asOf)}&time=${q.time}`)) as { eventsApplied: number };
          const ms = performance.now() - t0;
          eventsApplied[`${q.time} ${q.label}`] = view.eventsApplied;
          return { [`asOf ${q.time}`]: ms, [`asOf ${q.time} ${q.label}`]: ms };
        },
      },
      { name: 'current', share: 0.1, run: async () => void (await get(`/partnerships/${id}`)) },
    ];
    const latencyMs: Record<string, number[]> = { 'asOf first': [firstMs] };
    await runPlan(operations, options, latencyMs);
    const { rows } = await sql.query<{ rows: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM ${snapshotTable})::text AS rows, pg_total_relation_size('${snapshotTable}')::text AS bytes`,
    );
    return { latencyMs, eventsApplied, historyEvents, snapshots: { rows: Number(rows[0]!.rows), bytes: Number(rows[0]!.bytes) } };
  } finally {
    agent.destroy();
    await engine.stop();
    await sql.close();
  }
}

/** Subject `direct`: the reference reads in this process, no HTTP. */
export async function measureDirect(options: MeasureOptions): Promise<HistoryResult> {
  const sql = PgSqlClient.fromUrl(options.url, { max: 2, applicationName: options.applicationName });
  const store = await createPostgresEventStore({ sql, schema: options.logSchema });
  const streamId = partnershipStreamId(options.partnershipId);
  let historyEvents = 0;
  const eventsApplied: Record<string, number> = {};
  let next = 0;
  try {
    const operations: Operation[] = [
      {
        name: 'select',
        share: 0.3,
        run: async () => {
          const { rows } = await sql.query(
            `SELECT e.position::text AS position, e.stream_id, e.revision::text AS revision, e.event_id::text AS event_id, e.type, e.schema_version, e.data, e.metadata
               FROM ${options.logSchema}.events e WHERE e.stream_id = $1 ORDER BY e.revision`,
            [streamId],
          );
          historyEvents = rows.length;
        },
      },
      {
        name: 'readStream',
        share: 0.2,
        run: async () => {
          let n = 0;
          for await (const _ of store.readStream(streamId, { raw: true })) n++;
          if (n !== historyEvents && historyEvents > 0) throw new Error(`readStream gave ${n} events, SELECT ${historyEvents}`);
        },
      },
      {
        name: 'fold',
        share: 0.5,
        multipleOf: options.queries.length,
        run: async () => {
          const q = options.queries[next++ % options.queries.length]!;
          const t0 = performance.now();
          // The query service's asOf before snapshots (every asOf folded the whole stream), without
          // HTTP, people labels or serialisation.
          const key = q.time === 'recorded' ? 'recordedAt' : 'occurredAt';
          const step = partnershipDecider.folder!();
          let state = partnershipDecider.initialState();
          let applied = 0;
          for await (const event of store.readStream(streamId)) {
            if (String(event.metadata[key] ?? event.metadata['recordedAt']) > q.asOf) continue;
            state = step(state, fromRecorded(event));
            applied += 1;
          }
          const ms = performance.now() - t0;
          eventsApplied[`${q.time} ${q.label}`] = applied;
          return { [`fold ${q.time}`]: ms, [`fold ${q.time} ${q.label}`]: ms };
        },
      },
    ];
    const latencyMs: Record<string, number[]> = {};
    await runPlan(operations, options, latencyMs);
    return { latencyMs, eventsApplied, historyEvents };
  } finally {
    await store.close();
    await sql.close();
  }
}

function httpGet(agent: Agent, url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
