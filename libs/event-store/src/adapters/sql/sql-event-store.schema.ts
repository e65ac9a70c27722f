/**
 * Tables and the append function of the SQL event store (PostgreSQL and embedded PGlite alike).
 *
 * Why `$all` readers can never skip an event (DESIGN.md §3, guarantee 5)
 * ---------------------------------------------------------------------
 * The classic trap: positions come from a sequence, a transaction takes position 11 and commits
 * after one that took 12; a reader that already saw 12 and then asks for `position > 12` never
 * sees 11. Here positions are not taken from a sequence. Every append goes through
 * `append_batch`, which first takes ONE transaction-scoped advisory lock (per schema) and only then
 * reads `max(position)` and inserts `max+1, max+2, …`. The lock is held until the transaction ends,
 * and PostgreSQL makes a committing transaction visible to new snapshots (ProcArrayEndTransaction)
 * BEFORE it releases its locks. So the next appender can only read `max(position)` — with a fresh
 * READ COMMITTED snapshot taken after acquiring the lock — once the previous batch is visible, and
 * commit order equals position order. Any snapshot therefore sees a gap-free prefix 1..k of the
 * positions: a reader asking for `position > checkpoint` can never miss a position that commits
 * later. Positions are even gapless (a rolled-back batch never consumed any). This replaces the
 * `pg_snapshot_xmin` / `(transactionId, position)` checkpoint method and keeps checkpoints a single
 * bigint.
 *
 * The price is that appends are serialised; the adapter pays it once per *batch* (group commit, see
 * append-batcher.ts), so one commit and one fsync carry many appends.
 *
 * `append_batch` MUST run in READ COMMITTED, as its own autocommit statement: under REPEATABLE READ
 * the snapshot predates the lock and `max(position)` could be stale. It refuses other levels.
 */
import { advisoryLockKey, assertSqlIdentifier } from '../../sql/sql-client';
import type { SqlMigration } from '../../sql/sql-migrations';

export const EVENT_STORE_COMPONENT = 'event-store';

/** The NOTIFY channel carrying the last appended position after each committed batch. */
export const eventsChannel = (schema: string): string => `${assertSqlIdentifier(schema, 'schema')}_events`;

export function eventStoreMigrations(schema: string): SqlMigration[] {
  const s = assertSqlIdentifier(schema, 'schema');
  const appendLock = advisoryLockKey('trellis:event-store:append', s).toString();
  return [
    {
      id: '001-events',
      statements: [
        `CREATE TABLE IF NOT EXISTS ${s}.events (
           position       bigint PRIMARY KEY,
           stream_id      text   NOT NULL,
           revision       bigint NOT NULL,
           event_id       uuid   NOT NULL,
           type           text   NOT NULL,
           schema_version int    NOT NULL,
           data           jsonb  NOT NULL,
           metadata       jsonb  NOT NULL,
           CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
         )`,
        `CREATE UNIQUE INDEX IF NOT EXISTS events_event_id_key ON ${s}.events (event_id)`,
        // readAll / subscriptions filtered by event type walk this index in position order.
        `CREATE INDEX IF NOT EXISTS events_type_position_idx ON ${s}.events (type, position)`,
        appendBatchFunction(s, appendLock),
      ],
    },
  ];
}

/**
 * `append_batch(batch jsonb) → jsonb`: one call appends many independent appends, each atomically
 * on its own (an append that is refused writes nothing and does not affect the others).
 *
 * Input, one element per append:
 *   {stream, expected: "<revision or -1>", prevHash: "<hex>" | null, assumed: bool,
 *    events: [{id, type, schemaVersion, data, metadata}]}   -- metadata already carries prevHash/hash
 * `prevHash` is the hash the caller believes the event at `expected` has; null when it does not
 * know it; `assumed` when it was inferred from an earlier append of the same batch (which may fail).
 * Precondition (the batcher ensures it): no event id appears in two appends of one batch. If it
 * did, the final INSERT fails on the unique index, nothing is written, and the caller retries the
 * appends one by one.
 *
 * Output, one element per append, in order:
 *   {status: "ok", firstPosition}                  revisions are expected+1…, positions first…
 *   {status: "duplicate", revisions[], positions[]} every event id already stored exactly so
 *   {status: "id_conflict", ids[]}                 some ids are stored, but not as this append
 *   {status: "conflict", actual, actualHash}       the stream is not at `expected`
 *   {status: "stale", actual, actualHash}          at `expected`, but prevHash unknown/assumed wrong
 *   {status: "integrity", actual, actualHash}      at `expected`, but its stored hash differs
 * Bigints travel as strings (JSON numbers lose precision beyond 2^53).
 *
 * Set-based where it matters for group commit: one index probe for "is any id of the batch
 * already stored" (almost never), one lookup of every stream head, then a loop of in-memory
 * decisions and a single INSERT for all accepted events — so the lock is held for as short a time
 * as possible.
 */
