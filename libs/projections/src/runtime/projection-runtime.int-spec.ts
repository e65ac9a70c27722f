/**
 * The projection runtime on real PostgreSQL (event log and read store in one throw-away schema).
 * The `applied` projection has a unique index on event ids: applying any event twice would fail the
 * batch, so "exactly once" is checked by the database itself, not by counting.
 */
import { createSqlEventStore, type EventStore, type EventToAppend } from '@trellis/event-store';
import { v7 as uuidv7 } from 'uuid';
import { readModelView, type Projection } from '../core/projection';
import { createTestSchema, type TestSchema } from '../testing';
import { ProjectionRegistry } from './projection-registry';
import { ProjectionRebuilder, RebuildAlreadyRunningError, RebuildInterruptedError, type RebuildProgress } from './projection-rebuilder';
import { ProjectionRunner } from './projection-runner';
import { followerRegistration, followFenced, type FollowerStep } from './fenced-follower';

const applied = (version = 1, opts: { slow?: number; failOn?: string } = {}): Projection => ({
  name: 'applied',
  version,
  eventTypes: ['Counted'],
  tables: [
    {
      name: 'events',
      create: (t, ix) => [`CREATE TABLE ${t} (event_id uuid PRIMARY KEY, position bigint NOT NULL, n integer NOT NULL, v integer NOT NULL)`, `CREATE INDEX ${ix}_pos ON ${t} (position)`],
    },
  ],
  async apply(events, ctx) {
    if (opts.slow) await new Promise((r) => setTimeout(r, opts.slow));
    if (opts.failOn && events.some((e) => e.data['label'] === opts.failOn)) throw new Error('poison event');
    await ctx.query(
      `INSERT INTO ${ctx.table('events')} (event_id, position, n, v) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, position bigint, n integer, v integer)`,
      [JSON.stringify(events.map((e) => ({ event_id: e.eventId, position: e.position.toString(), n: e.data['n'], v: version })))],
    );
  },
});

let db: TestSchema;
let store: EventStore;
let registry: ProjectionRegistry;
let n = 0;

const counted = (count: number, type = 'Counted'): EventToAppend[] =>
  Array.from({ length: count }, () => ({ eventId: uuidv7(), type, schemaVersion: 1, data: { n: ++n, label: `e${n}` }, metadata: { recordedAt: new Date().toISOString() } }));

