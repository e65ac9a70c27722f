/**
 * Process configuration from the environment (DESIGN.md §1 "Modes"). Parsed and validated once at
 * start-up; a bad value stops the process with a message naming the variable and what it accepts.
 */
import * as path from 'node:path';
import { assertSqlIdentifier } from '@trellis/event-store';

/** `DATA_DIR=memory://`: embedded store in memory (tests, throw-away demos). */
export const MEMORY_DATA_DIR = 'memory://';

export type EventStoreMode = 'embedded' | 'postgres' | 'esdb';
export type ReadStoreMode = 'embedded' | 'postgres';

export interface TrellisConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly eventStore: EventStoreMode;
  readonly readStore: ReadStoreMode;
  /** Embedded database directory, or `memory://` for an in-memory database that keeps nothing. */
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly eventStoreUrl?: string;
  /** PostgreSQL schema holding the event log (and, by default, the read store). */
  readonly dbSchema: string;
  readonly redisUrl: string;
  /** Key prefix for BullMQ in Redis (lets several deployments or test runs share one Redis). */
  readonly queuePrefix: string;
  readonly adminApiKey?: string;
  /**
   * `PEOPLE_MASTER_KEY`: 32 bytes (base64) that wrap the people vault's per-person keys. Required in
   * production; elsewhere a development key is generated (see libs/platform/src/people/master-key.ts).
   */
  readonly peopleMasterKey?: string;
  readonly port: number;
  readonly host: string;
  /** Run the BullMQ processors in this process (the single-machine default). */
  readonly runWorkers: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Maximum JSON request body, in bytes. */
  readonly bodyLimitBytes: number;
  /**
   * asOf snapshots: the state stored every this many events of a partnership, so an asOf query folds
   * at most about this many events after the nearest one (docs/architecture.md). 0 turns them off.
   */
  readonly asOfSnapshotEvery: number;
  /** Parsed asOf snapshots kept in memory, in MB of their JSON (0: none). */
  readonly asOfSnapshotCacheMb: number;
  /** Retries of a command after a revision conflict when the client sent no If-Match. */
  readonly commandConflictRetries: number;
  /** How long an Idempotency-Key is remembered. */
  readonly idempotencyTtlHours: number;
  readonly poolSize: number;
  /** Integrators (DESIGN.md §6): webhook delivery and the live event stream. */
  readonly webhooks: WebhookConfig;
  /** Interval of the `: heartbeat` comment on `GET /events/stream`. */
  readonly sseHeartbeatMs: number;
  /** Rate limiting per API key and, for requests without a valid key, per client address (docs/security.md). */
  readonly rateLimit: RateLimitConfig;
  /** Longest request target (path and query) accepted, in characters; longer → 414. */
  readonly maxUrlLength: number;
  /** Request line and headers together, in bytes (Node's `maxHeaderSize`); larger → 431. */
  readonly maxHeaderBytes: number;
}

/** A sustained rate with a burst allowance (GCRA: a token bucket of `burst` refilled at `perMinute`). */
export interface RateLimitPolicy {
  readonly perMinute: number;
  readonly burst: number;
}

export interface RateLimitConfig {
  readonly enabled: boolean;
  /** Requests authenticated by an API key, per key. */
  readonly perKey: RateLimitPolicy;
  /** Requests without a valid key (none, unknown, revoked; public routes), per client address. */
  readonly perAddress: RateLimitPolicy;
}

