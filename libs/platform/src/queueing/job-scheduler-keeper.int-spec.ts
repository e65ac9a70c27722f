/**
 * JobSchedulerKeeper against a real Redis (its own key prefix): a job scheduler that Redis lost is
 * re-created by the next check — including ids with a ':' in them, for which BullMQ's
 * getJobScheduler answers an object even when the scheduler is gone.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { workerRedisOptions } from '../redis/redis-connection';
import { JobSchedulerKeeper } from './job-scheduler-keeper';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

let queue: Queue;
let keeper: JobSchedulerKeeper;
const warnings: string[] = [];

beforeEach(() => {
  queue = new Queue('keeper', { connection: workerRedisOptions(REDIS_URL), prefix: `trellis-int-keeper-${randomBytes(5).toString('hex')}` });
  keeper = new JobSchedulerKeeper(
    queue,
    [
      { id: 'projection-runner:timeline', every: 3_000, template: { name: 'run', data: { projection: 'timeline' }, opts: { removeOnComplete: true } } },
      { id: 'reminder-scheduler', every: 2_000, template: { name: 'scheduler', data: {}, opts: { removeOnComplete: true } } },
    ],
    { warn: (m) => warnings.push(m) },
    60_000, // checks are driven by the test
  );
  warnings.length = 0;
});

afterEach(async () => {
  keeper.stop();
  await queue.obliterate({ force: true });
  await queue.close();
});

const keys = async () => (await queue.getJobSchedulers()).map((s) => s.key).sort();

it('upserts the schedulers at start, and a check with nothing missing changes nothing', async () => {
  await keeper.start();
  expect(await keys()).toEqual(['projection-runner:timeline', 'reminder-scheduler']);
  expect(await keeper.check()).toEqual([]);
  expect(warnings).toEqual([]);
});

it('re-creates the schedulers Redis lost (as after a restart without persistence), with their templates, and says so', async () => {
  await keeper.start();
  await queue.obliterate({ force: true }); // everything of the queue gone, as with an emptied Redis
  expect(await keys()).toEqual([]);
  expect(await keeper.check()).toEqual(['projection-runner:timeline', 'reminder-scheduler']);
  expect(await keys()).toEqual(['projection-runner:timeline', 'reminder-scheduler']);
  const runner = await queue.getJobScheduler('projection-runner:timeline');
  expect(runner).toMatchObject({ every: 3_000, template: { data: { projection: 'timeline' } } });
  expect(warnings).toEqual([expect.stringContaining('re-created: projection-runner:timeline, reminder-scheduler')]);
});

it('re-creates one scheduler removed on its own', async () => {
  await keeper.start();
  await queue.removeJobScheduler('projection-runner:timeline');
  expect(await keeper.check()).toEqual(['projection-runner:timeline']);
  expect(await keys()).toEqual(['projection-runner:timeline', 'reminder-scheduler']);
});
