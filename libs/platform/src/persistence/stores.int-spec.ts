import { v7 as uuidv7 } from 'uuid';
import { EventStoreUnavailableError, type EventStore, type RecordedEvent, type Upcaster } from '@trellis/event-store';
import { loadConfig } from '../config/trellis-config';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/sql-backends';
import { openStores, type Stores } from './stores';

/** Turns `Greeted` v1 `{name}` into v2 `{name, polite}`: proves the upcasters reach the event store. */
const UPCASTERS: readonly Upcaster[] = [{ type: 'Greeted', fromVersion: 1, upcast: (data) => ({ ...data, polite: true }) }];

async function appendAndRead(store: EventStore, schema: string, stores: Stores): Promise<RecordedEvent[]> {
  const streamId = `greeting-${uuidv7()}`;
  await store.append(streamId, [{ eventId: uuidv7(), type: 'Greeted', schemaVersion: 1, data: { name: 'Ada' }, metadata: {} }], {
    expectedRevision: 'no_stream',
  });
  const events: RecordedEvent[] = [];
  for await (const e of store.readStream(streamId)) events.push(e);
  // The read store's client sees the schema the event store migrated.
  await expect(stores.sql.query(`SELECT 1 FROM ${schema}.schema_migrations LIMIT 1`)).resolves.toBeDefined();
  return events;
}

describe('openStores', () => {
  it('with EVENT_STORE=esdb and no server answering, stops with a message that says what to do', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const config = loadConfig({ EVENT_STORE: 'esdb', EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false', DATABASE_URL: TEST_DATABASE_URL });
    const failure = openStores(config);
    await expect(failure).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(failure).rejects.toThrow(/^EventStoreDB at esdb:\/\/127\.0\.0\.1:1\?tls=false is unreachable .*EVENT_STORE=postgres or embedded\.$/s);
  }, 60_000);

  it('on PostgreSQL, puts the event log and the read store in DB_SCHEMA', async () => {
    const schema = uniqueSchema('stores');
    const config = loadConfig({ EVENT_STORE: 'postgres', DATABASE_URL: TEST_DATABASE_URL, DB_SCHEMA: schema, DATABASE_POOL_SIZE: '2' });
    const stores = await openStores(config, { upcasters: UPCASTERS });
    try {
      expect(stores.sql.kind).toBe('postgres');
      const events = await appendAndRead(stores.eventStore, schema, stores);
      expect(events).toEqual([expect.objectContaining({ type: 'Greeted', schemaVersion: 2, data: { name: 'Ada', polite: true } })]);
      const { rows } = await stores.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.events`);
      expect(rows[0]!.n).toBe(1);
    } finally {
      await stores.sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await stores.close();
    }
    await expect(stores.sql.query('SELECT 1')).rejects.toThrow();
  });

  it('with DATA_DIR=memory://, keeps both in one in-memory PGlite', async () => {
    const config = loadConfig({ DATA_DIR: 'memory://' });
    const stores = await openStores(config, { upcasters: UPCASTERS });
    try {
      expect(stores.sql.kind).toBe('pglite');
      const events = await appendAndRead(stores.eventStore, config.dbSchema, stores);
      expect(events).toEqual([expect.objectContaining({ schemaVersion: 2, data: { name: 'Ada', polite: true } })]);
      const { rows } = await stores.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM trellis.events`);
      expect(rows[0]!.n).toBe(1);
    } finally {
      await stores.close();
    }
    await expect(stores.sql.query('SELECT 1')).rejects.toThrow();
  }, 30_000);
});
