import { createHash } from 'node:crypto';
import { SQL_BACKENDS, type SqlBackend } from '../testing/sql-backends';
import { ApiKeyStore, generateApiKeySecret, hashApiKey } from './api-key.store';

const ADMIN_SECRET = 'bootstrap-admin-secret-0001';
const NEW_ADMIN_SECRET = 'bootstrap-admin-secret-0002';

describe.each(SQL_BACKENDS)('ApiKeyStore on %s', (_name, open) => {
  let backend: SqlBackend;
  let keys: ApiKeyStore;
  let schema: string;

  /** A store on a schema of its own, for tests that need to know every key in it. */
  const freshStore = async (): Promise<ApiKeyStore> => {
    const store = new ApiKeyStore(backend.sql, backend.schema('keys'));
    await store.migrate();
    return store;
  };

  beforeAll(async () => {
    backend = await open();
    schema = backend.schema('keys');
    keys = new ApiKeyStore(backend.sql, schema);
    await keys.migrate();
  }, 30_000);

  afterAll(async () => {
    await backend?.close();
  }, 30_000);

  it('migrates idempotently', async () => {
    await keys.migrate();
    await keys.migrate();
    const { rows } = await backend.sql.query<{ id: string }>(
      `SELECT id FROM ${schema}.schema_migrations WHERE component = 'api-keys'`,
    );
    expect(rows).toEqual([{ id: '001-api-keys' }]);
  });

  describe('create', () => {
    it('returns a trk_ secret once and a record without it', async () => {
      const { record, secret } = await keys.create({ name: 'district integration', role: 'integrator', organizationId: 'org-1' });
      expect(secret).toMatch(/^trk_[A-Za-z0-9_-]{43}$/);
      expect(record).toEqual({
        apiKeyId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/),
        name: 'district integration',
        role: 'integrator',
        organizationId: 'org-1',
        prefix: secret.slice(0, 8),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        bootstrap: false,
      });
      expect(JSON.stringify(record)).not.toContain(secret);
    });

    it('stores only the SHA-256 hash of the secret', async () => {
      const { record, secret } = await keys.create({ name: 'auditor', role: 'auditor' });
      const { rows } = await backend.sql.query<{ key_hash: string; row: string }>(
        `SELECT key_hash, row_to_json(k)::text AS row FROM ${schema}.api_keys k WHERE id = $1`,
        [record.apiKeyId],
      );
      expect(rows[0]!.key_hash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(rows[0]!.key_hash).toBe(hashApiKey(secret));
      const { rows: all } = await backend.sql.query<{ dump: string }>(`SELECT string_agg(row_to_json(k)::text, '\n') AS dump FROM ${schema}.api_keys k`);
      expect(all[0]!.dump).not.toContain(secret);
      expect(all[0]!.dump).not.toContain(secret.slice(8));
    });

    it('refuses an unknown role', async () => {
      await expect(keys.create({ name: 'root', role: 'root' as never })).rejects.toThrow();
    });
  });

  describe('authenticate', () => {
    it('returns the principal of the right secret', async () => {
      const bound = await keys.create({ name: 'member of org-2', role: 'member', organizationId: 'org-2' });
      const unbound = await keys.create({ name: 'ops', role: 'admin' });
      expect(await keys.authenticate(bound.secret)).toEqual({
        apiKeyId: bound.record.apiKeyId,
        name: 'member of org-2',
        role: 'member',
        organizationId: 'org-2',
      });
      expect(await keys.authenticate(unbound.secret)).toEqual({ apiKeyId: unbound.record.apiKeyId, name: 'ops', role: 'admin' });
    });

    it('returns null for a wrong, unknown or short secret', async () => {
      const { secret } = await keys.create({ name: 'member', role: 'member' });
      expect(await keys.authenticate(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
      expect(await keys.authenticate(`${secret}x`)).toBeNull();
      expect(await keys.authenticate(generateApiKeySecret())).toBeNull();
      expect(await keys.authenticate('not-a-trellis-key-but-long-enough')).toBeNull();
      expect(await keys.authenticate('short')).toBeNull();
      expect(await keys.authenticate('trk_')).toBeNull();
      expect(await keys.authenticate('')).toBeNull();
    });

    it('accepts a long secret without the trk_ prefix (an ADMIN_API_KEY of the operator’s choosing)', async () => {
      const { record } = await keys.create({ name: 'chosen', role: 'admin', secret: 'operator-chosen-secret-of-30ch' });
      expect(await keys.authenticate('operator-chosen-secret-of-30ch')).toMatchObject({ apiKeyId: record.apiKeyId });
    });
  });

  describe('revoke', () => {
    it('stops a key at once, and reports false the second time', async () => {
      const { record, secret } = await keys.create({ name: 'leaked', role: 'integrator' });
      expect(await keys.authenticate(secret)).not.toBeNull();
      expect(await keys.revoke(record.apiKeyId)).toBe(true);
      expect(await keys.authenticate(secret)).toBeNull();
      expect(await keys.revoke(record.apiKeyId)).toBe(false);
      const listed = (await keys.list()).find((k) => k.apiKeyId === record.apiKeyId);
      expect(listed?.revokedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    });

    it('reports false for an id that is no key', async () => {
      expect(await keys.revoke('0190a8b2-7c3e-7000-8000-000000000000')).toBe(false);
      expect(await keys.revoke('not-a-uuid')).toBe(false);
    });
  });

  describe('get', () => {
    it('returns one record, active or revoked, and null for no key', async () => {
      const { record } = await keys.create({ name: 'one', role: 'auditor', organizationId: 'org-9' });
      expect(await keys.get(record.apiKeyId)).toEqual(record);
      await keys.revoke(record.apiKeyId);
      expect(await keys.get(record.apiKeyId)).toEqual({ ...record, revokedAt: expect.stringMatching(/^\d{4}-/) });
      expect(await keys.get('0190a8b2-7c3e-7000-8000-000000000000')).toBeNull();
      expect(await keys.get('not-a-uuid')).toBeNull();
    });
  });

  describe('revokeKeepingAnAdmin', () => {
    it('revokes any key but the last active admin key', async () => {
      const store = await freshStore();
      const member = await store.create({ name: 'member', role: 'member' });
      const first = await store.create({ name: 'first admin', role: 'admin' });
      const second = await store.create({ name: 'second admin', role: 'admin' });
      expect(await store.revokeKeepingAnAdmin(member.record.apiKeyId)).toBe('revoked');
      expect(await store.revokeKeepingAnAdmin(member.record.apiKeyId)).toBe('not_found');
      expect(await store.revokeKeepingAnAdmin(first.record.apiKeyId)).toBe('revoked');
      expect(await store.revokeKeepingAnAdmin(second.record.apiKeyId)).toBe('last_admin');
      expect(await store.authenticate(second.secret)).toMatchObject({ role: 'admin' });
      expect(await store.revokeKeepingAnAdmin('not-a-uuid')).toBe('not_found');
    });

    it('never lets two concurrent revocations remove the last two admin keys', async () => {
      const store = await freshStore();
      const admins = await Promise.all(['a', 'b'].map((name) => store.create({ name, role: 'admin' })));
      const outcomes = await Promise.all(admins.map((a) => store.revokeKeepingAnAdmin(a.record.apiKeyId)));
      expect(outcomes.sort()).toEqual(['last_admin', 'revoked']);
      expect((await store.list()).filter((k) => !k.revokedAt)).toHaveLength(1);
    });
  });

  it('lists keys in creation order, revoked ones included, without secrets', async () => {
    const store = await freshStore();
    const created = [];
    for (const name of ['first', 'second', 'third']) created.push(await store.create({ name, role: 'member' }));
    await store.revoke(created[1]!.record.apiKeyId);
    const listed = await store.list();
    expect(listed.map((k) => k.name)).toEqual(['first', 'second', 'third']);
    expect(listed.map((k) => k.revokedAt === undefined)).toEqual([true, false, true]);
    expect(listed[0]).toEqual(created[0]!.record);
    for (const { secret } of created) expect(JSON.stringify(listed)).not.toContain(secret);
  });

  describe('ensureBootstrapAdmin', () => {
    const activeBootstrapKeys = async (store: ApiKeyStore) => (await store.list()).filter((k) => k.bootstrap && !k.revokedAt);

    it('with a secret, creates the admin key once and keeps it across restarts', async () => {
      const store = await freshStore();
      expect(await store.ensureBootstrapAdmin({ secret: ADMIN_SECRET, generateIfMissing: false })).toEqual({});
      expect(await store.ensureBootstrapAdmin({ secret: ADMIN_SECRET, generateIfMissing: false })).toEqual({});
      expect(await store.ensureBootstrapAdmin({ secret: ADMIN_SECRET, generateIfMissing: true })).toEqual({});
      const listed = await store.list();
      expect(listed).toEqual([expect.objectContaining({ role: 'admin', bootstrap: true, name: 'bootstrap admin (ADMIN_API_KEY)' })]);
      expect(await store.authenticate(ADMIN_SECRET)).toMatchObject({ role: 'admin', apiKeyId: listed[0]!.apiKeyId });
    });

    it('with a new secret, revokes the previous bootstrap key; switching back re-activates it', async () => {
      const store = await freshStore();
      const other = await store.create({ name: 'integration', role: 'integrator' });
      await store.ensureBootstrapAdmin({ secret: ADMIN_SECRET, generateIfMissing: false });

      await store.ensureBootstrapAdmin({ secret: NEW_ADMIN_SECRET, generateIfMissing: false });
      expect(await store.authenticate(ADMIN_SECRET)).toBeNull();
      expect(await store.authenticate(NEW_ADMIN_SECRET)).toMatchObject({ role: 'admin' });
      expect(await activeBootstrapKeys(store)).toHaveLength(1);

      // The old secret's row still exists (revoked): going back must not hit the unique hash.
      await store.ensureBootstrapAdmin({ secret: ADMIN_SECRET, generateIfMissing: false });
      expect(await store.authenticate(ADMIN_SECRET)).toMatchObject({ role: 'admin' });
      expect(await store.authenticate(NEW_ADMIN_SECRET)).toBeNull();
      expect(await activeBootstrapKeys(store)).toHaveLength(1);
      expect((await store.list()).filter((k) => k.bootstrap)).toHaveLength(2);

      // Keys that are not the bootstrap key are never touched.
      expect(await store.authenticate(other.secret)).toMatchObject({ role: 'integrator' });
    });

    it('without a secret in development, generates one the first time only', async () => {
      const store = await freshStore();
      const first = await store.ensureBootstrapAdmin({ generateIfMissing: true });
      expect(first.generatedSecret).toMatch(/^trk_/);
      expect(await store.authenticate(first.generatedSecret!)).toMatchObject({ role: 'admin', name: 'bootstrap admin (generated)' });
      expect(await store.ensureBootstrapAdmin({ generateIfMissing: true })).toEqual({});
      expect(await store.list()).toHaveLength(1);
    });

    it('without a secret in production, creates nothing', async () => {
      const store = await freshStore();
      expect(await store.ensureBootstrapAdmin({ generateIfMissing: false })).toEqual({});
      expect(await store.ensureBootstrapAdmin({ secret: undefined, generateIfMissing: false })).toEqual({});
      expect(await store.list()).toEqual([]);
    });

    it('when processes start together with the same new secret (api and worker), all succeed with one active key', async () => {
      const shared = backend.schema('keys');
      const store = new ApiKeyStore(backend.sql, shared);
      await store.migrate();
      await store.ensureBootstrapAdmin({ secret: ADMIN_SECRET, generateIfMissing: false });
      // On PostgreSQL each replica has its own pool, as separate processes would.
      const replicas = [store, ...[1, 2, 3].map(() => new ApiKeyStore(backend.peer() ?? backend.sql, shared))];
      await Promise.all(replicas.map((r) => r.ensureBootstrapAdmin({ secret: NEW_ADMIN_SECRET, generateIfMissing: false })));
      expect(await store.authenticate(NEW_ADMIN_SECRET)).toMatchObject({ role: 'admin' });
      expect(await store.authenticate(ADMIN_SECRET)).toBeNull();
      expect(await activeBootstrapKeys(store)).toHaveLength(1);
    });

    it('when processes start together without a secret in development, exactly one generates a key', async () => {
      const shared = backend.schema('keys');
      const store = new ApiKeyStore(backend.sql, shared);
      await store.migrate();
      const replicas = [store, ...[1, 2, 3].map(() => new ApiKeyStore(backend.peer() ?? backend.sql, shared))];
      const results = await Promise.all(replicas.map((r) => r.ensureBootstrapAdmin({ generateIfMissing: true })));
      expect(results.filter((r) => r.generatedSecret !== undefined)).toHaveLength(1);
      expect(await activeBootstrapKeys(store)).toHaveLength(1);
    });
  });
});
