/**
 * The webhook outbox and delivery log in the read store.
 *
 * A delivery is one (subscription, event, replay generation); it is `pending` until it is
 * `delivered` (a 2xx), `dead_lettered` (attempts exhausted; re-drivable) or `cancelled` (the
 * subscription was deleted). Deliveries form lanes — one per subscription and partnership — ordered
 * by `lane_order`; only the head of a lane (its lowest pending row) is handed to the delivery queue,
 * so an event never overtakes an earlier one of the same partnership, while every other lane moves on.
 */
import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import type { SqlClient, SqlExecutor } from '@trellis/event-store';
import { signingSecrets, subscriptionColumns, type SubscriptionRow } from './subscription.store';
import { WEBHOOK_TABLES } from './webhook-schema';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead_lettered' | 'cancelled';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead_lettered', 'cancelled'];

/** A delivery to record (the dispatcher, a replay). */
export interface NewDelivery {
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly position: bigint;
  readonly partnershipId: string | null;
  readonly lane: string;
  readonly generation: number;
}

/** What the delivery queue needs: the lane head to deliver. */
export interface DeliveryHead {
  readonly deliveryId: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly position: bigint;
  readonly generation: number;
  readonly redrives: number;
  /**
   * Set by the sweep on a head never attempted long after it was recorded: offered again under a job id
   * with this suffix, in case its job is lost inside the queue (see `allHeads`).
   */
  readonly reofferEpoch?: number;
}

export interface DeliveryAttempt {
  readonly attempt: number;
  readonly attemptedAt: string;
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
}

export interface DeliveryRecord {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly position: string;
  readonly partnershipId: string | null;
  /** 0 for live deliveries, n for the n-th replay of the subscription. */
  readonly generation: number;
  readonly status: DeliveryStatus;
  readonly attempts: readonly DeliveryAttempt[];
  readonly redrives: number;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
  readonly deadLetteredAt: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
}

export interface DeliveryPage {
  readonly items: DeliveryRecord[];
  readonly nextCursor: string | null;
}

/** A delivery about to be attempted, with what signs and addresses it. */
export interface AttemptContext {
  readonly delivery: { id: string; status: DeliveryStatus; attempts: number; position: bigint; eventId: string; lane: string; subscriptionId: string };
  readonly subscription: SubscriptionRow;
  readonly secrets: string[];
}

export interface AttemptResult {
  readonly deliveryId: string;
  readonly attemptedAt: Date;
  readonly statusCode?: number;
  readonly latencyMs: number;
  readonly error?: string;
  readonly responseBody?: string;
  /** 2xx. */
  readonly ok: boolean;
  /** The last attempt allowed: a failure dead-letters the delivery. */
  readonly last: boolean;
}

export interface AttemptOutcome {
  /** The delivery's status after the attempt (pending while it will be retried). */
  readonly status: DeliveryStatus;
  readonly attempt: number;
  /** Failing without a success since then (null after a success). */
  readonly failingSince: Date | null;
}

interface DeliveryRow {
  id: string;
  seq: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  position: string;
  partnership_id: string | null;
  lane: string;
  generation: number;
  status: DeliveryStatus;
  attempts: number;
  redrives: number;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | string | null;
  dead_lettered_at: Date | string | null;
  created_at: Date | string;
}

interface HeadRow {
  id: string;
  subscription_id: string;
  event_id: string;
  position: string;
  generation: number;
  redrives: number;
}

const DELIVERY_COLUMNS = `id, seq::text AS seq, subscription_id, event_id, event_type, position::text AS position, partnership_id, lane,
  generation, status, attempts, redrives, last_status_code, last_error, delivered_at, dead_lettered_at, created_at`;

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());
const MAX_ERROR = 2000;

const toHead = (r: HeadRow): DeliveryHead => ({
  deliveryId: r.id,
  subscriptionId: r.subscription_id,
  eventId: r.event_id,
  position: BigInt(r.position),
  generation: r.generation,
  redrives: r.redrives,
});

export class DeliveryStore {
  readonly table: string;
  private readonly attempts: string;
  private readonly subscriptions: string;

  constructor(
    readonly sql: SqlClient,
    readonly schema: string,
  ) {
    this.table = `${schema}.${WEBHOOK_TABLES.deliveries}`;
    this.attempts = `${schema}.${WEBHOOK_TABLES.attempts}`;
    this.subscriptions = `${schema}.${WEBHOOK_TABLES.subscriptions}`;
  }

