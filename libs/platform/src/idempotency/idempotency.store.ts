/**
 * Idempotency-Key records (DESIGN.md §4): the first response to a key is stored and replayed for
 * the same request; the same key with another request is refused. A record is claimed before the
 * command runs, and the event ids the command will append are saved before appending, so a retry
 * after a crash between "appended" and "response stored" recovers the original outcome from the log
 * instead of recording the fact twice.
 */
import { runMigrations, type SqlClient } from '@trellis/event-store';

export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export type IdempotencyClaim =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in_progress' }
  /** A previous attempt died after planning this append; it may or may not be in the log. */
  | { readonly kind: 'recover'; readonly plan: PlannedAppend };

/** What a command was about to append: enough to find out afterwards whether it did. */
export interface PlannedAppend {
  readonly streamId: string;
  readonly eventIds: readonly string[];
}

interface Row {
  request_hash: string;
  status: 'pending' | 'completed';
  response: StoredResponse | null;
  planned_append: PlannedAppend | null;
  locked_until: Date | string;
  expires_at: Date | string;
}

export class IdempotencyStore {
  constructor(
    private readonly sql: SqlClient,
    private readonly schema: string,
    private readonly options: { ttlHours: number; lockSeconds?: number },
  ) {}

  private get lockSeconds(): number {
    return this.options.lockSeconds ?? 30;
  }

  async migrate(): Promise<void> {
    await runMigrations(this.sql, {
      schema: this.schema,
      component: 'idempotency',
      migrations: [
      {
        id: '001-idempotency-keys',
        statements: [
              `CREATE TABLE IF NOT EXISTS ${this.schema}.idempotency_keys (
                scope text NOT NULL,
                key text NOT NULL,
                request_hash text NOT NULL,
                status text NOT NULL CHECK (status IN ('pending','completed')),
                response jsonb,
                planned_append jsonb,
                locked_until timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (scope, key))`,
              `CREATE INDEX IF NOT EXISTS idempotency_keys_expires_at ON ${this.schema}.idempotency_keys (expires_at)`,
        ],
      },
      ],
    });
  }

  async claim(scope: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const t = `${this.schema}.idempotency_keys`;
    // An expired record no longer binds the key.
    await this.sql.query(`DELETE FROM ${t} WHERE scope = $1 AND key = $2 AND expires_at < now()`, [scope, key]);
    const inserted = await this.sql.query(
      `INSERT INTO ${t} (scope, key, request_hash, status, locked_until, expires_at)
       VALUES ($1, $2, $3, 'pending', now() + make_interval(secs => $4), now() + make_interval(hours => $5))
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [scope, key, requestHash, this.lockSeconds, this.options.ttlHours],
    );
    if (inserted.rows.length > 0) return { kind: 'new' };

    const { rows } = await this.sql.query<Row>(`SELECT * FROM ${t} WHERE scope = $1 AND key = $2`, [scope, key]);
    const row = rows[0];
    if (!row) return this.claim(scope, key, requestHash); // deleted in between: try again
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status === 'completed' && row.response) return { kind: 'replay', response: row.response };
    if (new Date(row.locked_until).getTime() > Date.now()) return { kind: 'in_progress' };

    // A stale pending record: its owner died. Take it over (compare-and-set on the lock).
    const taken = await this.sql.query(
      `UPDATE ${t} SET locked_until = now() + make_interval(secs => $3)
       WHERE scope = $1 AND key = $2 AND status = 'pending' AND locked_until < now() RETURNING key`,
      [scope, key, this.lockSeconds],
    );
    if (taken.rows.length === 0) return { kind: 'in_progress' };
    return row.planned_append?.eventIds.length ? { kind: 'recover', plan: row.planned_append } : { kind: 'new' };
  }

  /** Records what the command is about to append (before appending). */
  async plan(scope: string, key: string, planned: PlannedAppend): Promise<void> {
    await this.sql.query(
      `UPDATE ${this.schema}.idempotency_keys SET planned_append = $3::jsonb WHERE scope = $1 AND key = $2`,
      [scope, key, JSON.stringify(planned)],
    );
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.sql.query(
      `UPDATE ${this.schema}.idempotency_keys SET status = 'completed', response = $3::jsonb WHERE scope = $1 AND key = $2`,
      [scope, key, JSON.stringify(response)],
    );
  }

  /** Forgets a claim whose request failed transiently, so that a retry runs again. */
  async release(scope: string, key: string): Promise<void> {
    await this.sql.query(`DELETE FROM ${this.schema}.idempotency_keys WHERE scope = $1 AND key = $2 AND status = 'pending'`, [scope, key]);
  }

  /** Deletes expired records; returns how many. */
  async purgeExpired(): Promise<number> {
    const { rows } = await this.sql.query(`DELETE FROM ${this.schema}.idempotency_keys WHERE expires_at < now() RETURNING key`);
    return rows.length;
  }
}
