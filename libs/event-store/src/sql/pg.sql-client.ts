/**
 * `SqlClient` over node-postgres: queries and transactions use a `pg.Pool`; `listen` uses ONE
 * dedicated `pg.Client` per SqlClient, shared by every listener (LISTEN needs a session that stays
 * open, and a pooled connection per subscriber would starve the pool). If that connection drops it
 * is re-established with exponential backoff and the channels are listened to again.
 */
import { Client, Pool, type ClientConfig, type PoolConfig, type QueryResult } from 'pg';
import { assertSqlIdentifier, type SqlClient, type SqlExecutor } from './sql-client';

export interface PgSqlClientOptions {
  /** Pool size (default 10). */
  readonly max?: number;
  readonly applicationName?: string;
  /** Sets the session `search_path` (a comma-separated list of identifiers). */
  readonly searchPath?: string;
  readonly connectionTimeoutMillis?: number;
  readonly idleTimeoutMillis?: number;
  /**
   * Errors that have no caller to be thrown to: an idle pooled connection failing, the listen
   * connection dropping. The pool and the listener recover by themselves; this is for logging.
   */
  readonly onError?: (error: Error) => void;
}

type Listener = (payload: string) => void;

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;

export class PgSqlClient implements SqlClient {
  readonly kind = 'postgres' as const;

  private readonly listeners = new Map<string, Set<Listener>>();
  private listenClient: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private closed = false;

  constructor(
    readonly pool: Pool,
    private readonly connectionConfig: ClientConfig,
    private readonly options: { readonly ownsPool?: boolean; readonly onError?: (error: Error) => void } = {},
  ) {
    pool.on('error', (error) => this.options.onError?.(error));
    // Every pooled connection keeps a listener for its whole life. pg-pool listens only while a
    // connection is idle and `pool.query` only during its query; a connection checked out with
    // `pool.connect()` has none until its user adds one, and a promise's continuation runs after the
    // socket's current chunk is parsed: a FATAL (57P01, a restart) in that chunk would be an uncaught
    // 'error' and end the process. Ignored here: the connection is then unusable, its next query
    // fails with the reason, and the transaction that holds it releases it as broken.
    pool.on('connect', (client) => client.on('error', () => undefined));
  }

  static fromUrl(connectionString: string, options: PgSqlClientOptions = {}): PgSqlClient {
    if (options.searchPath !== undefined) {
      for (const part of options.searchPath.split(',')) assertSqlIdentifier(part.trim(), 'search_path entry');
    }
    const config: ClientConfig = {
      connectionString,
      application_name: options.applicationName ?? 'trellis',
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
      ...(options.searchPath === undefined ? {} : { options: `-c search_path=${options.searchPath.replace(/\s/g, '')}` }),
    };
    const poolConfig: PoolConfig = {
      ...config,
      max: options.max ?? 10,
      idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    };
    return new PgSqlClient(new Pool(poolConfig), config, { ownsPool: true, onError: options.onError });
  }

  async query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }> {
    return rowsOf<R>(await this.pool.query(text, params));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const connection = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out connection has no listener of the pool's: should the server end the session
    // between two queries (a restart, 57P01), node-postgres emits 'error' on it, which would end the
    // process. Keep the error: the next query fails with it and the connection leaves the pool.
    const onConnectionError = (error: Error) => {
      broken = error;
      this.options.onError?.(error);
    };
    connection.on('error', onConnectionError);
    try {
      await connection.query('BEGIN');
      const tx: SqlExecutor = {
        query: async <R>(text: string, params?: unknown[]) => rowsOf<R>(await connection.query(text, params)),
      };
      const result = await fn(tx);
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch((rollbackError: Error) => {
        // A connection that cannot even roll back must not go back to the pool.
        broken = rollbackError;
      });
      throw error;
    } finally {
      connection.off('error', onConnectionError);
      connection.release(broken);
    }
  }

  async listen(channel: string, onNotify: Listener): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('SqlClient is closed');
    assertSqlIdentifier(channel, 'channel');
    let set = this.listeners.get(channel);
    const firstOnChannel = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    // A wrapper per registration, so the same function registered twice unregisters independently.
    const registration: Listener = (payload) => onNotify(payload);
    set.add(registration);
    try {
      const client = await this.connectListener();
      // LISTEN is idempotent; a (re)connect in between may already have issued it.
      if (firstOnChannel) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      this.removeListener(channel, registration);
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      const empty = this.removeListener(channel, registration);
      if (empty && this.listenClient && !this.closed) {
        await this.listenClient.query(`UNLISTEN ${channel}`).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.listeners.clear();
    const client = this.listenClient ?? (await this.connecting?.catch(() => undefined));
    this.listenClient = undefined;
    await client?.end().catch(() => undefined);
    if (this.options.ownsPool !== false) await this.pool.end();
  }

  private removeListener(channel: string, registration: Listener): boolean {
    const set = this.listeners.get(channel);
    if (!set) return false;
    set.delete(registration);
    if (set.size > 0) return false;
    this.listeners.delete(channel);
    return true;
  }

  private connectListener(): Promise<Client> {
    if (this.listenClient) return Promise.resolve(this.listenClient);
    this.connecting ??= this.openListener().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async openListener(): Promise<Client> {
    const client = new Client(this.connectionConfig);
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (error) this.options.onError?.(error);
      if (this.listenClient === client) this.listenClient = undefined;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => this.dispatch(message.channel, message.payload ?? ''));
    try {
      await client.connect();
      for (const channel of this.listeners.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      lost = true; // not yet "ours": a failed first connect is reported to the caller instead
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('SqlClient is closed');
    }
    this.listenClient = client;
    this.backoffMs = MIN_BACKOFF_MS;
    return client;
  }

  private dispatch(channel: string, payload: string): void {
    for (const listener of [...(this.listeners.get(channel) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        this.options.onError?.(error as Error);
      }
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer || this.listeners.size === 0) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed || this.listeners.size === 0) return;
      this.connectListener().then(
        () => {
          // Anything notified while we were away is lost: wake every listener so it re-reads.
          for (const channel of [...this.listeners.keys()]) this.dispatch(channel, '');
        },
        (error: Error) => {
          this.options.onError?.(error);
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }
}

/** Several statements (allowed without parameters) yield one result each; keep the last one's rows. */
function rowsOf<R>(result: QueryResult | QueryResult[]): { rows: R[] } {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return { rows: (last?.rows ?? []) as R[] };
}
