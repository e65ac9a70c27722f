/**
 * Webhook subscriptions in the read store. The signing secret is stored (it is needed to sign every
 * delivery) but only ever returned by `create` and `rotateSecret`; records never carry it.
 *
 * Ownership: every call that reads or changes one subscription takes an optional `owner` (the API key
 * id of an integrator). With it, a subscription created by another key does not exist (null); without
 * it (admin), every subscription is visible. Deleted subscriptions do not exist for anyone.
 */
import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import type { SqlClient, SqlExecutor } from '@trellis/event-store';
import { generateWebhookSecret } from './signing';
import { migrateWebhookTables, WEBHOOK_TABLES } from './webhook-schema';

export type SubscriptionStatus = 'active' | 'paused';

export interface WebhookSubscription {
  readonly id: string;
  readonly ownerKeyId: string;
  readonly url: string;
  /** null: every event type. */
  readonly eventTypes: readonly string[] | null;
  /** null: every partnership. */
  readonly partnershipIds: readonly string[] | null;
  readonly description: string | null;
  readonly status: SubscriptionStatus;
  readonly pausedAt: string | null;
  readonly pausedReason: string | null;
  /** `api` (someone paused it) or `auto` (failing for longer than the configured window). */
  readonly pausedBy: 'api' | 'auto' | null;
  /** Events after this position are delivered; null until the dispatcher first saw the subscription. */
  readonly startPosition: string | null;
  readonly secretRotatedAt: string | null;
  /** Until then deliveries also carry the signature of the previous secret. */
  readonly previousSecretExpiresAt: string | null;
  /** Failing without a success since then (null when the last attempt succeeded). */
  readonly failingSince: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewSubscription {
  readonly ownerKeyId: string;
  readonly url: string;
  readonly eventTypes?: readonly string[];
  readonly partnershipIds?: readonly string[];
  readonly description?: string;
  /**
   * The head of `$all` when it was created: events up to it were appended before the subscription
   * existed and are not delivered (replay covers them).
   */
  readonly headPosition?: bigint;
}

/** What the dispatcher needs to match events. */
export interface DispatchSubscription {
  readonly id: string;
  readonly eventTypes: ReadonlySet<string> | null;
  readonly partnershipIds: ReadonlySet<string> | null;
  readonly startPosition: bigint | null;
}

export interface SubscriptionPage {
  readonly items: WebhookSubscription[];
  readonly nextCursor: string | null;
}

export interface SubscriptionRow {
  id: string;
  owner_key_id: string;
  url: string;
  event_types: string[] | null;
  partnership_ids: string[] | null;
  description: string | null;
  status: SubscriptionStatus | 'deleted';
  paused_at: Date | string | null;
  paused_reason: string | null;
  paused_by: 'api' | 'auto' | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | string | null;
  secret_rotated_at: Date | string | null;
  start_position: string | null;
  replay_generation: number;
  failing_since: Date | string | null;
  last_success_at: Date | string | null;
  last_failure_at: Date | string | null;
  last_error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Every column, bigints as text (PGlite returns int8 as a lossy number). */
export const subscriptionColumns = (alias = ''): string => {
  const a = alias ? `${alias}.` : '';
  return `${a}id, ${a}owner_key_id, ${a}url, ${a}event_types, ${a}partnership_ids, ${a}description, ${a}status, ${a}paused_at,
    ${a}paused_reason, ${a}paused_by, ${a}secret, ${a}previous_secret, ${a}previous_secret_expires_at, ${a}secret_rotated_at,
    ${a}start_position::text AS start_position, ${a}replay_generation, ${a}failing_since, ${a}last_success_at, ${a}last_failure_at,
    ${a}last_error, ${a}created_at, ${a}updated_at`;
};

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());
const jsonList = (v: unknown): string[] | null => (v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as string[]) : (v as string[]));

