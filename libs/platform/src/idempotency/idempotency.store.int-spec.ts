import { randomUUID } from 'node:crypto';
import { SQL_BACKENDS, type SqlBackend } from '../testing/sql-backends';
import { IdempotencyStore, type IdempotencyClaim, type StoredResponse } from './idempotency.store';

const SCOPE = 'POST /partnerships';
const HASH = 'a'.repeat(64);
const OTHER_HASH = 'b'.repeat(64);
const RESPONSE: StoredResponse = {
  status: 201,
  headers: { Location: '/partnerships/p-1', ETag: '"1"' },
  body: { partnershipId: 'p-1', revision: 1, events: [{ type: 'PartnershipProposed' }], note: 'ünïcode ✓' },
};
const PLAN = { streamId: 'partnership-p-1', eventIds: ['0190a8b2-7c3e-7000-8000-000000000001', '0190a8b2-7c3e-7000-8000-000000000002'] };

/** A key no other test uses. */
const newKey = (): string => randomUUID();

describe.each(SQL_BACKENDS)('IdempotencyStore on %s', (_name, open) => {
  let backend: SqlBackend;
  let schema: string;
  /** The production lock (30 s): a pending claim stays "in progress" for the whole test. */
  let store: IdempotencyStore;
  /** A lock that is stale as soon as it is taken: the owner "died" at once. */
  let staleStore: IdempotencyStore;

  const table = () => `${schema}.idempotency_keys`;
  const expire = (key: string) => backend.sql.query(`UPDATE ${table()} SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
  const countRows = async (key: string) =>
    (await backend.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table()} WHERE key = $1`, [key])).rows[0]!.n;

  beforeAll(async () => {
    backend = await open();
    schema = backend.schema('idem');
    store = new IdempotencyStore(backend.sql, schema, { ttlHours: 24 });
    staleStore = new IdempotencyStore(backend.sql, schema, { ttlHours: 24, lockSeconds: 0 });
    await store.migrate();
  }, 30_000);

  afterAll(async () => {
    await backend?.close();
  }, 30_000);

  it('migrates idempotently', async () => {
    await store.migrate();
    await staleStore.migrate();
    const { rows } = await backend.sql.query<{ id: string }>(`SELECT id FROM ${schema}.schema_migrations WHERE component = 'idempotency'`);
    expect(rows).toEqual([{ id: '001-idempotency-keys' }]);
  });

  it('claims a new key, reports it in progress, then replays the stored response', async () => {
    const key = newKey();
    expect(await store.claim(SCOPE, key, HASH)).toEqual({ kind: 'new' });
    expect(await store.claim(SCOPE, key, HASH)).toEqual({ kind: 'in_progress' });
    await store.complete(SCOPE, key, RESPONSE);
    expect(await store.claim(SCOPE, key, HASH)).toEqual({ kind: 'replay', response: RESPONSE });
    expect(await store.claim(SCOPE, key, HASH)).toEqual({ kind: 'replay', response: RESPONSE });
  });

  it('refuses the same key with another request, pending or completed', async () => {
    const key = newKey();
    await store.claim(SCOPE, key, HASH);
    expect(await store.claim(SCOPE, key, OTHER_HASH)).toEqual({ kind: 'mismatch' });
    await store.complete(SCOPE, key, RESPONSE);
    expect(await store.claim(SCOPE, key, OTHER_HASH)).toEqual({ kind: 'mismatch' });
  });

  it('keeps scopes apart', async () => {
    const key = newKey();
    expect(await store.claim('org-1', key, HASH)).toEqual({ kind: 'new' });
    expect(await store.claim('org-2', key, OTHER_HASH)).toEqual({ kind: 'new' });
    await store.complete('org-1', key, RESPONSE);
    expect(await store.claim('org-2', key, OTHER_HASH)).toEqual({ kind: 'in_progress' });
    expect(await store.claim('org-1', key, HASH)).toEqual({ kind: 'replay', response: RESPONSE });
  });

  describe('a stale pending claim (its owner died)', () => {
    it('is taken over as new when nothing was planned', async () => {
      const key = newKey();
      expect(await staleStore.claim(SCOPE, key, HASH)).toEqual({ kind: 'new' });
      expect(await store.claim(SCOPE, key, HASH)).toEqual({ kind: 'new' });
      // Taking it over renewed the lock (30 s): the new owner is now in progress.
      expect(await store.claim(SCOPE, key, HASH)).toEqual({ kind: 'in_progress' });
    });

    it('is taken over for recovery when the append was planned', async () => {
      const key = newKey();
      await staleStore.claim(SCOPE, key, HASH);
      await staleStore.plan(SCOPE, key, PLAN);
      expect(await store.claim(SCOPE, key, HASH)).toEqual({ kind: 'recover', plan: PLAN });
      expect(await store.claim(SCOPE, key, HASH)).toEqual({ kind: 'in_progress' });
    });

    it('still refuses another request', async () => {
      const key = newKey();
      await staleStore.claim(SCOPE, key, HASH);
      expect(await staleStore.claim(SCOPE, key, OTHER_HASH)).toEqual({ kind: 'mismatch' });
    });

    it('is not taken over while its lock holds', async () => {
      const key = newKey();
      await store.claim(SCOPE, key, HASH);
      await store.plan(SCOPE, key, PLAN);
      expect(await staleStore.claim(SCOPE, key, HASH)).toEqual({ kind: 'in_progress' });
    });

    it('goes to exactly one of several concurrent claimers (compare-and-set on the lock)', async () => {
      // Separate pools on PostgreSQL, as separate API replicas would have.
      const claimers = [1, 2, 3, 4].map(() => new IdempotencyStore(backend.peer() ?? backend.sql, schema, { ttlHours: 24 }));
      for (let round = 0; round < 5; round++) {
        const key = newKey();
        await store.claim(SCOPE, key, HASH);
        await store.plan(SCOPE, key, PLAN);
        await backend.sql.query(`UPDATE ${table()} SET locked_until = now() - interval '1 second' WHERE key = $1`, [key]);
        const claims = await Promise.all(claimers.map((c) => c.claim(SCOPE, key, HASH)));
        const winners = claims.filter((c: IdempotencyClaim) => c.kind === 'recover');
        expect(winners).toEqual([{ kind: 'recover', plan: PLAN }]);
        expect(claims.filter((c) => c.kind === 'in_progress')).toHaveLength(3);
      }
    });
  });

  describe('release', () => {
    it('forgets a pending claim so that a retry runs again', async () => {
      const key = newKey();
      await store.claim(SCOPE, key, HASH);
      await store.release(SCOPE, key);
      expect(await countRows(key)).toBe(0);
      expect(await store.claim(SCOPE, key, OTHER_HASH)).toEqual({ kind: 'new' });
    });

    it('never forgets a completed response', async () => {
      const key = newKey();
      await store.claim(SCOPE, key, HASH);
      await store.complete(SCOPE, key, RESPONSE);
      await store.release(SCOPE, key);
      expect(await store.claim(SCOPE, key, HASH)).toEqual({ kind: 'replay', response: RESPONSE });
    });

    it('is a no-op for an unknown key', async () => {
      await expect(store.release(SCOPE, newKey())).resolves.toBeUndefined();
    });
  });

  describe('expiry', () => {
    it('sets expires_at ttlHours ahead', async () => {
      const key = newKey();
      await store.claim(SCOPE, key, HASH);
      const { rows } = await backend.sql.query<{ hours: number }>(
        `SELECT round(extract(epoch FROM expires_at - created_at) / 3600)::int AS hours FROM ${table()} WHERE key = $1`,
        [key],
      );
      expect(rows[0]!.hours).toBe(24);
    });

    it('treats an expired record as new, whatever it held', async () => {
      const completed = newKey();
      await store.claim(SCOPE, completed, HASH);
      await store.complete(SCOPE, completed, RESPONSE);
      await expire(completed);
      expect(await store.claim(SCOPE, completed, OTHER_HASH)).toEqual({ kind: 'new' });

      const pending = newKey();
      await store.claim(SCOPE, pending, HASH);
      await expire(pending);
      expect(await store.claim(SCOPE, pending, HASH)).toEqual({ kind: 'new' });
      expect(await store.claim(SCOPE, pending, HASH)).toEqual({ kind: 'in_progress' });
    });

    it('purges expired records and returns how many', async () => {
      const purgeSchema = backend.schema('idem');
      const purging = new IdempotencyStore(backend.sql, purgeSchema, { ttlHours: 1 });
      await purging.migrate();
      const [a, b, live] = [newKey(), newKey(), newKey()];
      for (const key of [a, b, live]) await purging.claim(SCOPE, key, HASH);
      await purging.complete(SCOPE, a, RESPONSE);
      await backend.sql.query(`UPDATE ${purgeSchema}.idempotency_keys SET expires_at = now() - interval '1 second' WHERE key IN ($1, $2)`, [a, b]);
      expect(await purging.purgeExpired()).toBe(2);
      expect(await purging.purgeExpired()).toBe(0);
      const { rows } = await backend.sql.query<{ key: string }>(`SELECT key FROM ${purgeSchema}.idempotency_keys`);
      expect(rows).toEqual([{ key: live }]);
    });
  });
});