export interface WebhookConfig {
  /** Allow target URLs that resolve to private, loopback or link-local addresses (tests, on-premises). */
  readonly allowPrivateNetworks: boolean;
  /** Hosts (names, IP addresses or CIDR ranges) allowed even when private (`WEBHOOK_ALLOWED_HOSTS`, comma-separated). */
  readonly allowedHosts: readonly string[];
  /** Time allowed for one delivery attempt (connect + response). */
  readonly timeoutMs: number;
  /** Attempts before a delivery is dead-lettered (the first try included). */
  readonly maxAttempts: number;
  /** First retry delay; each further retry doubles it, with jitter. */
  readonly backoffMs: number;
  /** Jitter of a retry delay, as a fraction of it (0–1). */
  readonly backoffJitter: number;
  /** How long the previous secret still signs deliveries after a rotation. */
  readonly secretGraceSeconds: number;
  /** A subscription whose deliveries fail without a success for this long is paused automatically. */
  readonly autoPauseAfterSeconds: number;
  /** Bytes of a receiver's response body read (and kept for the delivery log) at most. */
  readonly maxResponseBytes: number;
  /** Deliveries in flight per worker process. */
  readonly deliveryConcurrency: number;
  /** The dispatcher's lease: how soon another worker takes over a dead dispatcher. */
  readonly dispatcherLeaseMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, overrides: Partial<TrellisConfig> = {}): TrellisConfig {
  const problems: string[] = [];
  const pick = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name}=${JSON.stringify(raw)} is not one of: ${allowed.join(', ')}`);
    return fallback;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name}=${JSON.stringify(env[name])} must be true or false`);
    return fallback;
  };
  const url = (name: string, schemes: string[]): string | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    try {
      const u = new URL(raw);
      if (!schemes.includes(u.protocol.replace(/:$/, ''))) {
        problems.push(`${name} must be a ${schemes.join(' or ')} URL, got ${u.protocol}//…`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const nodeEnv = pick('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const eventStore = pick('EVENT_STORE', ['embedded', 'postgres', 'esdb'] as const, 'embedded');
  const readStoreDefault: ReadStoreMode = eventStore === 'embedded' ? 'embedded' : 'postgres';
  const readStore = pick('READ_STORE', ['embedded', 'postgres'] as const, readStoreDefault);
  const databaseUrl = url('DATABASE_URL', ['postgres', 'postgresql']);
  const eventStoreUrl = esdbConnectionString(env['EVENTSTORE_URL'], problems);
  const redisUrl = url('REDIS_URL', ['redis', 'rediss']) ?? 'redis://127.0.0.1:6379';
  const dbSchema = env['DB_SCHEMA']?.trim() || 'trellis';
  // The stores' own rule (they interpolate the schema into SQL), so a bad value stops start-up here.
  try {
    assertSqlIdentifier(dbSchema, 'schema');
  } catch {
    problems.push(`DB_SCHEMA=${JSON.stringify(dbSchema)} must be a lower-case SQL identifier (1–50 characters a-z, 0-9 and _, not starting with a digit or pg_)`);
  }

  if (eventStore === 'postgres' && !databaseUrl) problems.push('EVENT_STORE=postgres needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/trellis)');
  if (readStore === 'postgres' && !databaseUrl) problems.push('READ_STORE=postgres needs DATABASE_URL');
  if (eventStore === 'esdb') {
    if (!eventStoreUrl) problems.push('EVENT_STORE=esdb needs EVENTSTORE_URL (an esdb:// connection string)');
    if (readStore === 'embedded') problems.push('EVENT_STORE=esdb needs READ_STORE=postgres');
  }
  if (readStore === 'embedded' && eventStore === 'postgres') {
    problems.push('READ_STORE=embedded with EVENT_STORE=postgres is not supported: read models must be shared by every replica');
  }

  const adminApiKey = env['ADMIN_API_KEY']?.trim() || undefined;
  if (adminApiKey !== undefined && adminApiKey.length < 24) problems.push('ADMIN_API_KEY must be at least 24 characters');

  const peopleMasterKey = env['PEOPLE_MASTER_KEY']?.trim() || undefined;
  if (peopleMasterKey !== undefined && !isPeopleMasterKey(peopleMasterKey)) {
    problems.push('PEOPLE_MASTER_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)');
  }
  if (peopleMasterKey === undefined && nodeEnv === 'production') {
    problems.push('PEOPLE_MASTER_KEY is required in production: 32 random bytes in base64 (`openssl rand -base64 32`); it wraps the people vault\'s keys');
  }

  const config: TrellisConfig = {
    env: nodeEnv,
    eventStore,
    readStore,
    dataDir: env['DATA_DIR']?.trim() === MEMORY_DATA_DIR ? MEMORY_DATA_DIR : path.resolve(env['DATA_DIR']?.trim() || './data'),
    databaseUrl,
    eventStoreUrl,
    dbSchema,
    redisUrl,
    queuePrefix: env['QUEUE_PREFIX']?.trim() || 'trellis',
    adminApiKey,
    peopleMasterKey,
    port: int('PORT', 3000, 0, 65535),
    host: env['HOST']?.trim() || '0.0.0.0',
    runWorkers: bool('RUN_WORKERS', true),
    logLevel: pick('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, nodeEnv === 'test' ? 'silent' : 'info'),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
    commandConflictRetries: int('COMMAND_CONFLICT_RETRIES', 10, 0, 50),
    idempotencyTtlHours: int('IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 30),
    asOfSnapshotEvery: int('ASOF_SNAPSHOT_EVERY', 500, 0, 1_000_000),
    asOfSnapshotCacheMb: int('ASOF_SNAPSHOT_CACHE_MB', 16, 0, 4_096),
    poolSize: int('DATABASE_POOL_SIZE', 10, 1, 200),
    webhooks: {
      allowPrivateNetworks: bool('WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
      allowedHosts: (env['WEBHOOK_ALLOWED_HOSTS'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== ''),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      maxAttempts: int('WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
      backoffMs: int('WEBHOOK_BACKOFF_MS', 2_000, 10, 24 * 3_600_000),
      backoffJitter: int('WEBHOOK_BACKOFF_JITTER_PERCENT', 50, 0, 100) / 100,
      secretGraceSeconds: int('WEBHOOK_SECRET_GRACE_SECONDS', 24 * 3600, 0, 30 * 24 * 3600),
      autoPauseAfterSeconds: int('WEBHOOK_AUTO_PAUSE_AFTER_SECONDS', 3 * 24 * 3600, 1, 365 * 24 * 3600),
      maxResponseBytes: int('WEBHOOK_MAX_RESPONSE_BYTES', 16 * 1024, 0, 1024 * 1024),
      deliveryConcurrency: int('WEBHOOK_DELIVERY_CONCURRENCY', 128, 1, 2_000),
      dispatcherLeaseMs: int('WEBHOOK_DISPATCHER_LEASE_MS', 15_000, 1_000, 600_000),
    },
    sseHeartbeatMs: int('SSE_HEARTBEAT_MS', 15_000, 100, 3_600_000),
    // Under NODE_ENV=test the limiter still runs on every request, with limits no test reaches.
    rateLimit: {
      enabled: bool('RATE_LIMIT_ENABLED', true),
      perKey: {
        perMinute: int('RATE_LIMIT_PER_MINUTE', nodeEnv === 'test' ? 1_000_000 : 1_200, 1, 10_000_000),
        burst: int('RATE_LIMIT_BURST', nodeEnv === 'test' ? 100_000 : 200, 1, 1_000_000),
      },
      perAddress: {
        perMinute: int('RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE', nodeEnv === 'test' ? 1_000_000 : 120, 1, 10_000_000),
        burst: int('RATE_LIMIT_UNAUTHENTICATED_BURST', nodeEnv === 'test' ? 100_000 : 30, 1, 1_000_000),
      },
    },
    maxUrlLength: int('MAX_URL_LENGTH', 4_096, 256, 65_536),
    maxHeaderBytes: int('MAX_HEADER_BYTES', 16 * 1024, 4 * 1024, 64 * 1024),
    ...overrides,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** 32 bytes in base64 (standard or URL-safe alphabet, padding optional). */
export const isPeopleMasterKey = (value: string): boolean =>
  /^[A-Za-z0-9+/_-]{43}=?$/.test(value) && Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64').length === 32;

export const TRELLIS_CONFIG = Symbol('TRELLIS_CONFIG');

const ESDB_SCHEMES = ['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover', 'kurrent'];

/**
 * `EVENTSTORE_URL`: an EventStoreDB/KurrentDB connection string. A cluster names several hosts
 * (`esdb://node1:2113,node2:2113,node3:2113?tls=false`), which is not a WHATWG URL, so the hosts are
 * checked one by one and the query (client settings) must parse.
 */
function esdbConnectionString(value: string | undefined, problems: string[]): string | undefined {
  const raw = value?.trim();
  if (!raw) return undefined;
  const match = /^([a-z+]+):\/\/(?:[^@/?#\s]+@)?([^/?#\s]+)\/?(\?[^#\s]*)?$/i.exec(raw);
  if (!match) {
    problems.push('EVENTSTORE_URL is not a valid connection string (esdb://host:2113[,host:2113…][?settings])');
    return raw;
  }
  const [, scheme, hosts, query] = match;
  if (!ESDB_SCHEMES.includes(scheme!.toLowerCase())) problems.push(`EVENTSTORE_URL must be an ${ESDB_SCHEMES.join(' or ')} connection string, got ${scheme}://…`);
  for (const host of hosts!.split(',')) {
    try {
      new URL(`esdb://${host}`);
      if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(host)) throw new Error('bad host');
    } catch {
      problems.push(`EVENTSTORE_URL names an invalid host: ${host}`);
    }
  }
  if (query !== undefined && /[^\w.~%&=+,:-]/.test(query.slice(1))) problems.push('EVENTSTORE_URL has an invalid query string');
  return raw;
}
