import { randomBytes } from 'node:crypto';
import { createSqlEventStore, verifyChain, type EventStore } from '@trellis/event-store';
import { SQL_BACKENDS, type SqlBackend } from '../testing/sql-backends';
import { COMPLIANCE_STREAM_ID } from './compliance.events';
import { masterKeyFrom, VaultDecryptionError } from './people-crypto';
import { MasterKeyMismatchError, PeopleVault } from './people-vault';

const ANA = { displayName: 'Ana Lucía Pérez', email: 'ana.perez@district.example' };
const BO = { displayName: 'Bo Lindqvist', email: 'bo@lab.example' };
const REQUEST = { recordedBy: { apiKeyId: 'key-1' }, correlationId: 'corr-1' };

describe.each(SQL_BACKENDS)('PeopleVault on %s', (_name, openBackend) => {
  let backend: SqlBackend;
  let schema: string;
  let store: EventStore;
  let vault: PeopleVault;
  const master = masterKeyFrom(randomBytes(32));

  const complianceEvents = async () => {
    const out = [];
    for await (const e of store.readStream(COMPLIANCE_STREAM_ID, { raw: true })) out.push(e);
    return out;
  };

  beforeAll(async () => {
    backend = await openBackend();
    schema = backend.schema('vault');
    store = await createSqlEventStore({ sql: backend.sql, schema });
    vault = new PeopleVault(backend.sql, schema, master, store);
    await vault.migrate();
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await backend?.close();
  }, 30_000);

  it('migrates idempotently', async () => {
    await vault.migrate();
    const { rows } = await backend.sql.query(`SELECT id FROM ${schema}.schema_migrations WHERE component = 'people-vault'`);
    expect(rows).toEqual([{ id: '001-people' }]);
  });

  it('registers a person: the name and e-mail come back, and are stored only as ciphertext under a wrapped key', async () => {
    const { personId, createdAt } = await vault.register({ ...ANA, organizationId: 'org-district' });
    expect(personId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(await vault.find(personId)).toEqual({ personId, status: 'active', ...ANA, organizationId: 'org-district', createdAt });
    expect(await vault.find(personId.toUpperCase())).toMatchObject({ personId, status: 'active' });

    const { rows } = await backend.sql.query<Record<string, unknown>>(
      `SELECT p::text AS person, k::text AS key, k.master_key_id FROM ${schema}.people p JOIN ${schema}.people_keys k USING (person_id) WHERE person_id = $1`,
      [personId],
    );
    expect(rows).toHaveLength(1);
    const text = `${rows[0]!['person']} ${rows[0]!['key']}`;
    for (const plain of [ANA.displayName, ANA.email, 'Ana', 'district.example']) {
      expect(text).not.toContain(plain);
      expect(text).not.toContain(Buffer.from(plain).toString('hex'));
    }
    expect(rows[0]!['master_key_id']).toBe(master.id);
  });

  it('finds many at once, leaving out unknown and malformed ids', async () => {
    const a = await vault.register(ANA);
    const b = await vault.register(BO);
    const found = await vault.findMany([a.personId, b.personId, '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'person-1', "'; DROP TABLE x; --", '']);
    expect([...found.keys()].sort()).toEqual([a.personId, b.personId].sort());
    expect(found.get(b.personId)).toMatchObject({ status: 'active', displayName: BO.displayName, email: BO.email });
    expect(await vault.find('not-a-uuid')).toBeUndefined();
  });

  describe('tampering is detected by the authentication tag, never shown as garbage', () => {
    it('a flipped bit in a ciphertext', async () => {
      const { personId } = await vault.register(ANA);
      await backend.sql.query(
        // XOR, not overwrite: writing a fixed byte changed nothing when the ciphertext already held it (1 in 256).
        `UPDATE ${schema}.people SET display_name_sealed = set_byte(display_name_sealed, 19, get_byte(display_name_sealed, 19) # 1) WHERE person_id = $1`,
        [personId],
      );
      expect(await vault.find(personId)).toMatchObject({ personId, status: 'unreadable' });
      expect(await vault.find(personId)).not.toHaveProperty('displayName');
    });

    it('a ciphertext copied from another person, or from the other column', async () => {
      const a = await vault.register(ANA);
      const b = await vault.register(BO);
      await backend.sql.query(
        `UPDATE ${schema}.people SET display_name_sealed = (SELECT display_name_sealed FROM ${schema}.people WHERE person_id = $2) WHERE person_id = $1`,
        [a.personId, b.personId],
      );
      expect(await vault.find(a.personId)).toMatchObject({ status: 'unreadable' });
      const c = await vault.register(ANA);
      await backend.sql.query(`UPDATE ${schema}.people SET display_name_sealed = email_sealed, email_sealed = display_name_sealed WHERE person_id = $1`, [c.personId]);
      expect(await vault.find(c.personId)).toMatchObject({ status: 'unreadable' });
      expect(await vault.find(b.personId)).toMatchObject({ status: 'active', displayName: BO.displayName });
    });

    it('a wrapped key copied from another person', async () => {
      const a = await vault.register(ANA);
      const b = await vault.register(BO);
      await backend.sql.query(
        `UPDATE ${schema}.people_keys SET wrapped_key = (SELECT wrapped_key FROM ${schema}.people_keys WHERE person_id = $2) WHERE person_id = $1`,
        [a.personId, b.personId],
      );
      expect(await vault.find(a.personId)).toMatchObject({ status: 'unreadable' });
    });
  });

  describe('erasure', () => {
    it('destroys the key, nulls the ciphertext, and records PersonalDataErased (no name, no e-mail) on a verifying compliance stream', async () => {
      const { personId } = await vault.register(ANA);
      const before = (await complianceEvents()).length;
      const erasure = await vault.erase(personId, { ...REQUEST, reason: 'data_subject_request' });
      expect(erasure).toEqual({ personId, erasedAt: expect.any(String), reason: 'data_subject_request', eventId: expect.any(String), alreadyErased: false });
      expect(await vault.find(personId)).toMatchObject({ personId, status: 'erased', erasedAt: erasure!.erasedAt, reason: 'data_subject_request' });

      const { rows: keys } = await backend.sql.query(`SELECT * FROM ${schema}.people_keys WHERE person_id = $1`, [personId]);
      expect(keys).toEqual([]);
      const { rows } = await backend.sql.query<Record<string, unknown>>(`SELECT display_name_sealed, email_sealed FROM ${schema}.people WHERE person_id = $1`, [personId]);
      expect(rows).toEqual([{ display_name_sealed: null, email_sealed: null }]);

      const events = await complianceEvents();
      expect(events).toHaveLength(before + 1);
      const event = events.at(-1)!;
      expect(event).toMatchObject({ eventId: erasure!.eventId, type: 'PersonalDataErased', schemaVersion: 1, streamId: 'compliance' });
      expect(event.data).toEqual({ personId, erasedAt: erasure!.erasedAt, reason: 'data_subject_request' });
      expect(event.metadata).toMatchObject({ occurredAt: erasure!.erasedAt, recordedBy: { apiKeyId: 'key-1' }, correlationId: 'corr-1' });
      expect(JSON.stringify({ data: event.data, metadata: event.metadata })).not.toMatch(/Ana|Pérez|district\.example/);
      expect(await verifyChain(store.readStream(COMPLIANCE_STREAM_ID, { raw: true }))).toMatchObject({ valid: true, checkedEvents: events.length });
    });

    it('is idempotent: erasing again changes nothing and answers the first erasure', async () => {
      const { personId } = await vault.register(BO);
      const first = await vault.erase(personId, REQUEST);
      const count = (await complianceEvents()).length;
      const again = await Promise.all([vault.erase(personId, { ...REQUEST, reason: 'other' }), vault.erase(personId, REQUEST)]);
      for (const e of again) expect(e).toEqual({ ...first, alreadyErased: true });
      expect(first).not.toHaveProperty('reason');
      expect((await complianceEvents()).length).toBe(count);
    });

    it('racing erasures of one person record one event', async () => {
      const { personId } = await vault.register(ANA);
      const count = (await complianceEvents()).length;
      const results = await Promise.all(Array.from({ length: 5 }, () => vault.erase(personId, REQUEST)));
      expect(new Set(results.map((r) => r!.eventId)).size).toBe(1);
      expect(results.filter((r) => !r!.alreadyErased)).toHaveLength(1);
      expect((await complianceEvents()).length).toBe(count + 1);
    });

    it('an unknown or malformed id erases nothing and appends nothing', async () => {
      const count = (await complianceEvents()).length;
      expect(await vault.erase('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', REQUEST)).toBeUndefined();
      expect(await vault.erase('person-1', REQUEST)).toBeUndefined();
      expect((await complianceEvents()).length).toBe(count);
    });

    it('when the append fails after the key is gone, a retry records the same event once', async () => {
      const { personId } = await vault.register(ANA);
      let failures = 1;
      const flaky = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === 'append' && failures > 0) {
            failures -= 1;
            return async () => {
              throw new Error('connection lost');
            };
          }
          return Reflect.get(target, prop, receiver);
        },
      });
      const flakyVault = new PeopleVault(backend.sql, schema, master, flaky);
      await expect(flakyVault.erase(personId, REQUEST)).rejects.toThrow('connection lost');
      expect(await vault.find(personId)).toMatchObject({ status: 'erased' }); // the key is gone already
      const count = (await complianceEvents()).length;
      const retried = await flakyVault.erase(personId, REQUEST);
      expect(retried).toMatchObject({ alreadyErased: true });
      const events = await complianceEvents();
      expect(events).toHaveLength(count + 1);
      expect(events.at(-1)).toMatchObject({ eventId: retried!.eventId, data: { personId } });
      expect(await vault.erase(personId, REQUEST)).toEqual(retried);
      expect(await complianceEvents()).toHaveLength(count + 1);
    });

    it('after erasure not even the master key recovers the name: the wrapped key is gone', async () => {
      const { personId } = await vault.register(ANA);
      const { rows: wrappedBefore } = await backend.sql.query<{ wrapped_key: Uint8Array }>(`SELECT wrapped_key FROM ${schema}.people_keys WHERE person_id = $1`, [personId]);
      expect(wrappedBefore).toHaveLength(1);
      await vault.erase(personId, REQUEST);
      const { rows } = await backend.sql.query(
        `SELECT k.person_id FROM ${schema}.people_keys k WHERE k.person_id = $1
         UNION ALL SELECT p.person_id FROM ${schema}.people p WHERE p.person_id = $1 AND (p.display_name_sealed IS NOT NULL OR p.email_sealed IS NOT NULL)`,
        [personId],
      );
      expect(rows).toEqual([]);
    });
  });

  it('refuses to start with another master key than the one that wrapped the stored keys', async () => {
    const other = new PeopleVault(backend.sql, schema, masterKeyFrom(randomBytes(32)), store);
    await expect(other.migrate()).rejects.toThrow(MasterKeyMismatchError);
    await expect(other.migrate()).rejects.toThrow(/PEOPLE_MASTER_KEY does not match the key that wrapped \d+ person key/);
    // On an empty vault any key is fine.
    const fresh = backend.schema('vault');
    const freshStore = await createSqlEventStore({ sql: backend.sql, schema: fresh });
    await new PeopleVault(backend.sql, fresh, masterKeyFrom(randomBytes(32)), freshStore).migrate();
    await freshStore.close();
  });

  it('exports the error type a caller can tell apart', () => {
    expect(new VaultDecryptionError('x')).toBeInstanceOf(Error);
  });
});