  /**
   * Records deliveries (in the caller's transaction), in the order given — which becomes their order
   * in their lanes. A delivery already recorded (same subscription, event and generation) is left
   * alone, so re-running a batch records nothing twice. Returns the lanes that got a new delivery.
   */
  async record(tx: SqlExecutor, deliveries: readonly NewDelivery[]): Promise<Array<{ subscriptionId: string; lane: string }>> {
    if (deliveries.length === 0) return [];
    const payload = deliveries.map((d, i) => ({
      ord: i,
      id: uuidv7(),
      subscription_id: d.subscriptionId,
      event_id: d.eventId,
      event_type: d.eventType,
      position: d.position.toString(),
      partnership_id: d.partnershipId,
      lane: d.lane,
      generation: d.generation,
    }));
    // One parameter whatever the batch size (a VALUES list would hit the 65,535-parameter limit).
    // The ordered sub-select assigns lane_order (the column default) in the given order.
    const { rows } = await tx.query<{ subscription_id: string; lane: string }>(
      `INSERT INTO ${this.table} (id, subscription_id, event_id, event_type, position, partnership_id, lane, generation, status)
       SELECT id, subscription_id, event_id, event_type, position, partnership_id, lane, generation, 'pending'
         FROM (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(ord integer, id uuid, subscription_id uuid, event_id text, event_type text,
                 position bigint, partnership_id text, lane text, generation integer) ORDER BY ord) AS ordered
       ON CONFLICT (subscription_id, event_id, generation) DO NOTHING
       RETURNING subscription_id, lane`,
      [JSON.stringify(payload)],
    );
    const lanes = new Map<string, { subscriptionId: string; lane: string }>();
    for (const r of rows) lanes.set(`${r.subscription_id}\u0000${r.lane}`, { subscriptionId: r.subscription_id, lane: r.lane });
    return [...lanes.values()];
  }

  /** The head of each given lane, for active subscriptions only (a paused one keeps its heads for later). */
  async heads(lanes: ReadonlyArray<{ subscriptionId: string; lane: string }>, executor: SqlExecutor = this.sql): Promise<DeliveryHead[]> {
    if (lanes.length === 0) return [];
    const { rows } = await executor.query<HeadRow>(
      `SELECT DISTINCT ON (d.subscription_id, d.lane) d.id, d.subscription_id, d.event_id, d.position::text AS position, d.generation, d.redrives
         FROM ${this.table} d
         JOIN jsonb_to_recordset($1::jsonb) AS l(subscription_id uuid, lane text) ON l.subscription_id = d.subscription_id AND l.lane = d.lane
         JOIN ${this.subscriptions} s ON s.id = d.subscription_id AND s.status = 'active'
        WHERE d.status = 'pending'
        ORDER BY d.subscription_id, d.lane, d.lane_order`,
      [JSON.stringify(lanes.map((l) => ({ subscription_id: l.subscriptionId, lane: l.lane })))],
    );
    return rows.map(toHead);
  }

  /**
   * Every lane head of active subscriptions (of one subscription when given): for resumes and the
   * sweep. With `staleAfterMs`, a head that was never attempted although it was recorded longer ago
   * than that is marked for a re-offer under a fresh job id (`reofferEpoch`): its job may be
   * stuck in the queue — held active by a worker that never runs it — and offering the same id again
   * would be a no-op. At worst it is sent twice (at-least-once); the first outcome recorded wins.
   */
  async allHeads(subscriptionId?: string, staleAfterMs?: number): Promise<DeliveryHead[]> {
    const { rows } = await this.sql.query<HeadRow & { stale: boolean }>(
      `SELECT DISTINCT ON (d.subscription_id, d.lane) d.id, d.subscription_id, d.event_id, d.position::text AS position, d.generation, d.redrives,
              (d.attempts = 0 AND $2::integer IS NOT NULL AND d.created_at < now() - make_interval(secs => $2::integer / 1000.0)) AS stale
         FROM ${this.table} d JOIN ${this.subscriptions} s ON s.id = d.subscription_id AND s.status = 'active'
        WHERE d.status = 'pending' AND ($1::uuid IS NULL OR d.subscription_id = $1::uuid)
        ORDER BY d.subscription_id, d.lane, d.lane_order`,
      [subscriptionId ?? null, staleAfterMs ?? null],
    );
    const epoch = staleAfterMs !== undefined ? Math.floor(Date.now() / staleAfterMs) : 0;
    return rows.map((r) => (r.stale ? { ...toHead(r), reofferEpoch: epoch } : toHead(r)));
  }

