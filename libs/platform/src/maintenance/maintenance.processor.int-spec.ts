/**
 * The platform as the apps boot it — PlatformModule (stores, migrations, bootstrap admin) and
 * WorkersModule (BullMQ on real Redis) in a Nest application context — seen through the
 * maintenance queue.
 */
import { randomUUID } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { PgSqlClient } from '@trellis/event-store';
import { loadConfig, type TrellisConfig } from '../config/trellis-config';
import { PlatformModule } from '../platform.module';
import { QueueingModule, WorkersModule } from '../queueing/queueing.module';
import { MAINTENANCE_JOBS, QUEUES } from '../queueing/queues';
import { API_KEY_STORE } from '../tokens';
import type { ApiKeyStore } from '../auth/api-key.store';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/sql-backends';

/** Redis database 3: a database other than 0 proves REDIS_URL reaches BullMQ whole, not just host and port. */
const redisUrl = (db: number): string => {
  const url = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  url.pathname = `/${db}`;
  return url.toString();
};
const REDIS_URL = redisUrl(3);
const ADMIN_API_KEY = `maintenance-test-admin-${randomUUID()}`;

@Module({})
class MaintenanceTestModule {}

describe('maintenance worker (PlatformModule + WorkersModule on PostgreSQL and Redis)', () => {
  const schema = uniqueSchema('maint');
  const prefix = `trellis_test_${randomUUID().slice(0, 8)}`;
  let config: TrellisConfig;
  const sql = PgSqlClient.fromUrl(TEST_DATABASE_URL, { max: 2 });
  const redis = new IORedis(REDIS_URL, { lazyConnect: true });
  const apps: INestApplicationContext[] = [];
  let queue: Queue;
  let queueEvents: QueueEvents;

  const boot = async (): Promise<INestApplicationContext> => {
    const app = await NestFactory.createApplicationContext(
      { module: MaintenanceTestModule, imports: [PlatformModule.forRoot(config), QueueingModule.forRoot(config), WorkersModule.forRoot()] },
      { logger: false, abortOnError: false },
    );
    apps.push(app);
    return app;
  };

  /** Until nothing is waiting or running: the scheduler's first purge runs as soon as it is upserted. */
  const settle = async (q: Queue): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const counts = await q.getJobCounts('waiting', 'active', 'prioritized', 'paused');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > deadline) throw new Error(`maintenance queue did not settle: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const insertRecord = (key: string, expiresAt: string) =>
    sql.query(
      `INSERT INTO ${schema}.idempotency_keys (scope, key, request_hash, status, locked_until, expires_at)
       VALUES ('test', $1, 'h', 'pending', now(), ${expiresAt})`,
      [key],
    );

  beforeAll(async () => {
    config = loadConfig({
      NODE_ENV: 'test',
      EVENT_STORE: 'postgres',
      DATABASE_URL: TEST_DATABASE_URL,
      DB_SCHEMA: schema,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      ADMIN_API_KEY,
    });
    const app = await boot();
    queue = app.get<Queue>(getQueueToken(QUEUES.maintenance));
    queueEvents = new QueueEvents(QUEUES.maintenance, { connection: { url: REDIS_URL }, prefix });
    await queueEvents.waitUntilReady();
    await settle(queue);
  }, 60_000);

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await queueEvents?.close();
    const cleanup = new Queue(QUEUES.maintenance, { connection: { url: REDIS_URL }, prefix });
    await cleanup.obliterate({ force: true });
    await cleanup.close();
    await redis.quit();
    await sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.close();
  }, 60_000);

  it('migrated the schema and created the bootstrap admin from ADMIN_API_KEY', async () => {
    const { rows } = await sql.query<{ component: string }>(`SELECT DISTINCT component FROM ${schema}.schema_migrations ORDER BY component`);
    expect(rows.map((r) => r.component)).toEqual(['api-keys', 'event-store', 'idempotency']);
    const keys = apps[0]!.get<ApiKeyStore>(API_KEY_STORE);
    expect(await keys.authenticate(ADMIN_API_KEY)).toMatchObject({ role: 'admin', name: 'bootstrap admin (ADMIN_API_KEY)' });
  });

  it('keeps its queues under QUEUE_PREFIX in the Redis database of REDIS_URL', async () => {
    expect(await redis.keys(`${prefix}:${QUEUES.maintenance}:*`)).not.toEqual([]);
    const defaultDb = new IORedis(redisUrl(0));
    try {
      expect(await defaultDb.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      await defaultDb.quit();
    }
  });

  it('purges expired idempotency records on a purge-idempotency-keys job', async () => {
    const expired = `expired-${randomUUID()}`;
    const live = `live-${randomUUID()}`;
    await insertRecord(expired, `now() - interval '1 minute'`);
    await insertRecord(live, `now() + interval '1 hour'`);

    const job = await queue.add(MAINTENANCE_JOBS.purgeIdempotencyKeys, {});
    await expect(job.waitUntilFinished(queueEvents, 10_000)).resolves.toEqual({ purged: 1 });

    const { rows } = await sql.query<{ key: string }>(`SELECT key FROM ${schema}.idempotency_keys WHERE key IN ($1, $2)`, [expired, live]);
    expect(rows).toEqual([{ key: live }]);
  });

  it('fails a job it does not know', async () => {
    const job = await queue.add('no-such-job' as never, {});
    await expect(job.waitUntilFinished(queueEvents, 10_000)).rejects.toThrow('Unknown maintenance job no-such-job');
  });

  it('schedules the purge hourly, once, however many processes boot', async () => {
    const expected = [expect.objectContaining({ key: MAINTENANCE_JOBS.purgeIdempotencyKeys, name: MAINTENANCE_JOBS.purgeIdempotencyKeys, every: 3_600_000 })];
    expect(await queue.getJobSchedulers()).toEqual(expected);

    // A second process (a restart, or another worker replica) on the same queue and schema.
    const second = await boot();
    const secondQueue = second.get<Queue>(getQueueToken(QUEUES.maintenance));
    await settle(secondQueue);
    expect(await secondQueue.getJobSchedulers()).toEqual(expected);
    expect(await queue.getJobSchedulersCount()).toBe(1);
    // Booting again is idempotent all the way: the bootstrap admin is still the one key.
    const keys = second.get<ApiKeyStore>(API_KEY_STORE);
    expect((await keys.list()).filter((k) => k.bootstrap && !k.revokedAt)).toHaveLength(1);
  });
});
