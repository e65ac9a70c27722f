/**
 * The people vault (DESIGN.md §9, DOMAIN.md "Personal data"): the only place that holds names and
 * e-mail addresses, in the read store's schema (PostgreSQL or PGlite).
 *
 *   <schema>.people       one row per person: the sealed name and e-mail (see people-crypto.ts), the
 *                         organization of the key that registered them, and after erasure only
 *                         when, why and the id of the PersonalDataErased event
 *   <schema>.people_keys  one row per living person: the data key wrapped by the master key
 *
 * Erasure deletes the key row and overwrites the ciphertext with NULL in one transaction, then
 * appends `PersonalDataErased` to the `compliance` stream with the event id chosen in that
 * transaction, so a retry after a failed append records the same event once (idempotent append).
 */
import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import { runMigrations, type EventStore, type SqlClient, type SqlExecutor } from '@trellis/event-store';
import {
  COMPLIANCE_EVENT_SCHEMA_VERSIONS,
  COMPLIANCE_STREAM_ID,
  type ErasureReason,
  type PersonalDataErasedData,
} from './compliance.events';
import {
  generateDataKey,
  openField,
  sealField,
  unwrapDataKey,
  VaultDecryptionError,
  wrapDataKey,
  type MasterKey,
} from './people-crypto';

export interface NewPerson {
  readonly displayName: string;
  readonly email: string;
  /** The organization of the API key registering the person (absent for unbound keys). */
  readonly organizationId?: string;
}

interface PersonCommon {
  readonly personId: string;
  readonly organizationId?: string;
  readonly createdAt: string;
}

export type PersonRecord =
  | (PersonCommon & { readonly status: 'active'; readonly displayName: string; readonly email: string })
  | (PersonCommon & { readonly status: 'erased'; readonly erasedAt: string; readonly reason?: ErasureReason })
  /** The key or a ciphertext does not authenticate (tampering, or another master key): nothing is shown. */
  | (PersonCommon & { readonly status: 'unreadable' });

export interface ErasureRequest {
  readonly reason?: ErasureReason;
  /** Who asked (the envelope's `recordedBy`). */
  readonly recordedBy: { readonly apiKeyId: string; readonly organizationId?: string };
  readonly correlationId: string;
}

export interface Erasure {
  readonly personId: string;
  readonly erasedAt: string;
  readonly reason?: ErasureReason;
  /** The PersonalDataErased event (the same on every repeated erasure). */
  readonly eventId: string;
  /** True when the person had already been erased before this request. */
  readonly alreadyErased: boolean;
}

export class MasterKeyMismatchError extends Error {
  constructor(count: number, ids: readonly string[], current: string) {
    super(
      `PEOPLE_MASTER_KEY does not match the key that wrapped ${count} person key(s) (master key id ${ids.join(', ')}; ` +
        `the configured key has id ${current}). Set the original PEOPLE_MASTER_KEY; rotation is not supported yet.`,
    );
    this.name = 'MasterKeyMismatchError';
  }
}

interface PersonRow {
  person_id: string;
  organization_id: string | null;
  display_name_sealed: Uint8Array | null;
  email_sealed: Uint8Array | null;
  created_at: Date | string;
  erased_at: Date | string | null;
  erasure_reason: ErasureReason | null;
  erasure_event_id: string | null;
  wrapped_key: Uint8Array | null;
}

/** Most people resolved by one `findMany` query (a partnership's participants, a reminder's audience). */
const MAX_BATCH = 1_000;

export class PeopleVault {
  constructor(
    private readonly sql: SqlClient,
    private readonly schema: string,
    private readonly master: MasterKey,
    private readonly store: EventStore,
  ) {}

  async migrate(): Promise<void> {
    const s = this.schema;
    await runMigrations(this.sql, {
      schema: s,
      component: 'people-vault',
      migrations: [
        {
          id: '001-people',
          statements: [
            `CREATE TABLE IF NOT EXISTS ${s}.people (
               person_id uuid PRIMARY KEY,
               organization_id text,
               display_name_sealed bytea,
               email_sealed bytea,
               created_at timestamptz NOT NULL DEFAULT now(),
               erased_at timestamptz,
               erasure_reason text,
               erasure_event_id uuid,
               CONSTRAINT people_sealed_until_erased CHECK (
                 (erased_at IS NULL AND display_name_sealed IS NOT NULL AND email_sealed IS NOT NULL AND erasure_event_id IS NULL)
                 OR (erased_at IS NOT NULL AND display_name_sealed IS NULL AND email_sealed IS NULL AND erasure_event_id IS NOT NULL)))`,
            `CREATE TABLE IF NOT EXISTS ${s}.people_keys (
               person_id uuid PRIMARY KEY REFERENCES ${s}.people (person_id),
               wrapped_key bytea NOT NULL,
               master_key_id text NOT NULL,
               created_at timestamptz NOT NULL DEFAULT now())`,
          ],
        },
      ],
    });
    // Keys wrapped by another master key cannot be opened: say so at start-up, not at the first read.
    const { rows } = await this.sql.query<{ master_key_id: string; n: string }>(
      `SELECT master_key_id, count(*)::text AS n FROM ${s}.people_keys WHERE master_key_id <> $1 GROUP BY master_key_id ORDER BY master_key_id`,
      [this.master.id],
    );
    if (rows.length > 0) {
      throw new MasterKeyMismatchError(rows.reduce((n, r) => n + Number(r.n), 0), rows.map((r) => r.master_key_id), this.master.id);
    }
  }

