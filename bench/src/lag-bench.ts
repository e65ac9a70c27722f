/**
 * The projection-lag benchmark's workload (compiled into bench/.build/, driven by
 * bench/scenarios/projection-lag.js): the steady-state lag from an append returning to its events
 * being visible in EVERY read model, with one live ProjectionRunner per read model (as the worker's
 * run jobs have) on PostgreSQL, while partnership histories are appended at a steady rate.
 *
 * "Visible" = the projection's checkpoint (committed in the same transaction as the read-model rows)
 * has reached the append's last position. One poller reads the registry every `pollMs` and resolves
 * every append waiting on a position at or below the slowest projection's checkpoint.
 */
import { performance } from 'node:perf_hooks';
import { v7 as uuidv7 } from 'uuid';
import { createPostgresEventStore, PgSqlClient } from '@trellis/event-store';
import { ProjectionRegistry, ProjectionRunner, READ_MODEL_PROJECTIONS, WORKER_LINGER_MS } from '@trellis/projections';
import { HISTORY_TEMPLATES, TestLog, toAppend, type LogCommand, type PartnershipLog } from '@trellis/projections/testing';

export interface LagOptions {
  readonly url: string;
  readonly schema: string;
  readonly applicationName: string;
  /** Appends per second (each one command of one partnership: 1–3 events). */
  readonly rate: number;
  readonly seconds: number;
  readonly warmup: number;
  /** Partnerships moving forward at once. */
  readonly active?: number;
  readonly pollMs?: number;
}

export interface LagResult {
  readonly appends: number;
  readonly events: number;
  readonly appendsPerSecond: number;
  /** Append returned → visible in every read model, ms. */
  readonly lagMs: readonly number[];
  /** Append call latency, ms. */
  readonly appendMs: readonly number[];
  readonly projections: readonly string[];
  readonly peakLagPositions: number;
}

export async function measureLag(options: LagOptions): Promise<LagResult> {
  const pollMs = options.pollMs ?? 2;
  const sql = PgSqlClient.fromUrl(options.url, { max: READ_MODEL_PROJECTIONS.length + 4, applicationName: options.applicationName });
  const store = await createPostgresEventStore({ sql, schema: options.schema });
  const registry = new ProjectionRegistry(sql, options.schema);
  await registry.migrate();
  await registry.ensure(READ_MODEL_PROJECTIONS);

  let stopping = false;
  let appending = true;
  const runners = READ_MODEL_PROJECTIONS.map(async (p, i) => {
    // Like the worker's run jobs: a slice ends (time slice, lost lease), the next one starts.
    while (!stopping) {
      const runner = new ProjectionRunner(store, registry, p, `bench-${i}-${uuidv7()}`, { maxRunMs: 3_600_000, lingerMs: WORKER_LINGER_MS });
      await runner.run(() => stopping);
    }
  });

  const log = new TestLog();
  let template = 0;
  const slots = Array.from({ length: options.active ?? 50 }, () => next());
  function next(): { p: PartnershipLog; commands: LogCommand[]; at: number } {
    return { p: log.partnership(), commands: HISTORY_TEMPLATES[template++ % HISTORY_TEMPLATES.length]!(), at: 0 };
  }

  // Per append: the position each read model must reach for the append to be visible in it — the
  // last of the append's events of a type the projection reads (filtered projections never move
  // their checkpoint onto events they do not read until they idle, so a plain "checkpoint ≥ the
  // append's last position" would measure that throttle, not visibility).
  const consumers = READ_MODEL_PROJECTIONS.map((p) => ({ name: p.name, types: new Set(p.eventTypes) }));
  const waiting: Array<{ needs: Map<string, bigint>; returnedAt: number; record: boolean; position: bigint }> = [];
  const lagMs: number[] = [];
  const appendMs: number[] = [];
  let peakLagPositions = 0;
  const poller = (async () => {
    while (appending || waiting.length > 0) {
      const { rows } = await sql.query<{ name: string; c: string }>(`SELECT name, checkpoint::text AS c FROM ${registry.table}`);
      const checkpoints = new Map(rows.map((r) => [r.name, BigInt(r.c)]));
      const now = performance.now();
      for (let k = 0; k < waiting.length; ) {
        const w = waiting[k]!;
        if ([...w.needs].every(([name, position]) => (checkpoints.get(name) ?? 0n) >= position)) {
          if (w.record) lagMs.push(now - w.returnedAt);
          waiting.splice(k, 1);
        } else k++;
      }
      if (waiting.length > 0) {
        const slowest = [...checkpoints.values()].reduce((a, b) => (a < b ? a : b));
        const behind = Number(waiting[waiting.length - 1]!.position - slowest);
        if (behind > peakLagPositions) peakLagPositions = behind;
        if (now - waiting[0]!.returnedAt > 30_000) throw new Error(`an append at ${waiting[0]!.position} is not visible after 30 s`);
      }
      await sleep(pollMs);
    }
  })();

  const started = performance.now();
  const measureFrom = started + options.warmup * 1000;
  const end = measureFrom + options.seconds * 1000;
  let appends = 0;
  let events = 0;
  let i = 0;
  try {
    // Open-loop: the k-th append is due at k / rate, whatever the previous ones took.
    for (let k = 0; ; k++) {
      const due = started + (k * 1000) / options.rate;
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
      const t0 = performance.now();
      const append = toAppend(slot.p, recorded);
      const result = await store.append(append.streamId, append.events, { expectedRevision: append.expectedRevision });
      const t1 = performance.now();
      const measured = t0 >= measureFrom;
      if (measured) {
        appends += 1;
        events += recorded.length;
        appendMs.push(t1 - t0);
      }
      const needs = new Map<string, bigint>();
      for (const c of consumers) {
        // result.events are in the order of the appended events.
        result.events.forEach((e, n) => {
          if (c.types.has(recorded[n]!.type)) needs.set(c.name, e.position);
        });
      }
      waiting.push({ needs, returnedAt: t1, record: measured, position: result.events[result.events.length - 1]!.position });
    }
  } finally {
    appending = false;
    // Every append's visibility is measured before the runners stop.
    let failure: unknown;
    await poller.catch((error: unknown) => {
      failure = error;
    });
    stopping = true;
    await Promise.all(runners);
    await store.close();
    await sql.close();
    if (failure) throw failure;
  }
  return {
    appends,
    events,
    appendsPerSecond: appends / options.seconds,
    lagMs,
    appendMs,
    projections: READ_MODEL_PROJECTIONS.map((p) => p.name),
    peakLagPositions,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
