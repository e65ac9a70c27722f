'use strict';
/**
 * The things the append scenarios compare, behind one small interface so every subject runs the very
 * same writer loops (bench/lib/append-workloads.js):
 *
 *   append(streamId, event, expected) → the stream's new head revision
 *   readHead(streamId, lastSeen)      → head revision, -1 when the stream does not exist
 *   isConflict(error)                 → true for "the stream is not at the expected revision"
 *   stats()                           → subject-specific diagnostics (e.g. appends per commit)
 *   close()
 *
 * Revisions are Trellis's convention throughout: 0-based, -1 = no stream, always exact.
 * Each subject lives in its own schema (created and dropped by the parent process) and opens its
 * own pool of `poolSize` connections, named `applicationName` (so that its server processes can be
 * found for the CPU accounting). Subjects run in separate child processes: Emmett's driver (dumbo)
 * installs global `pg` type parsers, which must not leak into the other subjects.
 */
const path = require('node:path');
const { Pool } = require('pg');

const { lib } = require('./build');

const BUILD = lib('event-store');
const HEX64 = 'f'.repeat(64);

/** Trellis: the real PostgreSQL adapter (compiled from libs/event-store into bench/.build/). */
async function openTrellis({ url, schema, poolSize, applicationName }) {
  const { createPostgresEventStore, WrongExpectedRevisionError } = require(BUILD);
  const store = await createPostgresEventStore({
    connectionString: url,
    schema,
    poolSize,
    applicationName,
  });
  // Diagnostics only: count the group commits (calls of append_batch) the batcher makes.
  const batches = { calls: 0, appends: 0 };
  if (typeof store.executeBatch === 'function') {
    const original = store.executeBatch;
    store.executeBatch = function countedBatch(items) {
      batches.calls += 1;
      batches.appends += items.length;
      return original.call(this, items);
    };
  }
  return {
    async append(streamId, event, expected) {
      const result = await store.append(streamId, [event], {
        expectedRevision: expected < 0 ? 'no_stream' : BigInt(expected),
      });
      return Number(result.nextExpectedRevision);
    },
    async readHead(streamId) {
      const head = await store.streamHead(streamId);
      return head === null ? -1 : Number(head.revision);
    },
    isConflict: (error) => error instanceof WrongExpectedRevisionError,
    resetStats() {
      batches.calls = 0;
      batches.appends = 0;
    },
    stats: () => ({ commits: batches.calls, appendsPerCommit: batches.calls ? batches.appends / batches.calls : null }),
    close: () => store.close(),
  };
}

/**
 * Emmett 0.42 (`@event-driven-io/emmett-postgresql`) on the same database and pool size. Emmett has
 * no schema option; its tables are unqualified, so the pool's search_path puts them in the fresh
 * schema. Versions are 1-based (version = number of events), hence the ±1.
 */
async function openEmmett({ url, schema, poolSize, applicationName }) {
  const { getPostgreSQLEventStore } = require('@event-driven-io/emmett-postgresql');
  // emmett-postgresql bundles its own copy of the error classes: test by error code, not instanceof.
  const { isExpectedVersionConflictError } = require('@event-driven-io/emmett');
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    application_name: applicationName,
    options: `-c search_path=${schema}`,
  });
  const store = getPostgreSQLEventStore(url, {
    connectionOptions: { pool },
    schema: { autoMigration: 'CreateOrUpdate' },
  });
  await store.schema.migrate();
  return {
    async append(streamId, event, expected) {
      const result = await store.appendToStream(
        streamId,
        // messageId: store the client-chosen event id, as the other subjects do.
        [{ type: event.type, data: event.data, metadata: { ...event.metadata, messageId: event.eventId } }],
        { expectedStreamVersion: BigInt(expected + 1) },
      );
      return Number(result.nextExpectedStreamVersion) - 1;
    },
    /**
     * Emmett has no "stream head" call; the cheapest public way to learn the current version is
     * readStream from the last version this writer saw (it returns that event and any newer ones).
     */
    async readHead(streamId, lastSeen) {
      const result = await store.readStream(streamId, lastSeen >= 0 ? { from: BigInt(lastSeen + 1) } : undefined);
      return result.streamExists ? Number(result.currentStreamVersion) - 1 : -1;
    },
    isConflict: (error) => isExpectedVersionConflictError(error),
    resetStats() {},
    stats: () => ({ commits: null, appendsPerCommit: 1 }),
    async close() {
      await store.close();
      if (!pool.ended) await pool.end();
    },
  };
}

/** The same columns and indexes as Trellis's events table (sql-event-store.schema.ts). */
function rawTableDdl(schema) {
  return [
    `CREATE TABLE ${schema}.events (
       position       bigserial PRIMARY KEY,
       stream_id      text   NOT NULL,
       revision       bigint NOT NULL,
       event_id       uuid   NOT NULL,
       type           text   NOT NULL,
       schema_version int    NOT NULL,
       data           jsonb  NOT NULL,
       metadata       jsonb  NOT NULL,
       CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
     )`,
    `CREATE UNIQUE INDEX events_event_id_key ON ${schema}.events (event_id)`,
    `CREATE INDEX events_type_position_idx ON ${schema}.events (type, position)`,
  ];
}

