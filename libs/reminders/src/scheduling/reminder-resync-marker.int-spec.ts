/**
 * The reminder scheduler resynchronises its delayed jobs at once when Redis has lost its data — not
 * only on a process's first slice and every `resyncMs` (15 min by default). The marker the last
 * resync left in Redis goes with the data; finding it missing is the signal. Real PostgreSQL, real
 * Redis (its own key prefix).
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createSqlEventStore, type SqlEventStore } from '@trellis/event-store';
import { ProjectionRegistry } from '@trellis/projections';
import { openPostgresBackend, type SqlBackend } from '../../../platform/src/testing/sql-backends';
import { parseReminderSettings } from '../reminder-settings';
import { P, RecordedPartnership } from '../testing/reminder-log';
import { ReminderScheduler } from './reminder-scheduler';
import { ReminderStateStore } from './reminder-state.store';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

let backend: SqlBackend;
let store: SqlEventStore;
let queue: Queue;
let scheduler: ReminderScheduler;
let redis: Redis;

beforeAll(async () => {
  backend = await openPostgresBackend();
  redis = new Redis(REDIS_URL);
  const schema = backend.schema('resync');
  store = await createSqlEventStore({ sql: backend.sql, schema, pollIntervalMs: 50 });
  queue = new Queue('reminders', { connection: { url: REDIS_URL }, prefix: `trellis-int-resync-${randomBytes(5).toString('hex')}` });
  // Housekeeping on every slice; a periodic resync far away (the default is 15 min).
  scheduler = new ReminderScheduler(store, new ProjectionRegistry(backend.sql, schema), new ReminderStateStore(backend.sql, schema), queue, parseReminderSettings({}), {
    leaseMs: 3_000,
    maxRunMs: 300,
    sweepMs: 50,
    resyncMs: 60 * 60_000,
  });
  await scheduler.prepare();
}, 30_000);

afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await store?.close();
  await backend?.close();
  redis?.disconnect();
});

const reminderJobs = async () => (await queue.getDelayed()).filter((j) => j.name === 'reminder');

it('re-adds the delayed jobs lost with Redis at the next slice, and only then', async () => {
  const p = await new RecordedPartnership(store).formalized();
  await p.run('DepartParticipant', { participantId: P.teacher, reason: 'moved' }); // 30 days away
  // Slices until the first resync of this process has left its marker in Redis.
  const marker = queue.toKey('scheduler-resynced');
  for (let i = 0; i < 50 && (await redis.exists(marker)) === 0; i++) await scheduler.run('test');
  expect(await redis.exists(marker)).toBe(1);
  const [job] = await reminderJobs();
  expect(job?.data).toMatchObject({ partnershipId: p.partnershipId, policy: 'R-15' });

  // A job lost on its own (the marker still there): the next slice leaves it to the periodic resync.
  await job!.remove();
  expect(await reminderJobs()).toEqual([]);
  await scheduler.run('test');
  expect(await reminderJobs()).toEqual([]);

  // Redis lost its data (every key of the queue, as after a restart without persistence or a
  // FLUSHALL): the jobs and the marker. The next slice resyncs.
  await redis.del(...(await redis.keys(queue.toKey('*'))));
  expect(await redis.exists(marker)).toBe(0);
  await scheduler.run('test');
  const after = await reminderJobs();
  expect(after.map((j) => j.id)).toEqual([job!.id]);
}, 30_000);
