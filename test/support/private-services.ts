/**
 * Private Redis and PostgreSQL servers for the fault suite (test/faults): each on its own free port
 * on loopback, owned by the test file that started it, so it can be stopped and restarted under load
 * without touching the shared services other tests (and other people) use.
 *
 * - `PrivateRedis`: `redis-server` with no persistence (`--save "" --appendonly no`): a restart comes
 *   back empty, as a Redis that lost its data would.
 * - `PrivatePostgres`: a throw-away cluster (`initdb` into a temp directory, run as the `postgres`
 *   user when the tests run as root — PostgreSQL refuses to run as root), trust authentication on
 *   127.0.0.1 only, fsync off (the data is thrown away).
 *
 * Every server started here is remembered; `stopAllPrivateServices()` (afterAll) and a process
 * `exit` hook kill whatever is left, each by its own pid, and remove the data directories.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on right now (the kernel's choice). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(probe: () => Promise<boolean> | boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

interface Stoppable {
  kill(): void;
}
const live = new Set<Stoppable>();
let exitHookInstalled = false;
function remember(s: Stoppable): void {
  live.add(s);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const x of live) x.kill();
  });
}

// ── Redis ───────────────────────────────────────────────────────────────────────────────────────

export class PrivateRedis implements Stoppable {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Times the server was (re)started. */
  starts = 0;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    remember(redis);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server (again) on the same port, empty. */
  async restart(): Promise<void> {
    if (this.running) throw new Error('PrivateRedis: already running');
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
      stdio: 'ignore',
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.starts += 1;
    await until(() => portOpen(this.port), `redis-server on port ${this.port}`, 20_000);
  }

  /** Stops the server at once (SIGKILL: nothing is saved, clients see their connections reset). */
  async stop(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  kill(): void {
    try {
      this.child?.kill('SIGKILL');
    } catch {
      // already gone
    }
  }

  async close(): Promise<void> {
    await this.stop();
    live.delete(this);
  }
}

// ── PostgreSQL ──────────────────────────────────────────────────────────────────────────────────

/** The newest PostgreSQL server binaries installed (Debian layout), or those on the PATH. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs
      .readdirSync(root)
      .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], 'bin');
  }
  return '';
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export class PrivatePostgres implements Stoppable {
  private readonly bin = postgresBin();
  private pid: number | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  /** initdb a fresh cluster, start it, create the database `test`. */
  static async start(): Promise<PrivatePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-faults-pg-'));
    const pg = new PrivatePostgres(await freePort(), dir);
    remember(pg);
    if (isRoot) spawnSync('chown', ['-R', 'postgres:postgres', dir]);
    pg.run('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    await pg.restart();
    await pg.psql('CREATE DATABASE test');
    return pg;
  }

  /** A connection string to `database` (default `test`). */
  url(database = 'test'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the cluster (again) on the same port and data directory; waits until it accepts connections. */
  async restart(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    this.run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-o', options, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
    const pidFile = fs.readFileSync(path.join(this.dir, 'data', 'postmaster.pid'), 'utf8');
    this.pid = Number(pidFile.split('\n')[0]);
    await until(() => portOpen(this.port), `PostgreSQL on port ${this.port}`, 30_000);
  }

  /**
   * Stops the cluster. `fast` (default) terminates every session (clients see 57P01 admin_shutdown
   * or a reset connection) and then refuses connections; `immediate` is a crash without a checkpoint.
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (this.pid === undefined) return;
    this.run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', mode, '-w', '-t', '60', 'stop']);
    this.pid = undefined;
  }

  /** Runs SQL through psql over the socket directory. */
  async psql(sql: string, database = 'postgres'): Promise<string> {
    return this.run('psql', ['-h', this.dir, '-p', String(this.port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], path.join(this.bin, 'psql'));
  }

  /** The server's log (for failure messages). */
  serverLog(lines = 30): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no server log)';
    }
  }

  kill(): void {
    if (this.pid !== undefined) {
      try {
        process.kill(this.pid, 'SIGQUIT'); // immediate shutdown of the postmaster and its children
      } catch {
        // already gone
      }
    }
  }

  async close(): Promise<void> {
    try {
      await this.stop('immediate');
    } catch {
      this.kill();
    }
    live.delete(this);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private run(tool: string, args: string[], executable = this.bin ? path.join(this.bin, tool) : tool): string {
    const command = isRoot ? 'runuser' : executable;
    const argv = isRoot ? ['-u', 'postgres', '--', executable, ...args] : args;
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 120_000, cwd: this.dir });
    if (result.status !== 0) {
      throw new Error(`${tool} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}\n${this.serverLog()}`);
    }
    return result.stdout.trim();
  }
}

/** Stops every private server this test file started (afterAll). */
export async function stopAllPrivateServices(): Promise<void> {
  for (const s of [...live]) {
    if (s instanceof PrivateRedis || s instanceof PrivatePostgres) await s.close().catch(() => s.kill());
  }
}
