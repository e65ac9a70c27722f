/**
 * A deliberately tiny SQL client abstraction shared by every SQL-backed store in Trellis (the event
 * store, read models, API keys, idempotency records). Two implementations: `PgSqlClient` (a
 * `pg.Pool` against PostgreSQL) and `PgliteSqlClient` (the embedded, in-process PGlite).
 *
 * Portability rules every caller must follow, because the two drivers differ:
 * - select `bigint` columns as `::text` and convert with `BigInt(...)`: PGlite returns int8 as a JS
 *   number (lossy beyond 2^53), pg returns it as a string;
 * - pass jsonb parameters as `JSON.stringify(x)` and cast them (`$1::jsonb`);
 * - several statements in one `query` only without parameters (the simple protocol); the rows
 *   returned are those of the last statement;
 * - PGlite has a single connection: inside `transaction(fn)` use only `tx`, never the client itself,
 *   or the transaction waits for a query that waits for the transaction.
 */
import { createHash } from 'node:crypto';

export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface SqlClient extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction at the database's default isolation (READ COMMITTED unless
   * configured otherwise); commits when it resolves, rolls back when it throws.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Subscribes to `NOTIFY` on `channel` (a lower-case SQL identifier). Resolves once the `LISTEN` is
   * in place; returns the function that removes this listener. Notifications are a wake-up hint,
   * never a delivery guarantee: after the listening connection was lost and re-established, each
   * listener is called once with an empty payload because notifications may have been missed.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,49}$/;

/** PostgreSQL's reserved key words (and those reserved except as function or type names): unusable unquoted. */
const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation ' +
    'column concurrently constraint create cross current_catalog current_date current_role current_schema current_time ' +
    'current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze ' +
    'from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit ' +
    'localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references ' +
    'returning right select session_user similar some symmetric system_user table tablesample then to trailing true ' +
    'union unique user using variadic verbose when where window with').split(' '),
);

/**
 * Schema, table and channel names are interpolated into SQL (they cannot be bind parameters), so
 * they are restricted to plain lower-case identifiers that need no quoting and cannot inject.
 */
export function assertSqlIdentifier(value: string, what = 'identifier'): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value) || value.startsWith('pg_') || RESERVED.has(value)) {
    throw new Error(
      `Invalid SQL ${what} ${JSON.stringify(value)}: use 1–50 characters a-z, 0-9 and _, not starting with a digit or pg_, and not a reserved SQL word`,
    );
  }
  return value;
}

/**
 * A stable 64-bit advisory-lock key derived from names, so unrelated components (and the same
 * component in different schemas) never contend for the same lock.
 */
export function advisoryLockKey(...parts: string[]): bigint {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readBigInt64BE(0);
}

/** True for errors that mean "the database could not be reached", as opposed to a refused statement. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception), 57P0x (shutdown, crash, cannot connect now).
    if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-4]$/.test(code)) return true;
    if (/^E[A-Z]+$/.test(code)) return true; // Node socket errors: ECONNREFUSED, ECONNRESET, ETIMEDOUT…
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|PGlite is closed/i.test(
    error.message,
  );
}
