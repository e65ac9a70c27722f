/**
 * Deploying a new version of a projection: worker replicas booting with the new code find the live
 * generation built by the old one, and exactly one blue/green rebuild produces the new version —
 * on real Redis (BullMQ) and PostgreSQL, through the Nest modules the apps use.
 */
import { randomUUID } from 'node:crypto';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { EVENT_STORE, type EventStore } from '@trellis/event-store';
import { loadConfig, PlatformModule, QueueingModule } from '@trellis/platform';
import { readModelView, type Projection } from '../core/projection';
import { createTestSchema, type TestSchema } from '../testing';
import { ProjectionRegistry } from '../runtime/projection-registry';
import { ProjectionRunner } from '../runtime/projection-runner';
import { ProjectionsModule } from './projections.module';
import { ProjectionsProcessor } from './projections.processor';
import { PROJECTION_JOBS } from './projections.tokens';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const versioned = (version: number): Projection => ({
  name: 'deployed',
  version,
  eventTypes: ['Noted'],
  tables: [{ name: 'rows', create: (t) => [`CREATE TABLE ${t} (event_id uuid PRIMARY KEY, v integer NOT NULL)`] }],
  async apply(events, ctx) {
    await ctx.query(`INSERT INTO ${ctx.table('rows')} (event_id, v) SELECT id, $2 FROM unnest($1::uuid[]) AS id`, [events.map((e) => e.eventId), version]);
  },
});

@Module({})
class ReplicaModule {
  static forRoot(schema: string, prefix: string, projections: Projection[]): DynamicModule {
    const config = loadConfig({ NODE_ENV: 'test', EVENT_STORE: 'postgres', DATABASE_URL, DB_SCHEMA: schema, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', ADMIN_API_KEY: `trk_${randomUUID()}` });
    return { module: ReplicaModule, imports: [PlatformModule.forRoot(config), QueueingModule.forRoot(config), ProjectionsModule.forRoot({ projections, workers: true })] };
  }
}

let db: TestSchema;
const contexts: INestApplicationContext[] = [];
const prefix = `trellis-deploy-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  db = await createTestSchema('deploy');
});
afterAll(async () => {
  const queue = contexts[0]?.get<Queue>(getQueueToken('projections'), { strict: false });
  for (const c of contexts) await c.close();
  if (queue) await queue.obliterate({ force: true }).catch(() => undefined);
  await db?.drop();
});

it('rebuilds once, blue/green, when replicas start with a new version of a projection', async () => {
  // Version 1 has been live for a while.
  const v1Context = await NestFactory.createApplicationContext(ReplicaModule.forRoot(db.schema, `${prefix}-old`, [versioned(1)]), { logger: false });
  const store = v1Context.get<EventStore>(EVENT_STORE);
  for (let i = 0; i < 4; i++) {
    await store.append(`note-${i}`, Array.from({ length: 25 }, () => ({ eventId: uuidv7(), type: 'Noted', schemaVersion: 1, data: {}, metadata: {} })), { expectedRevision: 'no_stream' });
  }
  const registry = new ProjectionRegistry(db.sql, db.schema);
  for (let i = 0; i < 200 && (await registry.get('deployed'))?.checkpoint !== (await store.headPosition()); i++) {
    await new ProjectionRunner(store, registry, versioned(1), 'manual', { maxRunMs: 200 }).run();
  }
  await v1Context.close();
  const before = await registry.get('deployed');
  expect(before).toMatchObject({ version: 1, generation: 1 });

  // Deploy: two replicas boot with version 2 at the same time.
  contexts.push(
    ...(await Promise.all([0, 1].map(() => NestFactory.createApplicationContext(ReplicaModule.forRoot(db.schema, prefix, [versioned(2)]), { logger: false })))),
  );
  for (const c of contexts) await c.init();

  let row = await registry.get('deployed');
  for (let i = 0; i < 300 && !(row?.version === 2 && row.rebuild === null); i++) {
    await new Promise((r) => setTimeout(r, 100));
    row = await registry.get('deployed');
  }
  expect(row).toMatchObject({ version: 2, generation: 2, rebuild: null });
  const { rows } = await db.sql.query<{ v: number; c: string }>(`SELECT v, count(*)::text AS c FROM ${readModelView(db.schema, 'deployed', 'rows')} GROUP BY v`);
  expect(rows).toEqual([{ v: 2, c: '100' }]);

  const queue = contexts[0]!.get<Queue>(getQueueToken('projections'), { strict: false });
  const rebuilds = (await queue.getJobs(['completed', 'active', 'waiting', 'delayed', 'failed'])).filter((j) => j.name === 'rebuild');
  expect(rebuilds).toHaveLength(1);
  expect(rebuilds[0]!.data).toMatchObject({ projections: ['deployed'], reason: 'version change' });
}, 60_000);

it('gives each run job its own lease owner: a second run job of the same projection in the same process finds it busy', async () => {
  // The scheduler offers a run job every few seconds while a slice (up to a minute) may still be
  // running in the same process; with one owner per process both would hold the lease and apply
  // the same events. Two jobs handed to the processor at once: at least one must end `busy` at once
  // (the other, or the scheduler's own job, holds the lease and runs until the context closes).
  const context = await NestFactory.createApplicationContext(ReplicaModule.forRoot(db.schema, `${prefix}-jobs`, [versioned(2)]), { logger: false });
  contexts.push(context);
  await context.init();
  const processor = context.get(ProjectionsProcessor);
  const job = (id: string) => ({ id, name: PROJECTION_JOBS.run, data: { projection: 'deployed' } }) as unknown as Parameters<ProjectionsProcessor['process']>[0];
  const settled = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(() => r('still running'), 2_000))]);
  const [a, b] = await Promise.all([settled(processor.process(job('manual-a'))), settled(processor.process(job('manual-b')))]);
  expect([a, b]).toContainEqual({ outcome: 'busy' });
}, 30_000);
