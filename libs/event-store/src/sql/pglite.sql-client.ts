/**
 * `SqlClient` over PGlite, the embedded (WASM, in-process) PostgreSQL. In memory when no data
 * directory is given. PGlite has a single connection and serialises every query, so transactions
 * must only use their `tx` (see sql-client.ts).
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { assertSqlIdentifier, type SqlClient, type SqlExecutor } from './sql-client';

export class PgliteSqlClient implements SqlClient {
  readonly kind = 'pglite' as const;
  private closed = false;

  constructor(
    readonly db: PGlite,
    private readonly options: { readonly ownsDb?: boolean } = {},
  ) {}

  /** Opens (or creates) the database in `dataDir`; in memory when `dataDir` is omitted. Takes seconds. */
  static async create(dataDir?: string): Promise<PgliteSqlClient> {
    // Loaded lazily so deployments on PostgreSQL never initialise the WASM module.
    const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
    const db = dataDir === undefined ? await PGliteClass.create() : await PGliteClass.create(dataDir);
    return new PgliteSqlClient(db, { ownsDb: true });
  }

  async query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }> {
    return run<R>(this.db, text, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => fn({ query: <R>(text: string, params?: unknown[]) => run<R>(tx, text, params) }));
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('SqlClient is closed');
    assertSqlIdentifier(channel, 'channel');
    // A wrapper per registration: PGlite keys listeners by function identity.
    const registration = (payload: string) => onNotify(payload);
    const unlisten = await this.db.listen(channel, registration);
    let removed = false;
    return async () => {
      if (removed || this.closed) return;
      removed = true;
      await unlisten();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.options.ownsDb !== false) await this.db.close();
  }
}

/**
 * Without parameters, use the simple protocol (like pg does), which accepts several statements;
 * PGlite's `query` always prepares and refuses them. The rows are those of the last statement.
 */
async function run<R>(db: PGlite | Transaction, text: string, params?: unknown[]): Promise<{ rows: R[] }> {
  if (params === undefined || params.length === 0) {
    const results = await db.exec(text);
    return { rows: (results[results.length - 1]?.rows ?? []) as R[] };
  }
  return { rows: (await db.query<R>(text, params)).rows };
}
