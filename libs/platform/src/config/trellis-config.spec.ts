import * as path from 'node:path';
import { ConfigError, loadConfig, MEMORY_DATA_DIR } from './trellis-config';

const PG = 'postgres://postgres@127.0.0.1:5432/trellis';
const ESDB = 'esdb://127.0.0.1:2113?tls=false';
/** 32 bytes in base64, as `openssl rand -base64 32` prints them. */
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

/** The problems `loadConfig(env)` reports; fails the test when it accepts the environment. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('runs embedded on ./data with local Redis, port 3000 and workers in process', () => {
      const config = loadConfig({});
      expect(config).toEqual({
        env: 'development',
        eventStore: 'embedded',
        readStore: 'embedded',
        dataDir: path.resolve('./data'),
        databaseUrl: undefined,
        eventStoreUrl: undefined,
        dbSchema: 'trellis',
        redisUrl: 'redis://127.0.0.1:6379',
        queuePrefix: 'trellis',
        adminApiKey: undefined,
        port: 3000,
        host: '0.0.0.0',
        runWorkers: true,
        logLevel: 'info',
        bodyLimitBytes: 256 * 1024,
        commandConflictRetries: 10,
        idempotencyTtlHours: 24,
        asOfSnapshotEvery: 500,
        asOfSnapshotCacheMb: 16,
        poolSize: 10,
        webhooks: {
          allowPrivateNetworks: false,
          allowedHosts: [],
          timeoutMs: 10_000,
          maxAttempts: 8,
          backoffMs: 2_000,
          backoffJitter: 0.5,
          secretGraceSeconds: 86_400,
          autoPauseAfterSeconds: 259_200,
          maxResponseBytes: 16 * 1024,
          deliveryConcurrency: 128,
          dispatcherLeaseMs: 15_000,
        },
        sseHeartbeatMs: 15_000,
        rateLimit: { enabled: true, perKey: { perMinute: 1_200, burst: 200 }, perAddress: { perMinute: 120, burst: 30 } },
        maxUrlLength: 4_096,
        maxHeaderBytes: 16 * 1024,
      });
    });

    it('treats blank values as unset', () => {
      expect(loadConfig({ EVENT_STORE: '  ', PORT: '', RUN_WORKERS: ' ', DB_SCHEMA: ' ', ADMIN_API_KEY: '  ' })).toEqual(loadConfig({}));
    });

    it('is silent by default under NODE_ENV=test', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
      expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    });

    it('resolves DATA_DIR to an absolute path but keeps memory:// as is', () => {
      expect(loadConfig({ DATA_DIR: 'var/trellis' }).dataDir).toBe(path.resolve('var/trellis'));
      expect(loadConfig({ DATA_DIR: MEMORY_DATA_DIR }).dataDir).toBe('memory://');
      expect(loadConfig({ DATA_DIR: ' memory:// ' }).dataDir).toBe('memory://');
    });

    it('reads every value it is given', () => {
      const config = loadConfig({
        NODE_ENV: 'production',
        EVENT_STORE: 'postgres',
        DATABASE_URL: PG,
        DB_SCHEMA: 'trellis_prod',
        REDIS_URL: 'rediss://cache.internal:6380',
        QUEUE_PREFIX: 'blue',
        ADMIN_API_KEY: 'x'.repeat(24),
        PEOPLE_MASTER_KEY: MASTER_KEY,
        PORT: '8080',
        HOST: '127.0.0.1',
        RUN_WORKERS: 'off',
        LOG_LEVEL: 'warn',
        BODY_LIMIT_BYTES: '1024',
        COMMAND_CONFLICT_RETRIES: '0',
        IDEMPOTENCY_TTL_HOURS: '720',
        ASOF_SNAPSHOT_EVERY: '0',
        ASOF_SNAPSHOT_CACHE_MB: '0',
        DATABASE_POOL_SIZE: '200',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes',
        WEBHOOK_ALLOWED_HOSTS: ' Hooks.internal , 10.0.0.0/8,,',
        WEBHOOK_TIMEOUT_MS: '500',
        WEBHOOK_MAX_ATTEMPTS: '3',
        WEBHOOK_BACKOFF_MS: '50',
        WEBHOOK_BACKOFF_JITTER_PERCENT: '0',
        WEBHOOK_SECRET_GRACE_SECONDS: '60',
        WEBHOOK_AUTO_PAUSE_AFTER_SECONDS: '5',
        WEBHOOK_MAX_RESPONSE_BYTES: '0',
        WEBHOOK_DELIVERY_CONCURRENCY: '256',
        WEBHOOK_DISPATCHER_LEASE_MS: '5000',
        SSE_HEARTBEAT_MS: '250',
      });
      expect(config).toMatchObject({
        env: 'production',
        eventStore: 'postgres',
        readStore: 'postgres',
        databaseUrl: PG,
        dbSchema: 'trellis_prod',
        redisUrl: 'rediss://cache.internal:6380',
        queuePrefix: 'blue',
        adminApiKey: 'x'.repeat(24),
        asOfSnapshotEvery: 0,
        asOfSnapshotCacheMb: 0,
        peopleMasterKey: MASTER_KEY,
        port: 8080,
        host: '127.0.0.1',
        runWorkers: false,
        logLevel: 'warn',
        bodyLimitBytes: 1024,
        commandConflictRetries: 0,
        idempotencyTtlHours: 720,
        poolSize: 200,
        webhooks: {
          allowPrivateNetworks: true,
          allowedHosts: ['hooks.internal', '10.0.0.0/8'],
          timeoutMs: 500,
          maxAttempts: 3,
          backoffMs: 50,
          backoffJitter: 0,
          secretGraceSeconds: 60,
          autoPauseAfterSeconds: 5,
          maxResponseBytes: 0,
          deliveryConcurrency: 256,
          dispatcherLeaseMs: 5_000,
        },
        sseHeartbeatMs: 250,
      });
    });

    it.each([
      ['1', true],
      ['TRUE', true],
      ['yes', true],
      ['On', true],
      ['0', false],
      ['false', false],
      ['NO', false],
      ['off', false],
    ])('reads RUN_WORKERS=%s as %s', (raw, expected) => {
      expect(loadConfig({ RUN_WORKERS: raw }).runWorkers).toBe(expected);
    });
  });

  describe('READ_STORE', () => {
    it('follows EVENT_STORE when unset', () => {
      expect(loadConfig({ EVENT_STORE: 'embedded' }).readStore).toBe('embedded');
      expect(loadConfig({ EVENT_STORE: 'postgres', DATABASE_URL: PG }).readStore).toBe('postgres');
      expect(loadConfig({ EVENT_STORE: 'esdb', EVENTSTORE_URL: ESDB, DATABASE_URL: PG }).readStore).toBe('postgres');
    });

    it('may put the read store on PostgreSQL next to an embedded event log', () => {
      expect(loadConfig({ EVENT_STORE: 'embedded', READ_STORE: 'postgres', DATABASE_URL: PG })).toMatchObject({
        eventStore: 'embedded',
        readStore: 'postgres',
      });
    });

    it('refuses READ_STORE=embedded with EVENT_STORE=postgres', () => {
      expect(problemsOf({ EVENT_STORE: 'postgres', READ_STORE: 'embedded', DATABASE_URL: PG })).toEqual([
        expect.stringMatching(/^READ_STORE=embedded with EVENT_STORE=postgres is not supported/),
      ]);
    });
  });

  describe('store combinations', () => {
    it('needs DATABASE_URL for PostgreSQL', () => {
      expect(problemsOf({ EVENT_STORE: 'postgres' })).toEqual([
        expect.stringMatching(/^EVENT_STORE=postgres needs DATABASE_URL/),
        'READ_STORE=postgres needs DATABASE_URL',
      ]);
      expect(problemsOf({ READ_STORE: 'postgres' })).toEqual(['READ_STORE=postgres needs DATABASE_URL']);
    });

    it('needs EVENTSTORE_URL and a PostgreSQL read store for EventStoreDB', () => {
      expect(problemsOf({ EVENT_STORE: 'esdb', DATABASE_URL: PG })).toEqual([expect.stringMatching(/^EVENT_STORE=esdb needs EVENTSTORE_URL/)]);
      expect(problemsOf({ EVENT_STORE: 'esdb', EVENTSTORE_URL: ESDB, READ_STORE: 'embedded' })).toEqual([
        'EVENT_STORE=esdb needs READ_STORE=postgres',
      ]);
    });

    it.each([
      'esdb://a:2113',
      'esdb+discover://a:2113',
      'kurrentdb://a:2113',
      'kurrentdb+discover://a:2113',
      'kurrent://a:2113',
      'esdb://admin:changeit@a:2113?tls=false',
      'esdb://10.0.0.1:2113,10.0.0.2:2113,10.0.0.3:2113?tls=false&nodePreference=leader',
      'esdb://[::1]:2113/?tls=false',
    ])(
      'accepts EVENTSTORE_URL=%s',
      (url) => {
        expect(loadConfig({ EVENT_STORE: 'esdb', EVENTSTORE_URL: url, DATABASE_URL: PG }).eventStoreUrl).toBe(url);
      },
    );
  });

  describe('invalid values, each reported naming its variable', () => {
    it.each<[string, Record<string, string>, RegExp]>([
      ['EVENT_STORE', { EVENT_STORE: 'mongo' }, /^EVENT_STORE="mongo" is not one of: embedded, postgres, esdb$/],
      ['READ_STORE', { READ_STORE: 'redis' }, /^READ_STORE="redis" is not one of: embedded, postgres$/],
      ['NODE_ENV', { NODE_ENV: 'staging' }, /^NODE_ENV="staging" is not one of: development, production, test$/],
      ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, /^LOG_LEVEL="verbose" is not one of: fatal, error, warn, info, debug, trace, silent$/],
      ['PORT not a number', { PORT: 'http' }, /^PORT="http" must be an integer between 0 and 65535$/],
      ['PORT too large', { PORT: '65536' }, /^PORT="65536" must be an integer between 0 and 65535$/],
      ['PORT negative', { PORT: '-1' }, /^PORT="-1" must be an integer between 0 and 65535$/],
      ['PORT fractional', { PORT: '80.5' }, /^PORT="80.5" must be an integer/],
      ['BODY_LIMIT_BYTES too small', { BODY_LIMIT_BYTES: '1023' }, /^BODY_LIMIT_BYTES="1023" must be an integer between 1024 and 16777216$/],
      ['COMMAND_CONFLICT_RETRIES too large', { COMMAND_CONFLICT_RETRIES: '51' }, /^COMMAND_CONFLICT_RETRIES="51" must be an integer between 0 and 50$/],
      ['IDEMPOTENCY_TTL_HOURS zero', { IDEMPOTENCY_TTL_HOURS: '0' }, /^IDEMPOTENCY_TTL_HOURS="0" must be an integer between 1 and 720$/],
      ['IDEMPOTENCY_TTL_HOURS fractional', { IDEMPOTENCY_TTL_HOURS: '0.5' }, /^IDEMPOTENCY_TTL_HOURS="0.5" must be an integer/],
      ['ASOF_SNAPSHOT_EVERY negative', { ASOF_SNAPSHOT_EVERY: '-1' }, /^ASOF_SNAPSHOT_EVERY="-1" must be an integer between 0 and 1000000$/],
      ['DATABASE_POOL_SIZE too large', { DATABASE_POOL_SIZE: '201' }, /^DATABASE_POOL_SIZE="201" must be an integer between 1 and 200$/],
      ['RUN_WORKERS', { RUN_WORKERS: 'maybe' }, /^RUN_WORKERS="maybe" must be true or false$/],
      ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'sometimes' }, /^WEBHOOK_ALLOW_PRIVATE_NETWORKS="sometimes" must be true or false$/],
      ['WEBHOOK_TIMEOUT_MS too small', { WEBHOOK_TIMEOUT_MS: '99' }, /^WEBHOOK_TIMEOUT_MS="99" must be an integer between 100 and 120000$/],
      ['WEBHOOK_MAX_ATTEMPTS zero', { WEBHOOK_MAX_ATTEMPTS: '0' }, /^WEBHOOK_MAX_ATTEMPTS="0" must be an integer between 1 and 50$/],
      ['WEBHOOK_BACKOFF_JITTER_PERCENT over 100', { WEBHOOK_BACKOFF_JITTER_PERCENT: '101' }, /^WEBHOOK_BACKOFF_JITTER_PERCENT="101" must be an integer between 0 and 100$/],
      ['WEBHOOK_AUTO_PAUSE_AFTER_SECONDS zero', { WEBHOOK_AUTO_PAUSE_AFTER_SECONDS: '0' }, /^WEBHOOK_AUTO_PAUSE_AFTER_SECONDS="0" must be an integer between 1 and /],
      ['WEBHOOK_DELIVERY_CONCURRENCY not a number', { WEBHOOK_DELIVERY_CONCURRENCY: 'many' }, /^WEBHOOK_DELIVERY_CONCURRENCY="many" must be an integer between 1 and 2000$/],
      ['WEBHOOK_DISPATCHER_LEASE_MS too small', { WEBHOOK_DISPATCHER_LEASE_MS: '999' }, /^WEBHOOK_DISPATCHER_LEASE_MS="999" must be an integer between 1000 and 600000$/],
      ['SSE_HEARTBEAT_MS too small', { SSE_HEARTBEAT_MS: '10' }, /^SSE_HEARTBEAT_MS="10" must be an integer between 100 and 3600000$/],
      ['DB_SCHEMA upper case', { DB_SCHEMA: 'Trellis' }, /^DB_SCHEMA="Trellis" must be a lower-case SQL identifier/],
      ['DB_SCHEMA with a quote', { DB_SCHEMA: 'x;drop schema public' }, /^DB_SCHEMA="x;drop schema public" must be a lower-case SQL identifier/],
      ['DB_SCHEMA starting with a digit', { DB_SCHEMA: '1trellis' }, /^DB_SCHEMA="1trellis" must be a lower-case SQL identifier/],
      ['DB_SCHEMA a reserved SQL word', { DB_SCHEMA: 'user' }, /^DB_SCHEMA="user" must be a lower-case SQL identifier/],
      // The stores refuse these (assertSqlIdentifier): say so at start-up, not at the first migration.
      ['DB_SCHEMA reserved pg_ prefix', { DB_SCHEMA: 'pg_trellis' }, /^DB_SCHEMA="pg_trellis" must be a lower-case SQL identifier/],
      ['DB_SCHEMA longer than 50', { DB_SCHEMA: 'a'.repeat(51) }, /^DB_SCHEMA="a{51}" must be a lower-case SQL identifier/],
      ['DATABASE_URL scheme', { DATABASE_URL: 'mysql://root@db/trellis', READ_STORE: 'postgres' }, /^DATABASE_URL must be a postgres or postgresql URL, got mysql:\/\/…$/],
      ['DATABASE_URL unparsable', { DATABASE_URL: 'not a url', READ_STORE: 'postgres' }, /^DATABASE_URL is not a valid URL$/],
      ['REDIS_URL scheme', { REDIS_URL: 'http://127.0.0.1:6379' }, /^REDIS_URL must be a redis or rediss URL, got http:\/\/…$/],
      ['REDIS_URL unparsable', { REDIS_URL: '127.0.0.1:6379' }, /^REDIS_URL /],
      ['EVENTSTORE_URL scheme', { EVENT_STORE: 'esdb', EVENTSTORE_URL: 'https://esdb:2113', DATABASE_URL: PG }, /^EVENTSTORE_URL must be an esdb or .* connection string, got https:\/\/…$/],
      ['EVENTSTORE_URL unparsable', { EVENT_STORE: 'esdb', EVENTSTORE_URL: '::', DATABASE_URL: PG }, /^EVENTSTORE_URL is not a valid connection string/],
      ['EVENTSTORE_URL bad cluster host', { EVENT_STORE: 'esdb', EVENTSTORE_URL: 'esdb://a:2113,b c:2113', DATABASE_URL: PG }, /^EVENTSTORE_URL is not a valid connection string/],
      ['EVENTSTORE_URL bad port', { EVENT_STORE: 'esdb', EVENTSTORE_URL: 'esdb://a:2113,b:99999', DATABASE_URL: PG }, /^EVENTSTORE_URL names an invalid host: b:99999$/],
      ['ADMIN_API_KEY too short', { ADMIN_API_KEY: 'x'.repeat(23) }, /^ADMIN_API_KEY must be at least 24 characters$/],
      ['PEOPLE_MASTER_KEY not base64', { PEOPLE_MASTER_KEY: 'correct horse battery staple' }, /^PEOPLE_MASTER_KEY must be 32 random bytes in base64/],
      ['PEOPLE_MASTER_KEY 16 bytes', { PEOPLE_MASTER_KEY: Buffer.alloc(16, 1).toString('base64') }, /^PEOPLE_MASTER_KEY must be 32 random bytes/],
      ['PEOPLE_MASTER_KEY 33 bytes', { PEOPLE_MASTER_KEY: Buffer.alloc(33, 1).toString('base64') }, /^PEOPLE_MASTER_KEY must be 32 random bytes/],
      ['PEOPLE_MASTER_KEY missing in production', { NODE_ENV: 'production' }, /^PEOPLE_MASTER_KEY is required in production/],
    ])('%s', (_name, env, message) => {
      expect(problemsOf(env)).toEqual([expect.stringMatching(message)]);
    });

    it('takes PEOPLE_MASTER_KEY in either base64 alphabet, needs it only in production, and never echoes it', () => {
      const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
      expect(loadConfig({ PEOPLE_MASTER_KEY: urlSafe }).peopleMasterKey).toBe(urlSafe);
      expect(loadConfig({ NODE_ENV: 'test' }).peopleMasterKey).toBeUndefined();
      expect(loadConfig({ NODE_ENV: 'development' }).peopleMasterKey).toBeUndefined();
      const wrong = `${MASTER_KEY.slice(0, 40)}!!!=`;
      expect(problemsOf({ PEOPLE_MASTER_KEY: wrong }).join('\n')).not.toContain(wrong);
    });

    it('does not echo credentials of a URL with a wrong scheme', () => {
      const [problem] = problemsOf({ DATABASE_URL: 'mysql://root:s3cret@db/trellis', READ_STORE: 'postgres' });
      expect(problem).not.toContain('s3cret');
    });

    it('reports several problems together in one ConfigError', () => {
      let caught: unknown;
      try {
        loadConfig({ EVENT_STORE: 'postgres', PORT: '99999', LOG_LEVEL: 'loud', RUN_WORKERS: 'perhaps', REDIS_URL: 'http://x', ADMIN_API_KEY: 'short' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      const error = caught as ConfigError;
      expect(error.name).toBe('ConfigError');
      expect(error.problems).toHaveLength(7);
      for (const variable of ['EVENT_STORE=postgres needs DATABASE_URL', 'READ_STORE=postgres needs', 'PORT=', 'LOG_LEVEL=', 'RUN_WORKERS=', 'REDIS_URL', 'ADMIN_API_KEY']) {
        expect(error.problems.some((p) => p.startsWith(variable))).toBe(true);
      }
      // One message, one line per problem.
      expect(error.message.split('\n')).toEqual(['Invalid configuration:', ...error.problems.map((p) => `  - ${p}`)]);
    });
  });

  it('applies overrides over the environment', () => {
    expect(loadConfig({ PORT: '8080' }, { port: 0, runWorkers: false })).toMatchObject({ port: 0, runWorkers: false });
  });
});

describe('loadConfig: rate limits and request sizes', () => {
  it('has defaults for production, a lower allowance without a key, and limits no test reaches under NODE_ENV=test', () => {
    expect(loadConfig({})).toMatchObject({
      rateLimit: { enabled: true, perKey: { perMinute: 1_200, burst: 200 }, perAddress: { perMinute: 120, burst: 30 } },
      maxUrlLength: 4_096,
      maxHeaderBytes: 16_384,
    });
    const test = loadConfig({ NODE_ENV: 'test' }).rateLimit;
    expect(test.enabled).toBe(true);
    expect(test.perKey.burst).toBeGreaterThanOrEqual(100_000);
    expect(test.perAddress.burst).toBeGreaterThanOrEqual(100_000);
  });

  it('reads RATE_LIMIT_*, MAX_URL_LENGTH and MAX_HEADER_BYTES, and refuses bad values by name', () => {
    expect(
      loadConfig({
        RATE_LIMIT_ENABLED: 'false',
        RATE_LIMIT_PER_MINUTE: '60',
        RATE_LIMIT_BURST: '5',
        RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '6',
        RATE_LIMIT_UNAUTHENTICATED_BURST: '2',
        MAX_URL_LENGTH: '2048',
        MAX_HEADER_BYTES: '8192',
      }),
    ).toMatchObject({ rateLimit: { enabled: false, perKey: { perMinute: 60, burst: 5 }, perAddress: { perMinute: 6, burst: 2 } }, maxUrlLength: 2_048, maxHeaderBytes: 8_192 });
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_BURST: 'lots', MAX_HEADER_BYTES: '100' })).toThrow(
      /RATE_LIMIT_PER_MINUTE="0"[\s\S]*RATE_LIMIT_BURST="lots"[\s\S]*MAX_HEADER_BYTES="100"/,
    );
  });
});