/** The row Trellis would store: metadata carries a 64-hex prevHash and hash (not computed here). */
function rawRow(streamId, revision, event) {
  return [
    streamId,
    revision,
    event.eventId,
    event.type,
    event.schemaVersion,
    JSON.stringify(event.data),
    JSON.stringify({ ...event.metadata, prevHash: HEX64, hash: HEX64 }),
  ];
}

async function openRawPool({ url, schema, poolSize, applicationName }) {
  const pool = new Pool({ connectionString: url, max: poolSize, application_name: applicationName });
  for (const statement of rawTableDdl(schema)) await pool.query(statement);
  return pool;
}

/**
 * `pool.query` would destroy the connection on ANY error, so every unique violation (a lost race
 * on the hot stream) would cost a new connection; check out and release explicitly instead.
 */
async function run(pool, query) {
  const client = await pool.connect();
  try {
    return await client.query(query);
  } finally {
    client.release();
  }
}

/**
 * The ceiling DESIGN.md §11 names: each append is one autocommit INSERT (one statement, one
 * transaction, one commit) of the same row, on the same number of connections. Prepared once per
 * connection, so the database does as little as it possibly can per append. The unique
 * (stream_id, revision) index is the optimistic-concurrency check.
 */
async function openRaw(options) {
  const pool = await openRawPool(options);
  const { schema } = options;
  const insert = {
    name: `raw_insert_${schema}`,
    text: `INSERT INTO ${schema}.events (stream_id, revision, event_id, type, schema_version, data, metadata)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
  };
  const head = {
    name: `raw_head_${schema}`,
    text: `SELECT max(revision)::text AS revision FROM ${schema}.events WHERE stream_id = $1`,
  };
  return {
    async append(streamId, event, expected) {
      await run(pool, { ...insert, values: rawRow(streamId, expected + 1, event) });
      return expected + 1;
    },
    async readHead(streamId) {
      const { rows } = await run(pool, { ...head, values: [streamId] });
      return rows[0].revision === null ? -1 : Number(rows[0].revision);
    },
    isConflict: (error) => error?.code === '23505',
    resetStats() {},
    stats: () => ({ commits: null, appendsPerCommit: 1 }),
    close: () => pool.end(),
  };
}

/**
 * Informative, not the ceiling: what group commit can reach at best. Appends submitted while a
 * batch is in flight are written together by ONE multi-row INSERT (one commit), exactly the batching
 * policy of Trellis's AppendBatcher (one batch in flight, up to 128 appends), without the append
 * lock, the head checks, the hash chain or the JSON round trip of append_batch. A failing row fails
 * its whole batch, so this subject only makes sense without conflicts (distinct streams).
 */
async function openRawBatched(options) {
  const pool = await openRawPool(options);
  const { schema } = options;
  const insert = {
    name: `raw_batch_${schema}`,
    text: `INSERT INTO ${schema}.events (stream_id, revision, event_id, type, schema_version, data, metadata)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[])`,
  };
  const MAX_BATCH = 128;
  let queue = [];
  let inFlight = false;
  let scheduled = false;
  const batches = { calls: 0, appends: 0 };

  const pump = () => {
    scheduled = false;
    if (inFlight || queue.length === 0) return;
    const batch = queue.slice(0, MAX_BATCH);
    queue = queue.slice(MAX_BATCH);
    inFlight = true;
    batches.calls += 1;
    batches.appends += batch.length;
    const columns = Array.from({ length: 7 }, (_, c) => batch.map((p) => p.row[c]));
    run(pool, { ...insert, values: columns }).then(
      () => batch.forEach((p) => p.resolve()),
      (error) => batch.forEach((p) => p.reject(error)),
    ).finally(() => {
      inFlight = false;
      schedule();
    });
  };
  const schedule = () => {
    if (scheduled || inFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(pump);
  };

  return {
    append(streamId, event, expected) {
      return new Promise((resolve, reject) => {
        queue.push({ row: rawRow(streamId, expected + 1, event), resolve: () => resolve(expected + 1), reject });
        schedule();
      });
    },
    async readHead() {
      throw new Error('raw-batched is only defined for conflict-free workloads');
    },
    isConflict: () => false,
    resetStats() {
      batches.calls = 0;
      batches.appends = 0;
    },
    stats: () => ({ commits: batches.calls, appendsPerCommit: batches.calls ? batches.appends / batches.calls : null }),
    close: () => pool.end(),
  };
}

const SUBJECTS = {
  trellis: { label: 'Trellis (PostgreSQL adapter)', role: 'subject', open: openTrellis },
  emmett: { label: 'Emmett 0.42 (emmett-postgresql)', role: 'reference', open: openEmmett },
  raw: { label: 'raw INSERT, 1 commit per append', role: 'ceiling', open: openRaw },
  'raw-batched': { label: 'raw multi-row INSERT, group commit (info)', role: 'info', open: openRawBatched },
};

module.exports = { SUBJECTS, rawTableDdl };