export function toSubscription(r: SubscriptionRow): WebhookSubscription {
  return {
    id: r.id,
    ownerKeyId: r.owner_key_id,
    url: r.url,
    eventTypes: jsonList(r.event_types),
    partnershipIds: jsonList(r.partnership_ids),
    description: r.description,
    status: r.status === 'deleted' ? 'paused' : r.status,
    pausedAt: iso(r.paused_at),
    pausedReason: r.paused_reason,
    pausedBy: r.paused_by,
    startPosition: r.start_position,
    secretRotatedAt: iso(r.secret_rotated_at),
    previousSecretExpiresAt: iso(r.previous_secret_expires_at),
    failingSince: iso(r.failing_since),
    lastSuccessAt: iso(r.last_success_at),
    lastFailureAt: iso(r.last_failure_at),
    lastError: r.last_error,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** The secrets that sign a delivery now: the current one first, then the previous one during its grace period. */
export function signingSecrets(r: Pick<SubscriptionRow, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>, now = new Date()): string[] {
  const secrets = [r.secret];
  if (r.previous_secret && r.previous_secret_expires_at && new Date(r.previous_secret_expires_at).getTime() > now.getTime()) {
    secrets.push(r.previous_secret);
  }
  return secrets;
}

const MAX_TEXT = 2000;

export class SubscriptionStore {
  readonly table: string;
  private readonly deliveries: string;

  constructor(
    readonly sql: SqlClient,
    readonly schema: string,
  ) {
    this.table = `${schema}.${WEBHOOK_TABLES.subscriptions}`;
    this.deliveries = `${schema}.${WEBHOOK_TABLES.deliveries}`;
  }

  migrate(): Promise<void> {
    return migrateWebhookTables(this.sql, this.schema);
  }

  async create(input: NewSubscription): Promise<{ subscription: WebhookSubscription; secret: string }> {
    const secret = generateWebhookSecret();
    const { rows } = await this.sql.query<SubscriptionRow>(
      `INSERT INTO ${this.table} (id, owner_key_id, url, event_types, partnership_ids, description, status, secret, created_head)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, 'active', $7, $8) RETURNING ${subscriptionColumns()}`,
      [
        uuidv7(),
        input.ownerKeyId,
        input.url,
        input.eventTypes ? JSON.stringify([...new Set(input.eventTypes)]) : null,
        input.partnershipIds ? JSON.stringify([...new Set(input.partnershipIds.map((p) => p.toLowerCase()))]) : null,
        input.description ?? null,
        secret,
        (input.headPosition ?? 0n).toString(),
      ],
    );
    return { subscription: toSubscription(rows[0]!), secret };
  }

  async get(id: string, owner?: string): Promise<WebhookSubscription | null> {
    const row = await this.row(this.sql, id, owner);
    return row ? toSubscription(row) : null;
  }

  /** The full row, secrets included (for signing); null when absent, deleted, or another owner's. */
  async row(executor: SqlExecutor, id: string, owner?: string): Promise<SubscriptionRow | null> {
    if (!isUuid(id)) return null;
    const { rows } = await executor.query<SubscriptionRow>(
      `SELECT ${subscriptionColumns()} FROM ${this.table} WHERE id = $1 AND status <> 'deleted' AND ($2::text IS NULL OR owner_key_id = $2)`,
      [id, owner ?? null],
    );
    return rows[0] ?? null;
  }

  /** Subscriptions by status (deleted ones are not counted). */
  async countByStatus(): Promise<Record<'active' | 'paused', number>> {
    const { rows } = await this.sql.query<{ status: 'active' | 'paused'; n: string }>(
      `SELECT status, count(*)::text AS n FROM ${this.table} WHERE status <> 'deleted' GROUP BY status`,
    );
    const counts = { active: 0, paused: 0 };
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }

  /** In creation order (ids are UUIDv7), `after` the cursor of the previous page. */
  async list(options: { owner?: string; after?: string; limit: number }): Promise<SubscriptionPage> {
    if (options.after !== undefined && !isUuid(options.after)) throw new RangeError('invalid cursor');
    const { rows } = await this.sql.query<SubscriptionRow>(
      `SELECT ${subscriptionColumns()} FROM ${this.table}
        WHERE status <> 'deleted' AND ($1::text IS NULL OR owner_key_id = $1) AND ($2::uuid IS NULL OR id > $2::uuid)
        ORDER BY id LIMIT $3`,
      [options.owner ?? null, options.after ?? null, options.limit + 1],
    );
    const items = rows.slice(0, options.limit).map(toSubscription);
    return { items, nextCursor: rows.length > options.limit ? items[items.length - 1]!.id : null };
  }

  /** Deletes (keeps the row and its delivery log, invisible) and cancels what was still pending. */
  async delete(id: string, owner?: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query(
        `UPDATE ${this.table} SET status = 'deleted', deleted_at = now(), updated_at = now()
          WHERE id = $1 AND status <> 'deleted' AND ($2::text IS NULL OR owner_key_id = $2) RETURNING id`,
        [id, owner ?? null],
      );
      if (rows.length === 0) return false;
      await tx.query(`UPDATE ${this.deliveries} SET status = 'cancelled' WHERE subscription_id = $1 AND status = 'pending'`, [id]);
      return true;
    });
  }

  async pause(id: string, owner: string | undefined, reason = 'paused by request'): Promise<WebhookSubscription | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.sql.query<SubscriptionRow>(
      `UPDATE ${this.table}
          SET status = 'paused',
              paused_at = CASE WHEN status = 'paused' THEN paused_at ELSE now() END,
              paused_reason = CASE WHEN status = 'paused' THEN paused_reason ELSE $3 END,
              paused_by = CASE WHEN status = 'paused' THEN paused_by ELSE 'api' END,
              updated_at = now()
        WHERE id = $1 AND status <> 'deleted' AND ($2::text IS NULL OR owner_key_id = $2)
        RETURNING ${subscriptionColumns()}`,
      [id, owner ?? null, reason.slice(0, MAX_TEXT)],
    );
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  /**
   * Pauses a subscription that has been failing without a success since `failingSince` (compare and
   * set: nothing happens when it succeeded meanwhile or is already paused). Returns true when paused.
   */
  async autoPause(executor: SqlExecutor, id: string, reason: string): Promise<boolean> {
    const { rows } = await executor.query(
      `UPDATE ${this.table} SET status = 'paused', paused_at = now(), paused_reason = $2, paused_by = 'auto', updated_at = now()
        WHERE id = $1 AND status = 'active' AND failing_since IS NOT NULL RETURNING id`,
      [id, reason.slice(0, MAX_TEXT)],
    );
    return rows.length > 0;
  }

  /** Resumes; the failure window starts afresh. Deliveries matched while paused follow, in order. */
  async resume(id: string, owner?: string): Promise<WebhookSubscription | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.sql.query<SubscriptionRow>(
      `UPDATE ${this.table}
          SET status = 'active', paused_at = NULL, paused_reason = NULL, paused_by = NULL,
              failing_since = CASE WHEN status = 'paused' THEN NULL ELSE failing_since END, updated_at = now()
        WHERE id = $1 AND status <> 'deleted' AND ($2::text IS NULL OR owner_key_id = $2)
        RETURNING ${subscriptionColumns()}`,
      [id, owner ?? null],
    );
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  /**
   * A new secret; the current one becomes the previous one and keeps signing (second signature) for
   * `graceSeconds`. A previous secret still in its grace period is dropped: at most two are sent.
   */
  async rotateSecret(id: string, owner: string | undefined, graceSeconds: number): Promise<{ subscription: WebhookSubscription; secret: string } | null> {
    if (!isUuid(id)) return null;
    const secret = generateWebhookSecret();
    const { rows } = await this.sql.query<SubscriptionRow>(
      `UPDATE ${this.table}
          SET previous_secret = CASE WHEN $4::integer > 0 THEN secret ELSE NULL END,
              previous_secret_expires_at = CASE WHEN $4::integer > 0 THEN now() + make_interval(secs => $4::integer) ELSE NULL END,
              secret = $3, secret_rotated_at = now(), updated_at = now()
        WHERE id = $1 AND status <> 'deleted' AND ($2::text IS NULL OR owner_key_id = $2)
        RETURNING ${subscriptionColumns()}`,
      [id, owner ?? null, secret, graceSeconds],
    );
    return rows[0] ? { subscription: toSubscription(rows[0]), secret } : null;
  }

  /** Reserves the next replay generation (1, 2, …); null when the subscription does not exist for `owner`. */
  async nextReplayGeneration(id: string, owner?: string): Promise<number | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.sql.query<{ replay_generation: number }>(
      `UPDATE ${this.table} SET replay_generation = replay_generation + 1, updated_at = now()
        WHERE id = $1 AND status <> 'deleted' AND ($2::text IS NULL OR owner_key_id = $2) RETURNING replay_generation`,
      [id, owner ?? null],
    );
    return rows[0]?.replay_generation ?? null;
  }

  // --- the dispatcher ------------------------------------------------------------------------------

  /**
   * The subscriptions events are matched to (active and paused: a paused one keeps its place), in
   * the dispatcher's transaction. A subscription the dispatcher sees for the first time starts after
   * `from` (the checkpoint the current batch starts from) or the head it was created at, whichever is
   * later: every event appended after it was created is after both (the batch was read before this
   * query, and the query sees every subscription committed before the batch's events were read).
   */
  async forDispatch(tx: SqlExecutor, from: bigint): Promise<DispatchSubscription[]> {
    await tx.query(
      `UPDATE ${this.table} SET start_position = greatest($1::bigint, created_head) WHERE start_position IS NULL AND status <> 'deleted'`,
      [from.toString()],
    );
    const { rows } = await tx.query<{ id: string; event_types: unknown; partnership_ids: unknown; start_position: string }>(
      `SELECT id, event_types, partnership_ids, start_position::text AS start_position FROM ${this.table} WHERE status <> 'deleted'`,
    );
    return rows.map((r) => {
      const types = jsonList(r.event_types);
      const partnerships = jsonList(r.partnership_ids);
      return {
        id: r.id,
        eventTypes: types ? new Set(types) : null,
        partnershipIds: partnerships ? new Set(partnerships) : null,
        startPosition: BigInt(r.start_position),
      };
    });
  }
}
