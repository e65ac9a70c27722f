/**
 * The embedded adapter (PGlite in memory) against the shared contract, plus what is specific to
 * it. One PGlite instance for the whole file: starting one takes seconds.
 */
import { v7 as uuidv7 } from 'uuid';
import { describeEventStoreContract } from '../testing';
import type { EventStore } from '../core/event-store.port';
import { PgliteSqlClient } from '../sql/pglite.sql-client';
import { createEmbeddedEventStore } from './embedded.event-store';
import { createSqlEventStore, type SqlEventStore } from './sql/sql-event-store';

let shared: Promise<PgliteSqlClient> | undefined;
const pglite = () => (shared ??= PgliteSqlClient.create());

afterAll(async () => {
  await (await shared)?.close();
}, 30_000);

describeEventStoreContract(
  'embedded (PGlite, in memory)',
  async ({ upcasters, pageSize, pollIntervalMs }) => {
    const sql = await pglite();
    const options = { sql, schema: 'contract', upcasters, pageSize, pollIntervalMs };
    const store = await createEmbeddedEventStore(options);
    // A second store over the same database: another "process" for the concurrency test.
    const peer = await createEmbeddedEventStore(options);
    return {
      store,
      peers: [peer],
      async tamperEventData(streamId, revision, data) {
        await sql.query(`UPDATE contract.events SET data = $3::jsonb WHERE stream_id = $1 AND revision = $2::bigint`, [
          streamId,
          revision.toString(),
          JSON.stringify(data),
        ]);
      },
      async teardown() {
        await store.close();
        await peer.close();
      },
    };
  },
  { tampering: true },
);

describe('embedded event store', () => {
  const event = () => ({ eventId: uuidv7(), type: 'Embedded', schemaVersion: 1, data: {}, metadata: {} });

  it('keeps schemas apart, re-runs its migrations idempotently, and wakes on NOTIFY from another store', async () => {
    const sql = await pglite();
    const a: SqlEventStore = await createSqlEventStore({ sql, schema: 'embedded_a', pollIntervalMs: 60_000 });
    const again: EventStore = await createSqlEventStore({ sql, schema: 'embedded_a' });
    const b = await createSqlEventStore({ sql, schema: 'embedded_b' });
    try {
      await again.append('s-1', [event()], { expectedRevision: 'no_stream' });
      expect(await b.headPosition()).toBe(0n);
      expect(await a.headPosition()).toBe(1n);

      // `a` did not append, so only the database notification can wake it before its 60 s poll.
      const subscription = a.subscribeAll({ after: 1n });
      const iterator = subscription[Symbol.asyncIterator]();
      const next = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const appended = await again.append('s-1', [event()], { expectedRevision: 0n });
      const received = await next;
      expect(received.value?.eventId).toBe(appended.events[0]!.eventId);
      await subscription.close();
    } finally {
      await Promise.all([a.close(), again.close(), b.close()]);
    }
  });

  it('refuses an invalid schema name', async () => {
    const sql = await pglite();
    await expect(createSqlEventStore({ sql, schema: 'Robert"; DROP TABLE x; --' })).rejects.toThrow(/Invalid SQL schema/);
  });
});
