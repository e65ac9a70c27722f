/**
 * API keys (DESIGN.md §9): random secrets shown once, stored only as SHA-256 hashes (the secrets are
 * 256-bit random, so a slow password hash adds nothing). Keys carry a role and may be bound to an
 * organization. Lookups hit the database on every request so that revocation takes effect at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import { runMigrations, type SqlClient, type SqlExecutor } from '@trellis/event-store';

export const API_KEY_ROLES = ['admin', 'auditor', 'integrator', 'member'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export interface Principal {
  readonly apiKeyId: string;
  readonly name: string;
  readonly role: ApiKeyRole;
  readonly organizationId?: string;
}

export interface ApiKeyRecord extends Principal {
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt?: string;
  readonly bootstrap: boolean;
}

export interface CreatedApiKey {
  readonly record: ApiKeyRecord;
  /** The secret, returned once and never stored. */
  readonly secret: string;
}

export interface NewApiKey {
  readonly name: string;
  readonly role: ApiKeyRole;
  readonly organizationId?: string;
  /** Default: a fresh random `trk_…` secret. */
  readonly secret?: string;
  readonly bootstrap?: boolean;
}

/** What revoking a key through the admin API did. */
export type Revocation = 'revoked' | 'not_found' | 'last_admin';

const KEY_PREFIX = 'trk_';

export const hashApiKey = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export const generateApiKeySecret = (): string => KEY_PREFIX + randomBytes(32).toString('base64url');

interface Row {
  id: string;
  name: string;
  role: ApiKeyRole;
  organization_id: string | null;
  key_prefix: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
  bootstrap: boolean;
}

export class ApiKeyStore {
  constructor(
    private readonly sql: SqlClient,
    private readonly schema: string,
  ) {}

  async migrate(): Promise<void> {
    await runMigrations(this.sql, {
      schema: this.schema,
      component: 'api-keys',
      migrations: [
      {
        id: '001-api-keys',
        statements: [`CREATE TABLE IF NOT EXISTS ${this.schema}.api_keys (
                id uuid PRIMARY KEY,
                name text NOT NULL,
                role text NOT NULL CHECK (role IN ('admin','auditor','integrator','member')),
                organization_id text,
                key_hash text NOT NULL UNIQUE,
                key_prefix text NOT NULL,
                bootstrap boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz)`],
      },
      ],
    });
  }

  async create(input: NewApiKey): Promise<CreatedApiKey> {
    return this.insert(this.sql, input);
  }

