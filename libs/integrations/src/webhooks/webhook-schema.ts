/**
 * Tables of webhook delivery in the read store (DESIGN.md §6), one migration list for both stores:
 *  - `webhook_subscriptions`: who wants what where, the signing secrets (kept to sign, never returned
 *    after creation or rotation), pause state and delivery health;
 *  - `webhook_deliveries`: the outbox — one row per (subscription, event, replay generation), written
 *    by the dispatcher in the same transaction as its checkpoint. `lane_order` orders a lane (one
 *    subscription × one partnership): only the lowest pending row of a lane is ever in flight;
 *  - `webhook_delivery_attempts`: every attempt (time, HTTP status, latency, error).
 */
import { runMigrations, type SqlClient } from '@trellis/event-store';

export const WEBHOOK_TABLES = {
  subscriptions: 'webhook_subscriptions',
  deliveries: 'webhook_deliveries',
  attempts: 'webhook_delivery_attempts',
  laneOrder: 'webhook_lane_order',
} as const;

export async function migrateWebhookTables(sql: SqlClient, schema: string): Promise<void> {
  const t = (name: string) => `${schema}.${name}`;
  await runMigrations(sql, {
    schema,
    component: 'webhooks',
    migrations: [
      {
        id: '001-webhooks',
        statements: [
          `CREATE TABLE IF NOT EXISTS ${t(WEBHOOK_TABLES.subscriptions)} (
             id uuid PRIMARY KEY,
             owner_key_id text NOT NULL,
             url text NOT NULL,
             event_types jsonb,
             partnership_ids jsonb,
             description text,
             status text NOT NULL CHECK (status IN ('active','paused','deleted')),
             paused_at timestamptz,
             paused_reason text,
             paused_by text CHECK (paused_by IN ('api','auto')),
             secret text NOT NULL,
             previous_secret text,
             previous_secret_expires_at timestamptz,
             secret_rotated_at timestamptz,
             created_head bigint NOT NULL DEFAULT 0,
             start_position bigint,
             replay_generation integer NOT NULL DEFAULT 0,
             failing_since timestamptz,
             last_success_at timestamptz,
             last_failure_at timestamptz,
             last_error text,
             created_at timestamptz NOT NULL DEFAULT now(),
             updated_at timestamptz NOT NULL DEFAULT now(),
             deleted_at timestamptz)`,
          `CREATE INDEX IF NOT EXISTS webhook_subscriptions_owner ON ${t(WEBHOOK_TABLES.subscriptions)} (owner_key_id, id)`,
          `CREATE SEQUENCE IF NOT EXISTS ${t(WEBHOOK_TABLES.laneOrder)}`,
          `CREATE TABLE IF NOT EXISTS ${t(WEBHOOK_TABLES.deliveries)} (
             id uuid PRIMARY KEY,
             seq bigserial NOT NULL UNIQUE,
             subscription_id uuid NOT NULL REFERENCES ${t(WEBHOOK_TABLES.subscriptions)} (id) ON DELETE CASCADE,
             event_id text NOT NULL,
             event_type text NOT NULL,
             position bigint NOT NULL,
             partnership_id text,
             lane text NOT NULL,
             generation integer NOT NULL DEFAULT 0,
             lane_order bigint NOT NULL DEFAULT nextval('${t(WEBHOOK_TABLES.laneOrder)}'),
             status text NOT NULL CHECK (status IN ('pending','delivered','dead_lettered','cancelled')),
             attempts integer NOT NULL DEFAULT 0,
             redrives integer NOT NULL DEFAULT 0,
             last_attempt_at timestamptz,
             last_status_code integer,
             last_error text,
             delivered_at timestamptz,
             dead_lettered_at timestamptz,
             created_at timestamptz NOT NULL DEFAULT now(),
             UNIQUE (subscription_id, event_id, generation))`,
          `CREATE INDEX IF NOT EXISTS webhook_deliveries_lanes ON ${t(WEBHOOK_TABLES.deliveries)} (subscription_id, lane, lane_order) WHERE status = 'pending'`,
          `CREATE INDEX IF NOT EXISTS webhook_deliveries_by_subscription ON ${t(WEBHOOK_TABLES.deliveries)} (subscription_id, seq)`,
          `CREATE TABLE IF NOT EXISTS ${t(WEBHOOK_TABLES.attempts)} (
             delivery_id uuid NOT NULL REFERENCES ${t(WEBHOOK_TABLES.deliveries)} (id) ON DELETE CASCADE,
             attempt integer NOT NULL,
             attempted_at timestamptz NOT NULL,
             status_code integer,
             latency_ms integer NOT NULL,
             error text,
             response_body text,
             PRIMARY KEY (delivery_id, attempt))`,
        ],
      },
      {
        // GET /metrics counts dead letters on every scrape.
        id: '002-dead-letter-index',
        statements: [`CREATE INDEX IF NOT EXISTS webhook_deliveries_dead_lettered ON ${t(WEBHOOK_TABLES.deliveries)} (subscription_id) WHERE status = 'dead_lettered'`],
      },
    ],
  });
}