  /** The delivery and its subscription (secrets included), or null when either is gone. */
  async forAttempt(deliveryId: string, now = new Date()): Promise<AttemptContext | null> {
    return (await this.forAttempts([deliveryId], now))[0] ?? null;
  }

  /** `forAttempt` for many deliveries in one statement (the delivery worker batches its lookups). */
  async forAttempts(deliveryIds: readonly string[], now = new Date()): Promise<Array<AttemptContext | null>> {
    const ids = deliveryIds.filter((id) => isUuid(id));
    if (ids.length === 0) return deliveryIds.map(() => null);
    const { rows } = await this.sql.query<SubscriptionRow & { d_id: string; d_status: DeliveryStatus; d_attempts: number; d_position: string; d_event_id: string; d_lane: string }>(
      `SELECT d.id AS d_id, d.status AS d_status, d.attempts AS d_attempts, d.position::text AS d_position, d.event_id AS d_event_id,
              d.lane AS d_lane, ${subscriptionColumns('s')}
         FROM ${this.table} d JOIN ${this.subscriptions} s ON s.id = d.subscription_id
        WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(
      rows.map((r): [string, AttemptContext] => [
        r.d_id,
        {
          delivery: {
            id: r.d_id,
            status: r.d_status,
            attempts: r.d_attempts,
            position: BigInt(r.d_position),
            eventId: r.d_event_id,
            lane: r.d_lane,
            subscriptionId: r.id,
          },
          subscription: r,
          secrets: signingSecrets(r, now),
        },
      ]),
    );
    return deliveryIds.map((id) => byId.get(id) ?? null);
  }

  /**
   * Records one attempt and its consequences: the attempt row, the delivery's status (delivered,
   * dead-lettered on the last failed attempt, else still pending), and the subscription's health (a
   * success clears the failure window; a failure opens it if needed). Throws when the delivery is no
   * longer pending.
   */
  async recordAttempt(result: AttemptResult): Promise<AttemptOutcome> {
    const [outcome] = await this.recordAttempts([result]);
    if (!outcome) throw new Error(`delivery ${result.deliveryId} is no longer pending`);
    return outcome;
  }

  /**
   * `recordAttempt` for many attempts — the delivery worker's group commit: at hundreds of deliveries a
   * second, a transaction per attempt would queue on the pool and on the subscription's row. The
   * deliveries' statuses and the attempt rows are ONE statement (all or nothing); each delivery may
   * appear once, and an attempt whose delivery is no longer pending (a duplicate job) changes nothing
   * and answers null. Then one statement updates each subscription's health, folded in memory in
   * attempt order (the last outcome decides whether it is failing, and since when); it is advisory
   * (auto-pause), so a crash between the two loses at most one batch's worth of it.
   */
  async recordAttempts(results: readonly AttemptResult[]): Promise<Array<AttemptOutcome | null>> {
    if (results.length === 0) return [];
    if (new Set(results.map((r) => r.deliveryId)).size !== results.length) throw new Error('recordAttempts: a delivery appears twice in one batch');
    const input = results.map((r) => ({
      id: r.deliveryId,
      status: (r.ok ? 'delivered' : r.last ? 'dead_lettered' : 'pending') as DeliveryStatus,
      attempted_at: r.attemptedAt.toISOString(),
      status_code: r.statusCode ?? null,
      latency_ms: Math.max(0, Math.round(r.latencyMs)),
      error: r.error?.slice(0, MAX_ERROR) ?? null,
      response_body: r.responseBody ?? null,
    }));
    const { rows } = await this.sql.query<{ id: string; attempts: number; subscription_id: string }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS i(id uuid, status text, attempted_at timestamptz, status_code integer, latency_ms integer, error text, response_body text)
       ), updated AS (
         UPDATE ${this.table} d
            SET attempts = d.attempts + 1, status = i.status, last_attempt_at = i.attempted_at, last_status_code = i.status_code,
                last_error = i.error,
                delivered_at = CASE WHEN i.status = 'delivered' THEN i.attempted_at ELSE d.delivered_at END,
                dead_lettered_at = CASE WHEN i.status = 'dead_lettered' THEN i.attempted_at ELSE d.dead_lettered_at END
           FROM input i
          WHERE d.id = i.id AND d.status = 'pending'
          RETURNING d.id, d.attempts, d.subscription_id
       ), attempts AS (
         INSERT INTO ${this.attempts} (delivery_id, attempt, attempted_at, status_code, latency_ms, error, response_body)
         SELECT u.id, u.attempts, i.attempted_at, i.status_code, i.latency_ms, i.error, i.response_body
           FROM updated u JOIN input i ON i.id = u.id
         ON CONFLICT DO NOTHING
       )
       SELECT id::text AS id, attempts, subscription_id::text AS subscription_id FROM updated`,
      [JSON.stringify(input)],
    );
    const recorded = new Map(rows.map((r) => [r.id, r] as const));
    const bySubscription = new Map<string, AttemptResult[]>();
    for (const r of results) {
      const row = recorded.get(r.deliveryId);
      if (!row) continue;
      const list = bySubscription.get(row.subscription_id);
      if (list) list.push(r);
      else bySubscription.set(row.subscription_id, [r]);
    }
    const health = [...bySubscription].map(([id, list]) => subscriptionHealth(id, list));
    const failingSince = new Map<string, Date | null>();
    if (health.length > 0) {
      const { rows: updated } = await this.sql.query<{ id: string; failing_since: Date | string | null }>(
        `UPDATE ${this.subscriptions} s
            SET last_success_at = CASE WHEN h.success_at IS NULL THEN s.last_success_at
                                       ELSE greatest(coalesce(s.last_success_at, h.success_at), h.success_at) END,
                failing_since = CASE h.mode WHEN 'clear' THEN NULL WHEN 'set' THEN h.fail_since
                                            ELSE coalesce(s.failing_since, h.fail_since) END,
                last_failure_at = coalesce(h.last_failure_at, s.last_failure_at),
                last_error = coalesce(h.last_error, s.last_error)
           FROM jsonb_to_recordset($1::jsonb)
             AS h(id uuid, success_at timestamptz, mode text, fail_since timestamptz, last_failure_at timestamptz, last_error text)
          WHERE s.id = h.id
          RETURNING s.id::text AS id, s.failing_since`,
        [JSON.stringify(health)],
      );
      for (const r of updated) failingSince.set(r.id, r.failing_since === null ? null : new Date(r.failing_since));
    }
    return results.map((r, k) => {
      const row = recorded.get(r.deliveryId);
      if (!row) return null;
      return { status: input[k]!.status, attempt: row.attempts, failingSince: r.ok ? null : (failingSince.get(row.subscription_id) ?? null) };
    });
  }