function appendBatchFunction(s: string, lockKey: string): string {
  return `CREATE OR REPLACE FUNCTION ${s}.append_batch(batch jsonb) RETURNS jsonb
LANGUAGE plpgsql
-- Every lookup below must use an index. PL/pgSQL caches its plans per session, and a plan made
-- while the table was small (a sequential scan) would otherwise be kept as the table grows.
SET enable_seqscan = off
AS $fn$
DECLARE
  item jsonb;
  idx int := -1;
  n int;
  last_position bigint;
  expected bigint;
  heads jsonb;
  head jsonb;
  head_revision bigint;
  head_hash text;
  any_stored boolean;
  ids uuid[];
  found_count bigint;
  exact_duplicate boolean;
  dup_revisions jsonb;
  dup_positions jsonb;
  accepted_index int[] := '{}';
  accepted_first bigint[] := '{}';
  accepted_expected bigint[] := '{}';
  results jsonb[] := '{}';
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'append_batch must run in READ COMMITTED, not %', current_setting('transaction_isolation');
  END IF;
  -- Serialises appends until commit; see the comment at the top of sql-event-store.schema.ts.
  PERFORM pg_advisory_xact_lock(${lockKey});
  SELECT coalesce(max(position), 0) INTO last_position FROM ${s}.events;

  -- Is any event id of the batch already stored? Only on retries; then each append is checked.
  SELECT EXISTS (
    SELECT 1 FROM ${s}.events ev WHERE ev.event_id = ANY (ARRAY(
      SELECT (e->>'id')::uuid FROM jsonb_array_elements(batch) AS a, jsonb_array_elements(a->'events') AS e)))
    INTO any_stored;

  -- The head (revision, hash) of every stream of the batch; streams without events are absent.
  SELECT coalesce(jsonb_object_agg(st.stream_id, jsonb_build_array(h.revision::text, h.hash)), '{}'::jsonb)
    INTO heads
    FROM (SELECT DISTINCT a->>'stream' AS stream_id FROM jsonb_array_elements(batch) AS a) st
    CROSS JOIN LATERAL (
      SELECT ev.revision, ev.metadata->>'hash' AS hash FROM ${s}.events ev
       WHERE ev.stream_id = st.stream_id ORDER BY ev.revision DESC LIMIT 1) h;

  FOR item IN SELECT value FROM jsonb_array_elements(batch) LOOP
    idx := idx + 1;
    n := jsonb_array_length(item->'events');

    -- (a) Idempotency: the same event ids, in this stream, at contiguous revisions, same order.
    IF any_stored THEN
      ids := ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements(item->'events') AS e);
      SELECT count(*),
             coalesce(bool_and(ev.stream_id = item->>'stream'), false)
               AND count(DISTINCT ev.revision - x.ord) = 1,
             jsonb_agg(ev.revision::text ORDER BY x.ord),
             jsonb_agg(ev.position::text ORDER BY x.ord)
        INTO found_count, exact_duplicate, dup_revisions, dup_positions
        FROM unnest(ids) WITH ORDINALITY AS x(id, ord)
        JOIN ${s}.events ev ON ev.event_id = x.id;
      IF found_count > 0 THEN
        IF found_count = n AND exact_duplicate THEN
          results := array_append(results, jsonb_build_object(
            'status', 'duplicate', 'revisions', dup_revisions, 'positions', dup_positions));
        ELSE
          results := array_append(results, jsonb_build_object('status', 'id_conflict', 'ids',
            (SELECT jsonb_agg(ev.event_id::text) FROM ${s}.events ev WHERE ev.event_id = ANY(ids))));
        END IF;
        CONTINUE;
      END IF;
    END IF;

    -- (b) Optimistic concurrency and chain continuity against the stream head.
    expected := (item->>'expected')::bigint;
    head := heads->(item->>'stream');
    IF head IS NULL THEN
      head_revision := -1;
      head_hash := repeat('0', 64);
    ELSE
      head_revision := (head->>0)::bigint;
      head_hash := head->>1;
    END IF;
    IF head_revision <> expected THEN
      results := array_append(results, jsonb_build_object(
        'status', 'conflict', 'actual', head_revision::text, 'actualHash', head_hash));
      CONTINUE;
    END IF;
    IF item->>'prevHash' IS NULL
       OR (head_hash IS DISTINCT FROM item->>'prevHash' AND coalesce((item->>'assumed')::boolean, false)) THEN
      results := array_append(results, jsonb_build_object(
        'status', 'stale', 'actual', head_revision::text, 'actualHash', head_hash));
      CONTINUE;
    END IF;
    IF head_hash IS DISTINCT FROM item->>'prevHash' THEN
      results := array_append(results, jsonb_build_object(
        'status', 'integrity', 'actual', head_revision::text, 'actualHash', head_hash));
      CONTINUE;
    END IF;

    -- (c) Accept at the next positions; later appends of the batch see the new head.
    accepted_index := array_append(accepted_index, idx);
    accepted_first := array_append(accepted_first, last_position + 1);
    accepted_expected := array_append(accepted_expected, expected);
    results := array_append(results, jsonb_build_object('status', 'ok', 'firstPosition', (last_position + 1)::text));
    last_position := last_position + n;
    heads := jsonb_set(heads, ARRAY[item->>'stream'],
      jsonb_build_array((expected + n)::text, item->'events'->(n - 1)->'metadata'->>'hash'));
  END LOOP;

  IF cardinality(accepted_index) > 0 THEN
    INSERT INTO ${s}.events (position, stream_id, revision, event_id, type, schema_version, data, metadata)
    SELECT a.first_position + x.ord - 1, it.item->>'stream', a.expected + x.ord, (x.e->>'id')::uuid,
           x.e->>'type', (x.e->>'schemaVersion')::int, x.e->'data', x.e->'metadata'
      FROM unnest(accepted_index, accepted_first, accepted_expected) AS a(idx, first_position, expected)
      CROSS JOIN LATERAL (SELECT batch->a.idx AS item) it
      CROSS JOIN LATERAL jsonb_array_elements(it.item->'events') WITH ORDINALITY AS x(e, ord);
    PERFORM pg_notify('${s}_events', last_position::text);
  END IF;
  RETURN to_jsonb(results);
END
$fn$`;
}
