/**
 * Forward-only schema migrations for SQL-backed stores. Each component (event store, read models,
 * …) keeps its own ordered list; applied ids are recorded in `<schema>.schema_migrations`.
 *
 * Several processes may start at once (api and worker replicas): the whole run happens in one
 * transaction behind a transaction-scoped advisory lock, so exactly one process applies a migration
 * while the others wait and then find nothing to do. The lock is taken before `CREATE SCHEMA IF NOT
 * EXISTS`, which is not safe under concurrency by itself (two creators race on the catalog's
 * unique index).
 */
import { assertSqlIdentifier, type SqlClient } from './sql-client';

export interface SqlMigration {
  /** Unique and stable within the component, e.g. `001-events`; never edit an applied migration. */
  readonly id: string;
  /** Executed in order, one statement per entry. */
  readonly statements: readonly string[];
}

export interface MigrateOptions {
  readonly schema: string;
  /** Namespaces the migration ids, e.g. `event-store`. */
  readonly component: string;
  readonly migrations: readonly SqlMigration[];
}

/** Applies the missing migrations; returns the ids applied by this call. */
export async function runMigrations(client: SqlClient, options: MigrateOptions): Promise<string[]> {
  const schema = assertSqlIdentifier(options.schema, 'schema');
  return client.transaction(async (tx) => {
    // The same lock as every other Trellis migration runner on this schema (they share the
    // schema_migrations table), so no two runners create or migrate it at once.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`trellis-migrations:${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
         component text NOT NULL,
         id text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (component, id)
       )`,
    );
    const { rows } = await tx.query<{ id: string }>(
      `SELECT id FROM ${schema}.schema_migrations WHERE component = $1`,
      [options.component],
    );
    const applied = new Set(rows.map((r) => r.id));
    const done: string[] = [];
    for (const migration of options.migrations) {
      if (applied.has(migration.id)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query(`INSERT INTO ${schema}.schema_migrations (component, id) VALUES ($1, $2)`, [
        options.component,
        migration.id,
      ]);
      done.push(migration.id);
    }
    return done;
  });
}
