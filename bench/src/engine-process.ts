/**
 * The engine as `npm start` runs it, for the benchmarks that talk to it over HTTP (http-commands,
 * history-asof): `dist/apps/api/main.js` (built by `nest build api`) in a child process on the
 * PostgreSQL store, with its own Redis key prefix, a bootstrap admin key, and everything it left in
 * Redis removed when it stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

export interface EngineOptions {
  /** `dist/apps/api/main.js`. */
  readonly apiEntry: string;
  readonly url: string;
  /** DB_SCHEMA: where the log (and the engine's own tables) live. */
  readonly schema: string;
  /** Unique per measurement: the Redis key prefix is derived from it. */
  readonly applicationName: string;
  readonly redisUrl: string;
  /** RUN_WORKERS (npm start: true). */
  readonly runWorkers: boolean;
  /** More environment (wins over the defaults below). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface Engine {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly adminKey: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Reminder policies whose clocks start from partnership facts: the benchmarks' histories are
 * back-dated, so every such clock would be long overdue at once and the engine would spend the run
 * issuing reminders nobody would see in production (webhook-delivery does the same).
 */
export const BACKDATED_REMINDER_POLICIES = 'R-01,R-03,R-04,R-05,R-06,R-07,R-08,R-10,R-11,R-12,R-13,R-14,R-15,R-17,R-18';

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const adminKey = `trk_bench_${uuidv7().replace(/-/g, '')}`;
  const port = await freePort();
  const prefix = `bench-${options.applicationName}`;
  // BENCH_ENGINE_NODE_ARGS: extra Node flags for the engine (e.g. `--cpu-prof --cpu-prof-dir=…` to profile it).
  const nodeArgs = (process.env['BENCH_ENGINE_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, options.apiEntry], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // Production needs the people vault's master key; the benchmarks register no people.
      PEOPLE_MASTER_KEY: randomBytes(32).toString('base64'),
      EVENT_STORE: 'postgres',
      DATABASE_URL: options.url,
      DB_SCHEMA: options.schema,
      REDIS_URL: options.redisUrl,
      QUEUE_PREFIX: prefix,
      RUN_WORKERS: String(options.runWorkers),
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    // BENCH_ENGINE_LOG=<file>: keep the engine's log (warnings and errors).
    stdio: ['ignore', process.env['BENCH_ENGINE_LOG'] ? openSync(process.env['BENCH_ENGINE_LOG'], 'a') : 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await forgetRedisKeys(options.redisUrl, prefix);
  };
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the engine exited with code ${child.exitCode}`);
      const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 600) throw new Error('the engine did not answer /health within 60 s');
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, adminKey, pid: child.pid!, stop };
}

/** Deletes the keys of this engine's private prefix (queues, rate-limit buckets) from the shared Redis. */
async function forgetRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const { default: IORedis } = await import('ioredis');
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } catch {
    // Best effort: the prefix is unique to this measurement.
  } finally {
    redis.disconnect();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