  /**
   * Puts dead-lettered deliveries of a subscription back in their lanes (one, or all of them), behind
   * what is pending there now. Returns how many, and the lanes touched.
   */
  async redrive(subscriptionId: string, deliveryId?: string): Promise<{ redriven: number; lanes: Array<{ subscriptionId: string; lane: string }> }> {
    if (!isUuid(subscriptionId) || (deliveryId !== undefined && !isUuid(deliveryId))) return { redriven: 0, lanes: [] };
    const { rows } = await this.sql.query<{ subscription_id: string; lane: string }>(
      `UPDATE ${this.table} d
          SET status = 'pending', redrives = redrives + 1, dead_lettered_at = NULL,
              lane_order = nextval('${this.schema}.${WEBHOOK_TABLES.laneOrder}')
         FROM (SELECT id FROM ${this.table} WHERE subscription_id = $1 AND status = 'dead_lettered' AND ($2::uuid IS NULL OR id = $2::uuid)
                ORDER BY lane_order) AS chosen
        WHERE d.id = chosen.id
        RETURNING d.subscription_id, d.lane`,
      [subscriptionId, deliveryId ?? null],
    );
    const lanes = new Map<string, { subscriptionId: string; lane: string }>();
    for (const r of rows) lanes.set(r.lane, { subscriptionId: r.subscription_id, lane: r.lane });
    return { redriven: rows.length, lanes: [...lanes.values()] };
  }

  /**
   * Deliveries waiting (pending: not yet delivered, or between retries) and dead-lettered, over every
   * subscription; both counts walk partial indexes, never the delivered history.
   */
  async backlog(): Promise<{ pending: number; deadLettered: number }> {
    const { rows } = await this.sql.query<{ pending: string; dead: string }>(
      `SELECT (SELECT count(*) FROM ${this.table} WHERE status = 'pending')::text AS pending,
              (SELECT count(*) FROM ${this.table} WHERE status = 'dead_lettered')::text AS dead`,
    );
    return { pending: Number(rows[0]!.pending), deadLettered: Number(rows[0]!.dead) };
  }