async function appendCounted(count: number, type?: string) {
  for (let i = 0; i < count; i += 50) await store.append(`counter-${uuidv7()}`, counted(Math.min(50, count - i), type), { expectedRevision: 'no_stream' });
}
async function liveRows(): Promise<number> {
  const { rows } = await db.sql.query<{ c: string }>(`SELECT count(*)::text AS c FROM ${readModelView(db.schema, 'applied', 'events')}`);
  return Number(rows[0]!.c);
}
async function countedInLog(): Promise<number> {
  let c = 0;
  for await (const _ of store.readAll({ filter: { eventTypes: ['Counted'] } })) c++;
  return c;
}
async function runUntilCaughtUp(runner: ProjectionRunner, projection = 'applied'): Promise<void> {
  const head = await store.headPosition();
  let stop = false;
  const done = runner.run(() => stop);
  for (let i = 0; i < 200; i++) {
    const row = await registry.get(projection);
    if (row && row.checkpoint >= head) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  stop = true;
  await done;
}
beforeEach(async () => {
  db = await createTestSchema('rt');
  store = await createSqlEventStore({ sql: db.sql, schema: db.schema, pollIntervalMs: 50 });
  registry = new ProjectionRegistry(db.sql, db.schema);
  await registry.migrate();
});
afterEach(async () => {
  await store?.close();
  await db?.drop();
});

describe('live runner', () => {
  it('applies every matching event exactly once, resumes from its checkpoint, and skips other types', async () => {
    const p = applied();
    await registry.ensure([p]);
    await appendCounted(120);
    await appendCounted(30, 'Ignored');
    await runUntilCaughtUp(new ProjectionRunner(store, registry, p, 'runner-a', { batchSize: 40 }));
    expect(await liveRows()).toBe(120);
    await appendCounted(55);
    await runUntilCaughtUp(new ProjectionRunner(store, registry, p, 'runner-b', { batchSize: 40 }));
    expect(await liveRows()).toBe(175);
    const row = (await registry.get('applied'))!;
    expect(row.checkpoint).toBe(await store.headPosition());
    expect(row.eventsApplied).toBe(175n);
    expect(row.leaseOwner).toBeNull();
  });

  it('advances the checkpoint of an idle filtered runner over events it does not read (lag reaches 0)', async () => {
    const p = applied();
    await registry.ensure([p]);
    await appendCounted(3);
    await appendCounted(80, 'Ignored');
    await runUntilCaughtUp(new ProjectionRunner(store, registry, p, 'runner-a', { idleCheckpointMs: 0 }));
    expect((await registry.get('applied'))!.checkpoint).toBe(await store.headPosition());
  });

  it('keeps its checkpoint in step with the registry while idle checkpoints race the subscription (filtered runner, busy log)', async () => {
    // The subscription keeps reporting scanned positions while an idle checkpoint is being
    // committed; the runner must remember the position it committed, not a newer one — or its next
    // fence fails and the slice ends early, holding its lease.
    const p = applied();
    await registry.ensure([p]);
    let appending = true;
    const writer = (async () => {
      while (appending) {
        await appendCounted(5, 'Other');
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
    let stop = false;
    let ended: string | undefined;
    const outcome = new ProjectionRunner(store, registry, p, 'idle', { idleCheckpointMs: 1 }).run(() => stop);
    void outcome.then((o) => (ended = o));
    await new Promise((r) => setTimeout(r, 2_500));
    appending = false;
    await writer;
    expect(ended).toBeUndefined();
    await appendCounted(3);
    const head = await store.headPosition();
    for (let i = 0; i < 200 && (await registry.get('applied'))!.checkpoint < head; i++) await new Promise((r) => setTimeout(r, 25));
    stop = true;
    expect(await outcome).toBe('stopped');
    expect(await liveRows()).toBe(3);
    expect((await registry.get('applied'))!).toMatchObject({ checkpoint: head, lastError: null });
  });

  it('follows live appends and records the append-to-visible lag', async () => {
    const p = applied();
    await registry.ensure([p]);
    let stop = false;
    const running = new ProjectionRunner(store, registry, p, 'live').run(() => stop);
    await appendCounted(10);
    for (let i = 0; i < 100 && (await liveRows()) < 10; i++) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    expect(await running).toBe('stopped');
    expect(await liveRows()).toBe(10);
    const row = (await registry.get('applied'))!;
    expect(row.lastBatchLagMs).toEqual(expect.any(Number));
  });

  it('with lingerMs, applies a steady stream in at most one batch per linger, and an event after a quiet spell at once', async () => {
    const batches: Array<{ at: number; size: number }> = [];
    const base = applied();
    const p: Projection = {
      ...base,
      async apply(events, ctx) {
        batches.push({ at: Date.now(), size: events.length });
        await base.apply(events, ctx);
      },
    };
    await registry.ensure([p]);
    const lingerMs = 300;
    let stop = false;
    const running = new ProjectionRunner(store, registry, p, 'lingering', { lingerMs }).run(() => stop);
    const waitForRows = async (rows: number) => {
      for (let i = 0; i < 300 && (await liveRows()) < rows; i++) await new Promise((r) => setTimeout(r, 10));
    };

    // Quiet: the first event is applied without waiting for the linger.
    const quietAt = Date.now();
    await appendCounted(1);
    await waitForRows(1);
    expect(Date.now() - quietAt).toBeLessThan(lingerMs);
    // Right after a batch: the next one waits for the linger.
    await appendCounted(1);
    await new Promise((r) => setTimeout(r, lingerMs / 3));
    expect(await liveRows()).toBe(1);
    await waitForRows(2);
    expect(batches[1]!.at - batches[0]!.at).toBeGreaterThanOrEqual(lingerMs - 5);

    // A steady stream (an append every ~10 ms for ~1.5 s): batches at least a linger apart, every event once.
    const streamFrom = batches.length;
    const streamStart = Date.now();
    let appended = 0;
    while (Date.now() - streamStart < 1_500) {
      await appendCounted(1);
      appended += 1;
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitForRows(2 + appended);
    stop = true;
    expect(await running).toBe('stopped');
    expect(await liveRows()).toBe(2 + appended);
    const stream = batches.slice(streamFrom);
    for (let i = 1; i < stream.length; i++) expect(stream[i]!.at - stream[i - 1]!.at).toBeGreaterThanOrEqual(lingerMs - 5);
    expect(stream.length).toBeLessThan(appended / 5);
  });

  it('caps the linger at a sixth of the lease, so a long one cannot let the lease lapse', async () => {
    const p = applied();
    await registry.ensure([p]);
    let stop = false;
    // Lease 1.2 s: a 10 s linger is cut to 200 ms.
    const running = new ProjectionRunner(store, registry, p, 'capped', { leaseMs: 1_200, lingerMs: 10_000 }).run(() => stop);
    await appendCounted(1);
    for (let i = 0; i < 300 && (await liveRows()) < 1; i++) await new Promise((r) => setTimeout(r, 10));
    const second = Date.now();
    await appendCounted(1);
    for (let i = 0; i < 300 && (await liveRows()) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await liveRows()).toBe(2);
    expect(Date.now() - second).toBeLessThan(1_200);
    stop = true;
    expect(await running).toBe('stopped');
  });

  it('lets exactly one of several concurrent runners work; the others find it busy', async () => {
    const p = applied(1, { slow: 5 });
    await registry.ensure([p]);
    await appendCounted(300);
    let stop = false;
    const outcomes = Promise.all(['a', 'b', 'c', 'd'].map((o) => new ProjectionRunner(store, registry, p, o, { batchSize: 20 }).run(() => stop)));
    for (let i = 0; i < 400 && (await liveRows()) < 300; i++) await new Promise((r) => setTimeout(r, 25));
    stop = true;
    const results = await outcomes;
    expect(results.filter((r) => r === 'busy')).toHaveLength(3);
    expect(await liveRows()).toBe(300); // the unique index proves none was applied twice
  });

  it('takes over after the holder dies (its lease expires), continuing from the checkpoint', async () => {
    const p = applied();
    await registry.ensure([p]);
    await appendCounted(50);
    // A runner that took the lease and died without releasing it.
    await registry.acquireLease('applied', 'dead-worker', 300);
    expect(await new ProjectionRunner(store, registry, p, 'heir').run()).toBe('busy');
    await new Promise((r) => setTimeout(r, 350));
    await runUntilCaughtUp(new ProjectionRunner(store, registry, p, 'heir'));
    expect(await liveRows()).toBe(50);
  });

  it('fences a runner whose lease was seized: the in-flight batch completes first, the next one is refused, nothing is applied twice', async () => {
    const p = applied(1, { slow: 150 });
    await registry.ensure([p]);
    await appendCounted(40);
    const slow = new ProjectionRunner(store, registry, p, 'slow', { batchSize: 20 });
    const outcome = slow.run();
    await new Promise((r) => setTimeout(r, 60)); // inside the first batch's apply
    // The batch holds the registry row: the seizure waits for it, then fences the runner.
    await registry.seizeLease('applied', 'usurper', 10_000);
    expect(await liveRows()).toBe(20);
    expect(await outcome).toBe('lease-lost');
    expect(await liveRows()).toBe(20);
    await registry.releaseLease('applied', 'usurper');
    await runUntilCaughtUp(new ProjectionRunner(store, registry, p, 'next'));
    expect(await liveRows()).toBe(40);
    expect((await registry.get('applied'))!.lastError).toBeNull();
  });

  it('a runner whose lease expires mid-batch while another takes over ends lease-lost, writes nothing, records no error', async () => {
    await registry.ensure([applied()]);
    await appendCounted(40);
    // A stalls inside its batch for longer than its lease.
    const stalled = new ProjectionRunner(store, registry, applied(1, { slow: 500 }), 'stalled', { batchSize: 40, leaseMs: 200 });
    const outcome = stalled.run();
    await new Promise((r) => setTimeout(r, 300)); // A's lease has expired; A is still in its batch
    await runUntilCaughtUp(new ProjectionRunner(store, registry, applied(), 'heir'));
    expect(await outcome).toBe('lease-lost');
    expect(await liveRows()).toBe(40); // the unique index would have refused a second apply
    const row = (await registry.get('applied'))!;
    expect(row.lastError).toBeNull();
    expect(row.checkpoint).toBe(await store.headPosition());
  });

  it('records a poison batch as lastError and does not move past it', async () => {
    await registry.ensure([applied()]);
    await appendCounted(5);
    const poison = applied(1, { failOn: 'e' + (n - 2) });
    expect(await new ProjectionRunner(store, registry, poison, 'r').run()).toBe('failing');
    const row = (await registry.get('applied'))!;
    expect(row.lastError).toContain('poison event');
    expect(row.checkpoint).toBe(0n);
  });

  it('records an event delivered at or before its checkpoint as lastError, and neither applies nor skips it', async () => {
    const p = applied();
    await registry.ensure([p]);
    await appendCounted(3);
    await runUntilCaughtUp(new ProjectionRunner(store, registry, p, 'first'));
    const checkpoint = (await registry.get('applied'))!.checkpoint;
    const [already] = await (async () => {
      const seen = [];
      for await (const e of store.readAll({ filter: { eventTypes: ['Counted'] } })) seen.push(e);
      return seen.slice(-1);
    })();
    // A subscription that hands back the last applied event before the new ones (a faulty store).
    const faulty: EventStore = Object.create(store, {
      subscribeAll: {
        value: (options: Parameters<EventStore['subscribeAll']>[0]) => {
          const inner = store.subscribeAll(options);
          return {
            close: () => inner.close(),
            async *[Symbol.asyncIterator]() {
              yield already!;
              yield* inner;
            },
          };
        },
      },
    });
    expect(await new ProjectionRunner(faulty, registry, p, 'second').run()).toBe('failing');
    const row = (await registry.get('applied'))!;
    expect(row.lastError).toContain(`delivered position ${already!.position}, at or before the checkpoint ${checkpoint}`);
    expect(row.checkpoint).toBe(checkpoint);
    expect(await liveRows()).toBe(3);
  });

  it('will not apply with code of another version than the live generation', async () => {
    await registry.ensure([applied(1)]);
    await appendCounted(5);
    expect(await new ProjectionRunner(store, registry, applied(2), 'new-code').run()).toBe('outdated');
    expect(await liveRows()).toBe(0);
  });
});

describe('fenced follower (not a read model: the webhook dispatcher, the reminder scheduler)', () => {
  const OPTIONS = { batchSize: 10, leaseMs: 3_000, flushMs: 5, maxRunMs: 60_000 };

  it('commits each batch with the checkpoint, then runs afterCommit; holds one lease; housekeeps; stays out of the read models', async () => {
    await registry.ensure([applied(), followerRegistration('follower')]);
    await appendCounted(35);
    const head = await store.headPosition();
    const froms: bigint[] = [];
    const committed: number[] = [];
    let housekept = 0;
    const step: FollowerStep<number> = {
      name: 'follower',
      label: 'Test follower',
      apply: async (tx, batch, from) => {
        // The checkpoint has not moved yet inside the transaction; it has once afterCommit runs.
        const { rows } = await tx.query<{ c: string }>(`SELECT checkpoint::text AS c FROM ${registry.table} WHERE name = 'follower'`);
        expect(BigInt(rows[0]!.c)).toBe(from);
        froms.push(from);
        return batch.length;
      },
      afterCommit: async (n) => {
        committed.push(n);
      },
      housekeeping: { everyMs: 60_000, run: async () => void housekept++ },
    };
    let stop = false;
    const running = followFenced(store, registry, step, 'f-1', OPTIONS, () => stop);
    for (let i = 0; i < 200 && (await registry.get('follower'))!.checkpoint < head; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await followFenced(store, registry, step, 'f-2', OPTIONS)).toBe('busy');
    stop = true;
    expect(await running).toBe('stopped');

    expect(committed.reduce((a, b) => a + b, 0)).toBe(35);
    expect(froms[0]).toBe(0n);
    expect(housekept).toBe(1);
    const row = (await registry.get('follower'))!;
    expect([row.checkpoint, row.eventsApplied, row.leaseOwner]).toEqual([head, 35n, null]);
    expect((await registry.list(['applied'])).map((r) => r.name)).toEqual(['applied']);
    expect((await registry.list()).map((r) => r.name)).toEqual(['applied', 'follower']);
  });

  it('with lingerMs, commits a steady stream at most once per linger, every event once', async () => {
    await registry.ensure([followerRegistration('follower')]);
    const lingerMs = 250;
    const batches: Array<{ at: number; size: number }> = [];
    const step: FollowerStep<void> = {
      name: 'follower',
      label: 'Test follower',
      apply: async (_tx, batch) => void batches.push({ at: Date.now(), size: batch.length }),
    };
    let stop = false;
    const running = followFenced(store, registry, step, 'f-linger', { ...OPTIONS, batchSize: 500, lingerMs }, () => stop);
    let appended = 0;
    const streamStart = Date.now();
    while (Date.now() - streamStart < 1_200) {
      await appendCounted(1);
      appended += 1;
      await new Promise((r) => setTimeout(r, 10));
    }
    const head = await store.headPosition();
    for (let i = 0; i < 200 && (await registry.get('follower'))!.checkpoint < head; i++) await new Promise((r) => setTimeout(r, 25));
    stop = true;
    expect(await running).toBe('stopped');
    expect(batches.reduce((a, b) => a + b.size, 0)).toBe(appended);
    for (let i = 1; i < batches.length; i++) expect(batches[i]!.at - batches[i - 1]!.at).toBeGreaterThanOrEqual(lingerMs - 5);
    expect(batches.length).toBeLessThan(appended / 5);
  });

  it('records a failing batch as lastError, ends the slice and does not move past it', async () => {
    await registry.ensure([followerRegistration('follower')]);
    await appendCounted(5);
    let afterCommits = 0;
    const step: FollowerStep<void> = {
      name: 'follower',
      label: 'Test follower',
      apply: async () => {
        throw new Error('poison');
      },
      afterCommit: async () => void afterCommits++,
    };
    expect(await followFenced(store, registry, step, 'f-1', OPTIONS)).toBe('failing');
    const row = (await registry.get('follower'))!;
    expect(row.checkpoint).toBe(0n);
    expect(row.lastError).toMatch(/failed at positions 1–5: poison/);
    expect(afterCommits).toBe(0);
  });
});

describe('blue/green rebuild', () => {
  it('builds a new generation while the live one keeps answering, includes events appended meanwhile, then swaps', async () => {
    const v1 = applied(1);
    await registry.ensure([v1]);
    await appendCounted(400);
    await runUntilCaughtUp(new ProjectionRunner(store, registry, v1, 'live'));
    expect(await liveRows()).toBe(400);

    const v2 = applied(2, { slow: 20 });
    const progress: RebuildProgress[] = [];
    let appendedDuring = 0;
    const claim = await registry.claimRebuild('applied', 'job-1', 2, 'test');
    expect(claim?.rebuild).toMatchObject({ generation: 2, version: 2 });
    const rebuilding = new ProjectionRebuilder(store, registry, v2, { batchSize: 50 }).rebuild('job-1', 'test', async (pr) => {
      progress.push(pr);
      if (pr.phase === 'catching-up' && appendedDuring < 3) {
        appendedDuring++;
        await appendCounted(20); // appended during the rebuild
        expect(await liveRows()).toBe(400); // queries keep reading the old generation
      }
    });
    expect(await rebuilding).toBe('swapped');
    const total = await countedInLog();
    expect(total).toBe(460);
    expect(await liveRows()).toBe(460);
    const { rows } = await db.sql.query<{ v: number }>(`SELECT DISTINCT v FROM ${readModelView(db.schema, 'applied', 'events')}`);
    expect(rows).toEqual([{ v: 2 }]);
    const row = (await registry.get('applied'))!;
    expect(row).toMatchObject({ version: 2, generation: 2, rebuild: null, leaseOwner: null });
    expect(row.checkpoint).toBe(await store.headPosition());
    const { rows: old } = await db.sql.query(`SELECT to_regclass('${db.schema}.rm_applied_events_g1') AS t`);
    expect(old[0]).toEqual({ t: null }); // the old generation's tables are gone
    expect(progress.at(-1)).toMatchObject({ phase: 'done', percent: 100 });
    expect(progress.some((p) => p.eventsPerSecond > 0 && p.etaSeconds !== null)).toBe(true);
  });

  it('refuses a second rebuild of the same projection while one is claimed', async () => {
    await registry.ensure([applied(1)]);
    expect(await registry.claimRebuild('applied', 'job-a', 2, 'x')).not.toBeNull();
    expect(await registry.claimRebuild('applied', 'job-b', 2, 'x')).toBeNull();
    await expect(new ProjectionRebuilder(store, registry, applied(2)).rebuild('job-b', 'x')).rejects.toBeInstanceOf(RebuildAlreadyRunningError);
  });

  it('can be cancelled: the shadow tables go, the live generation stays', async () => {
    await registry.ensure([applied(1)]);
    await appendCounted(300);
    await registry.claimRebuild('applied', 'job-c', 2, 'x');
    const outcome = new ProjectionRebuilder(store, registry, applied(2, { slow: 30 }), { batchSize: 30 }).rebuild('job-c', 'x', async (pr) => {
      if (pr.phase === 'catching-up' && BigInt(pr.position) > 60n) await registry.requestCancel('applied');
    });
    expect(await outcome).toBe('cancelled');
    const row = (await registry.get('applied'))!;
    expect(row).toMatchObject({ generation: 1, version: 1, rebuild: null });
    const { rows } = await db.sql.query(`SELECT to_regclass('${db.schema}.rm_applied_events_g2') AS t`);
    expect(rows[0]).toEqual({ t: null });
  });

  it('resumes after an interruption from its checkpoint, with the same job id', async () => {
    await registry.ensure([applied(1)]);
    await appendCounted(200);
    await registry.claimRebuild('applied', 'job-r', 2, 'x');
    let stop = false;
    const first = new ProjectionRebuilder(store, registry, applied(2), { batchSize: 25 }).rebuild('job-r', 'x', (pr) => {
      if (BigInt(pr.position) >= 100n) stop = true;
    }, () => stop);
    await expect(first).rejects.toBeInstanceOf(RebuildInterruptedError);
    const midway = (await registry.get('applied'))!.rebuild!.checkpoint;
    expect(midway).toBeGreaterThan(0n);
    expect(await new ProjectionRebuilder(store, registry, applied(2), { batchSize: 25 }).rebuild('job-r', 'x')).toBe('swapped');
    expect(await liveRows()).toBe(200); // unique index: nothing applied twice across the two attempts
  });

  it('fences the live runner during the swap, which then continues on the new generation', async () => {
    const v1 = applied(1);
    await registry.ensure([v1]);
    await appendCounted(100);
    let stop = false;
    const live = new ProjectionRunner(store, registry, v1, 'live', { batchSize: 10, leaseMs: 1_500 }).run(() => stop);
    await registry.claimRebuild('applied', 'job-s', 1, 'same version, fresh tables');
    expect(await new ProjectionRebuilder(store, registry, v1, { batchSize: 30 }).rebuild('job-s', 'x')).toBe('swapped');
    expect(['lease-lost', 'superseded']).toContain(await Promise.race([live, new Promise((r) => setTimeout(() => r('still-running'), 3000))]));
    stop = true;
    await appendCounted(25);
    await runUntilCaughtUp(new ProjectionRunner(store, registry, v1, 'live-2'));
    expect(await liveRows()).toBe(125);
    expect((await registry.get('applied'))!.generation).toBe(2);
  });

  it('rebuilds several projections in one pass and swaps them together', async () => {
    const other: Projection = { ...applied(1), name: 'applied_too' };
    await registry.ensure([applied(1), other]);
    await appendCounted(120);
    const rebuilder = new ProjectionRebuilder(store, registry, [applied(2), { ...applied(2), name: 'applied_too' }], { batchSize: 50 });
    const phases: string[] = [];
    expect(await rebuilder.rebuild('job-g', 'group', (p) => void phases.push(p.phase))).toBe('swapped');
    for (const name of ['applied', 'applied_too']) {
      expect(await registry.get(name)).toMatchObject({ version: 2, generation: 2, rebuild: null });
      const { rows } = await db.sql.query<{ c: string }>(`SELECT count(*)::text AS c FROM ${readModelView(db.schema, name, 'events')}`);
      expect(rows[0]!.c).toBe('120');
    }
    expect(phases.at(-1)).toBe('done');
  });

  it('claims a group all-or-none: one member already rebuilding refuses the group and leaves the others unclaimed', async () => {
    const other: Projection = { ...applied(1), name: 'applied_too' };
    await registry.ensure([applied(1), other]);
    await registry.claimRebuild('applied_too', 'someone-else', 2, 'busy');
    await expect(new ProjectionRebuilder(store, registry, [applied(2), { ...applied(2), name: 'applied_too' }]).rebuild('job-h', 'group')).rejects.toBeInstanceOf(
      RebuildAlreadyRunningError,
    );
    expect((await registry.get('applied'))!.rebuild).toBeNull();
    const { rows } = await db.sql.query(`SELECT to_regclass('${db.schema}.rm_applied_events_g2') AS t`);
    expect(rows[0]).toEqual({ t: null });
    expect((await registry.get('applied_too'))!.rebuild!.jobId).toBe('someone-else');
  });
});
