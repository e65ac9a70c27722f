/**
 * Starts the real application (the same `createApp` as `npm start`) on a random port against a real
 * store: PostgreSQL in its own throw-away schema, or embedded PGlite in memory.
 */
import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { loadConfig, type TrellisConfig } from '@trellis/platform';
import { createApp } from '../../apps/api/src/app.factory';

export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface TestApp {
  readonly app: NestExpressApplication;
  readonly url: string;
  readonly adminKey: string;
  readonly config: TrellisConfig;
  /** Direct SQL on the event store's database (PostgreSQL only), for tampering tests. */
  readonly pg?: Pool;
  close(): Promise<void>;
}

export async function startTestApp(options: { store?: 'postgres' | 'embedded'; env?: Record<string, string> } = {}): Promise<TestApp> {
  const store = options.store ?? 'postgres';
  const schema = `e2e_${randomBytes(6).toString('hex')}`;
  const adminKey = `trk_test_${randomBytes(24).toString('base64url')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    EVENT_STORE: store,
    DATABASE_URL,
    DB_SCHEMA: schema,
    DATA_DIR: 'memory://',
    REDIS_URL,
    QUEUE_PREFIX: `trellis-test-${schema}`,
    RUN_WORKERS: 'false',
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ...options.env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const pg = store === 'postgres' ? new Pool({ connectionString: DATABASE_URL, max: 2 }) : undefined;
  return {
    app,
    url,
    adminKey,
    config,
    pg,
    async close() {
      await app.close();
      if (pg) {
        await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await pg.end();
      }
    },
  };
}