  /** The status of one delivery of a subscription, or null. */
  async status(subscriptionId: string, deliveryId: string): Promise<DeliveryStatus | null> {
    if (!isUuid(subscriptionId) || !isUuid(deliveryId)) return null;
    const { rows } = await this.sql.query<{ status: DeliveryStatus }>(`SELECT status FROM ${this.table} WHERE id = $1 AND subscription_id = $2`, [deliveryId, subscriptionId]);
    return rows[0]?.status ?? null;
  }

  /** Newest first, with every attempt; `before` is the cursor of the previous page. */
  async list(subscriptionId: string, options: { status?: DeliveryStatus; eventId?: string; before?: bigint; limit: number }): Promise<DeliveryPage> {
    const { rows } = await this.sql.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM ${this.table}
        WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR event_id = $3) AND ($4::bigint IS NULL OR seq < $4::bigint)
        ORDER BY seq DESC LIMIT $5`,
      [subscriptionId, options.status ?? null, options.eventId ?? null, options.before?.toString() ?? null, options.limit + 1],
    );
    const page = rows.slice(0, options.limit);
    const attempts = new Map<string, DeliveryAttempt[]>();
    if (page.length > 0) {
      const { rows: attemptRows } = await this.sql.query<{
        delivery_id: string;
        attempt: number;
        attempted_at: Date | string;
        status_code: number | null;
        latency_ms: number;
        error: string | null;
      }>(
        `SELECT delivery_id, attempt, attempted_at, status_code, latency_ms, error FROM ${this.attempts}
          WHERE delivery_id IN (SELECT (jsonb_array_elements_text($1::jsonb))::uuid) ORDER BY delivery_id, attempt`,
        [JSON.stringify(page.map((r) => r.id))],
      );
      for (const a of attemptRows) {
        const list = attempts.get(a.delivery_id) ?? [];
        list.push({ attempt: a.attempt, attemptedAt: iso(a.attempted_at)!, statusCode: a.status_code, latencyMs: a.latency_ms, error: a.error });
        attempts.set(a.delivery_id, list);
      }
    }
    return {
      items: page.map((r) => ({
        id: r.id,
        subscriptionId: r.subscription_id,
        eventId: r.event_id,
        eventType: r.event_type,
        position: r.position,
        partnershipId: r.partnership_id,
        generation: r.generation,
        status: r.status,
        attempts: attempts.get(r.id) ?? [],
        redrives: r.redrives,
        createdAt: iso(r.created_at)!,
        deliveredAt: iso(r.delivered_at),
        deadLetteredAt: iso(r.dead_lettered_at),
        lastStatusCode: r.last_status_code,
        lastError: r.last_error,
      })),
      nextCursor: rows.length > options.limit ? page[page.length - 1]!.seq : null,
    };
  }
}

/**
 * A subscription's health after a batch of its attempts (in attempt order): the last outcome decides.
 * Last a success → not failing (`clear`); failures after a success in the batch → failing since the
 * first of them (`set`); only failures → failing since whenever it started, or the first of them
 * (`coalesce`).
 */
function subscriptionHealth(id: string, attempts: readonly AttemptResult[]) {
  const sorted = [...attempts].sort((a, b) => a.attemptedAt.getTime() - b.attemptedAt.getTime());
  const successes = sorted.filter((a) => a.ok);
  const lastSuccess = successes[successes.length - 1];
  const failuresAfter = sorted.filter((a) => !a.ok && (!lastSuccess || a.attemptedAt.getTime() >= lastSuccess.attemptedAt.getTime()));
  const lastFailure = sorted.filter((a) => !a.ok).pop();
  const mode = sorted[sorted.length - 1]!.ok ? 'clear' : lastSuccess ? 'set' : 'coalesce';
  return {
    id,
    success_at: lastSuccess?.attemptedAt.toISOString() ?? null,
    mode,
    fail_since: failuresAfter[0]?.attemptedAt.toISOString() ?? null,
    last_failure_at: lastFailure?.attemptedAt.toISOString() ?? null,
    last_error: lastFailure ? (lastFailure.error?.slice(0, MAX_ERROR) ?? `HTTP ${lastFailure.statusCode ?? '?'}`) : null,
  };
}