  async register(person: NewPerson): Promise<{ personId: string; createdAt: string }> {
    const personId = uuidv7();
    const dataKey = generateDataKey();
    try {
      const name = sealField(dataKey, personId, 'displayName', person.displayName);
      const email = sealField(dataKey, personId, 'email', person.email);
      const wrapped = wrapDataKey(this.master, personId, dataKey);
      return await this.sql.transaction(async (tx) => {
        const { rows } = await tx.query<{ created_at: Date | string }>(
          `INSERT INTO ${this.schema}.people (person_id, organization_id, display_name_sealed, email_sealed) VALUES ($1, $2, $3, $4) RETURNING created_at`,
          [personId, person.organizationId ?? null, name, email],
        );
        await tx.query(`INSERT INTO ${this.schema}.people_keys (person_id, wrapped_key, master_key_id) VALUES ($1, $2, $3)`, [
          personId,
          wrapped,
          this.master.id,
        ]);
        return { personId, createdAt: iso(rows[0]!.created_at) };
      });
    } finally {
      dataKey.fill(0);
    }
  }

  async find(personId: string): Promise<PersonRecord | undefined> {
    return (await this.findMany([personId])).get(personId.toLowerCase());
  }

  /** The people among `personIds` the vault knows, keyed by lower-case id; unknown and malformed ids are left out. */
  async findMany(personIds: Iterable<string>): Promise<Map<string, PersonRecord>> {
    const ids = [...new Set([...personIds].filter((id) => isUuid(id)).map((id) => id.toLowerCase()))];
    const out = new Map<string, PersonRecord>();
    for (let i = 0; i < ids.length; i += MAX_BATCH) {
      const { rows } = await this.sql.query<PersonRow>(
        `SELECT p.*, k.wrapped_key FROM ${this.schema}.people p LEFT JOIN ${this.schema}.people_keys k ON k.person_id = p.person_id
          WHERE p.person_id = ANY($1::uuid[])`,
        [ids.slice(i, i + MAX_BATCH)],
      );
      for (const row of rows) out.set(row.person_id, this.toRecord(row));
    }
    return out;
  }

  /**
   * Destroys the person's key and ciphertext, then records PersonalDataErased. Undefined for an
   * unknown person. Erasing an erased person changes nothing and answers the first erasure (after
   * making sure its event is in the log).
   */
  async erase(personId: string, request: ErasureRequest): Promise<Erasure | undefined> {
    if (!isUuid(personId)) return undefined;
    const id = personId.toLowerCase();
    const erased = await this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<PersonRow>(`SELECT * FROM ${this.schema}.people WHERE person_id = $1 FOR UPDATE`, [id]);
      const row = rows[0];
      if (!row) return undefined;
      if (row.erased_at !== null) {
        return { eventId: row.erasure_event_id!, erasedAt: iso(row.erased_at), reason: row.erasure_reason ?? undefined, alreadyErased: true };
      }
      const eventId = uuidv7();
      const { rows: updated } = await tx.query<{ erased_at: Date | string }>(
        `UPDATE ${this.schema}.people
            SET display_name_sealed = NULL, email_sealed = NULL, erased_at = now(), erasure_reason = $2, erasure_event_id = $3
          WHERE person_id = $1 RETURNING erased_at`,
        [id, request.reason ?? null, eventId],
      );
      await this.destroyKey(tx, id);
      return { eventId, erasedAt: iso(updated[0]!.erased_at), reason: request.reason, alreadyErased: false };
    });
    if (!erased) return undefined;
    const data: PersonalDataErasedData = { personId: id, erasedAt: erased.erasedAt, ...(erased.reason ? { reason: erased.reason } : {}) };
    const now = new Date().toISOString();
    await this.store.append(
      COMPLIANCE_STREAM_ID,
      [
        {
          eventId: erased.eventId,
          type: 'PersonalDataErased',
          schemaVersion: COMPLIANCE_EVENT_SCHEMA_VERSIONS.PersonalDataErased,
          data: { ...data },
          metadata: {
            occurredAt: erased.erasedAt,
            recordedAt: now,
            recordedBy: { ...request.recordedBy },
            correlationId: request.correlationId,
            causationId: erased.eventId,
          },
        },
      ],
      { expectedRevision: 'any' },
    );
    return {
      personId: id,
      erasedAt: erased.erasedAt,
      ...(erased.reason ? { reason: erased.reason } : {}),
      eventId: erased.eventId,
      alreadyErased: erased.alreadyErased,
    };
  }

  private async destroyKey(tx: SqlExecutor, personId: string): Promise<void> {
    await tx.query(`DELETE FROM ${this.schema}.people_keys WHERE person_id = $1`, [personId]);
  }

  private toRecord(row: PersonRow): PersonRecord {
    const common: PersonCommon = {
      personId: row.person_id,
      ...(row.organization_id !== null ? { organizationId: row.organization_id } : {}),
      createdAt: iso(row.created_at),
    };
    if (row.erased_at !== null) {
      return { ...common, status: 'erased', erasedAt: iso(row.erased_at), ...(row.erasure_reason ? { reason: row.erasure_reason } : {}) };
    }
    if (row.wrapped_key === null || row.display_name_sealed === null || row.email_sealed === null) return { ...common, status: 'unreadable' };
    let dataKey: Buffer | undefined;
    try {
      dataKey = unwrapDataKey(this.master, row.person_id, row.wrapped_key);
      return {
        ...common,
        status: 'active',
        displayName: openField(dataKey, row.person_id, 'displayName', row.display_name_sealed),
        email: openField(dataKey, row.person_id, 'email', row.email_sealed),
      };
    } catch (error) {
      if (error instanceof VaultDecryptionError) return { ...common, status: 'unreadable' };
      throw error;
    } finally {
      dataKey?.fill(0);
    }
  }
}

const iso = (value: Date | string): string => new Date(value).toISOString();
