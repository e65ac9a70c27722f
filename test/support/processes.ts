/**
 * The engine's apps as real processes, run from source (ts-node with the swc transpiler, as
 * `startup.e2e-spec.ts` does): spawn, wait for a log line, kill with any signal, await the exit,
 * and keep each process's last log lines for failure messages.
 *
 * Every process started here is remembered until it exits; `killAllEngineProcesses()` (afterAll)
 * and a process `exit` hook SIGKILL whatever is left, each by its own pid.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export const ENGINE_ENTRY = {
  api: 'apps/api/src/main.ts',
  worker: 'apps/worker/src/main.ts',
} as const;

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const live = new Set<EngineProcess>();
let exitHookInstalled = false;

export class EngineProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  readonly startedAt = Date.now();
  readonly exited: Promise<ExitStatus>;
  private exitStatus: ExitStatus | undefined;
  /** The last log lines (HTTP access lines of successful requests are counted, not kept). */
  private readonly lines: string[] = [];
  private accessLines = 0;
  private partial = { stdout: '', stderr: '' };
  private readonly waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();

  constructor(
    readonly name: string,
    entry: string,
    env: Record<string, string>,
    private readonly keepLines = 300,
  ) {
    this.child = spawn(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', entry], {
      cwd: REPO_ROOT,
      env: { ...process.env, TS_NODE_SWC: 'true', TS_NODE_TRANSPILE_ONLY: 'true', ...env },
    });
    if (this.child.pid === undefined) throw new Error(`${name}: spawn failed`);
    this.pid = this.child.pid;
    live.add(this);
    installExitHook();
    this.child.stdout.on('data', (d: Buffer) => this.take('stdout', d));
    this.child.stderr.on('data', (d: Buffer) => this.take('stderr', d));
    this.exited = new Promise<ExitStatus>((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        live.delete(this);
        this.push(`[${this.name}] exited (code ${code}, signal ${signal})`);
        resolve(this.exitStatus);
      });
    });
  }

  get alive(): boolean {
    return this.exitStatus === undefined;
  }

  /** Resolves with the first line (already seen or to come) matching `pattern`; fails if the process exits first. */
  async waitForLog(pattern: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen) return seen;
    let timer: NodeJS.Timeout | undefined;
    let waiter: { pattern: RegExp; resolve: (line: string) => void } | undefined;
    try {
      return await Promise.race([
        new Promise<string>((resolve) => {
          waiter = { pattern, resolve };
          this.waiters.add(waiter);
        }),
        this.exited.then((s) => {
          throw new Error(`${this.name} exited (code ${s.code}, signal ${s.signal}) before ${what}\n${this.tail(40)}`);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}\n${this.tail(40)}`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (waiter) this.waiters.delete(waiter);
    }
  }

  /** Sends the signal (if still running) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitStatus> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }

  /** The last `n` kept log lines, compacted (pino JSON → `time level [context] msg`). */
  tail(n = 25): string {
    const header = `--- ${this.name} (pid ${this.pid}, ${this.alive ? 'running' : `exited: code ${this.exitStatus?.code}, signal ${this.exitStatus?.signal}`}; ${this.accessLines} access lines not kept) ---`;
    return [header, ...this.lines.slice(-n)].join('\n');
  }

  /** Every kept line (compacted) matching `pattern`. */
  grep(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l));
  }

  private take(stream: 'stdout' | 'stderr', data: Buffer): void {
    const text = this.partial[stream] + data.toString('utf8');
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const raw of parts) if (raw.trim() !== '') this.push(compact(raw, stream), raw);
  }

  private push(line: string, raw = line): void {
    if (line === ACCESS) {
      this.accessLines += 1;
      return;
    }
    this.lines.push(line);
    if (this.lines.length > this.keepLines) this.lines.splice(0, this.lines.length - this.keepLines);
    for (const w of this.waiters) if (w.pattern.test(line) || w.pattern.test(raw)) w.resolve(line);
  }
}

const ACCESS = '\u0000access';
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** pino JSON → one short line; successful HTTP access lines are dropped (they would flood the tail). */
function compact(raw: string, stream: string): string {
  if (!raw.startsWith('{')) return `${stream === 'stderr' ? 'stderr: ' : ''}${raw}`;
  try {
    const j = JSON.parse(raw) as { level?: number; time?: number; context?: string; msg?: string; res?: { statusCode?: number }; req?: { method?: string; url?: string }; err?: { message?: string } };
    if (j.req && j.res && (j.res.statusCode ?? 0) < 500) return ACCESS;
    const time = j.time ? new Date(j.time).toISOString().slice(11, 23) : '';
    const req = j.req ? ` ${j.req.method} ${j.req.url} → ${j.res?.statusCode}` : '';
    const err = j.err?.message ? ` (${j.err.message})` : '';
    return `${time} ${LEVELS[j.level ?? 30] ?? j.level} ${j.context ? `[${j.context}] ` : ''}${j.msg ?? ''}${req}${err}`;
  } catch {
    return raw;
  }
}

export function startEngineProcess(name: string, entry: string, env: Record<string, string>): EngineProcess {
  return new EngineProcess(name, entry, env);
}

/** SIGKILLs every engine process this test file started that is still running, and waits for the exits. */
export async function killAllEngineProcesses(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill('SIGKILL')));
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the test process ends without afterAll (e.g. Jest force-exits): no orphans.
  process.once('exit', () => {
    for (const p of live) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * The environment every engine process of a multi-process test shares: the PostgreSQL store in its
 * own `schema`, BullMQ under its own `queuePrefix`, one bootstrap admin key, logs at info level; the
 * database URL carries `application_name` `trellis_<schema>_<label>`, which tells the processes
 * apart in pg_stat_activity.
 */
export function postgresEngineEnv(options: {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly schema: string;
  readonly queuePrefix: string;
  readonly adminKey: string;
  readonly label: string;
}): Record<string, string> {
  const url = new URL(options.databaseUrl);
  url.searchParams.set('application_name', `trellis_${options.schema}_${options.label}`);
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    EVENT_STORE: 'postgres',
    DATABASE_URL: url.toString(),
    DB_SCHEMA: options.schema,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.queuePrefix,
    ADMIN_API_KEY: options.adminKey,
  };
}