  private async insert(db: SqlExecutor, input: NewApiKey): Promise<CreatedApiKey> {
    const secret = input.secret ?? generateApiKeySecret();
    const id = uuidv7();
    const prefix = secret.slice(0, 8);
    const { rows } = await db.query<Row>(
      `INSERT INTO ${this.schema}.api_keys (id, name, role, organization_id, key_hash, key_prefix, bootstrap)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [id, input.name, input.role, input.organizationId ?? null, hashApiKey(secret), prefix, input.bootstrap ?? false],
    );
    return { record: toRecord(rows[0]!), secret };
  }

  /** The principal of an active (not revoked) key, or null. */
  async authenticate(secret: string): Promise<Principal | null> {
    if (!secret.startsWith(KEY_PREFIX) && secret.length < 24) return null;
    const hash = hashApiKey(secret);
    const { rows } = await this.sql.query<Row & { key_hash: string }>(
      `SELECT * FROM ${this.schema}.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    const row = rows[0];
    // The index lookup already matched; the constant-time compare guards against a future change
    // to a prefix lookup.
    if (!row || !timingSafeEqual(Buffer.from(row.key_hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
    const { apiKeyId, name, role, organizationId } = toRecord(row);
    return { apiKeyId, name, role, ...(organizationId ? { organizationId } : {}) };
  }

  async list(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.sql.query<Row>(`SELECT * FROM ${this.schema}.api_keys ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  /** One key's record (active or revoked), or null. */
  async get(id: string): Promise<ApiKeyRecord | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.sql.query<Row>(`SELECT * FROM ${this.schema}.api_keys WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Revokes a key unless it is the last active admin key (which would leave nobody able to manage
   * keys until a restart re-activates the bootstrap key). Serialised per schema, so two concurrent
   * revocations of the last two admin keys cannot both succeed.
   */
  async revokeKeepingAnAdmin(id: string): Promise<Revocation> {
    if (!isUuid(id)) return 'not_found';
    return this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`trellis-api-key-revocation:${this.schema}`]);
      const { rows } = await tx.query<{ role: ApiKeyRole; other_admins: string }>(
        `SELECT k.role, (SELECT count(*) FROM ${this.schema}.api_keys o
                          WHERE o.role = 'admin' AND o.revoked_at IS NULL AND o.id <> k.id)::text AS other_admins
           FROM ${this.schema}.api_keys k WHERE k.id = $1 AND k.revoked_at IS NULL`,
        [id],
      );
      const key = rows[0];
      if (!key) return 'not_found';
      if (key.role === 'admin' && key.other_admins === '0') return 'last_admin';
      await tx.query(`UPDATE ${this.schema}.api_keys SET revoked_at = now() WHERE id = $1`, [id]);
      return 'revoked';
    });
  }

  /** Revokes a key; returns false when no active key has that id. */
  async revoke(id: string): Promise<boolean> {
    if (!isUuid(id)) return false; // no key has it; the uuid column would refuse the query
    const { rows } = await this.sql.query<{ id: string }>(
      `UPDATE ${this.schema}.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /**
   * Makes `ADMIN_API_KEY` (when set) the one active bootstrap admin key, revoking a previous
   * bootstrap key with another secret. Without it, in development, generates one the first time and
   * returns its secret so the caller can print it once.
   */
  async ensureBootstrapAdmin(options: { secret?: string; generateIfMissing: boolean }): Promise<{ generatedSecret?: string }> {
    // Every process (api, worker, replicas) runs this at start-up, often at the same moment: one at
    // a time, or two of them insert the same new secret (unique violation) or generate two keys.
    return this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`trellis-bootstrap-admin:${this.schema}`]);
      const { rows } = await tx.query<Row & { key_hash: string }>(
        `SELECT * FROM ${this.schema}.api_keys WHERE bootstrap AND revoked_at IS NULL`,
      );
      if (options.secret) {
        const hash = hashApiKey(options.secret);
        if (rows.some((r) => r.key_hash === hash)) return {};
        await tx.query(`UPDATE ${this.schema}.api_keys SET revoked_at = now() WHERE bootstrap AND revoked_at IS NULL`);
        // The same secret may exist as a revoked bootstrap key: re-activate rather than violate uniqueness.
        const reactivated = await tx.query(
          `UPDATE ${this.schema}.api_keys SET revoked_at = NULL WHERE key_hash = $1 AND bootstrap RETURNING id`,
          [hash],
        );
        if (reactivated.rows.length === 0) {
          await this.insert(tx, { name: 'bootstrap admin (ADMIN_API_KEY)', role: 'admin', secret: options.secret, bootstrap: true });
        }
        return {};
      }
      if (rows.length > 0 || !options.generateIfMissing) return {};
      const created = await this.insert(tx, { name: 'bootstrap admin (generated)', role: 'admin', bootstrap: true });
      return { generatedSecret: created.secret };
    });
  }
}

function toRecord(row: Row): ApiKeyRecord {
  return {
    apiKeyId: row.id,
    name: row.name,
    role: row.role,
    ...(row.organization_id ? { organizationId: row.organization_id } : {}),
    prefix: row.key_prefix,
    createdAt: new Date(row.created_at).toISOString(),
    ...(row.revoked_at ? { revokedAt: new Date(row.revoked_at).toISOString() } : {}),
    bootstrap: row.bootstrap,
  };
}
