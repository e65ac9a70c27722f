/**
 * `npm start` as a real process (run from source through ts-node with the swc transpiler): start-up
 * failures are one clear line and exit code 1; a normal start on the embedded store prints the
 * generated admin key once, keeps its data under DATA_DIR across restarts, and shuts down cleanly.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REDIS_URL } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');

function startEngine(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'apps/api/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_SWC: 'true', TS_NODE_TRANSPILE_ONLY: 'true', NODE_ENV: 'development', LOG_LEVEL: 'info', ADMIN_API_KEY: '', ...env },
  });
}

function collect(child: ChildProcessWithoutNullStreams) {
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 143 : -1))));
  return { out, exited };
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('stops with one line saying how to start Redis when Redis is unreachable', async () => {
  const { out, exited } = collect(startEngine({ REDIS_URL: 'redis://127.0.0.1:6390', DATA_DIR: 'memory://' }));
  expect(await exited).toBe(1);
  const lines = out.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^trellis: Redis is not reachable at redis:\/\/127\.0\.0\.1:6390\/? \(ECONNREFUSED\); start one with: redis-server /);
});

it('stops naming every bad variable when the configuration is invalid', async () => {
  const { out, exited } = collect(startEngine({ EVENT_STORE: 'cassandra', PORT: 'eighty' }));
  expect(await exited).toBe(1);
  expect(out.stderr).toContain('EVENT_STORE="cassandra" is not one of: embedded, postgres, esdb');
  expect(out.stderr).toContain('PORT="eighty"');
});

it('starts API and workers on the embedded store, prints the admin key once, persists data, and shuts down on SIGTERM', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-start-'));
  try {
    const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', REDIS_URL, QUEUE_PREFIX: `trellis-startup-${process.pid}` };
    const first = startEngine(env);
    const a = collect(first);
    await waitFor(() => a.out.stdout.includes('Trellis listening on'), 'the first start');
    const url = /Trellis listening on (http:\/\/[^ ]+)/.exec(a.out.stdout)![1]!;
    expect(a.out.stdout).toContain('workers: in process');
    const key = /(trk_[A-Za-z0-9_-]{40,})/.exec(a.out.stdout)?.[1];
    expect(key).toBeDefined();

    const created = await fetch(`${url}/partnerships`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Persisted RPP', initiationMode: 'agency', focus: 'restart' }),
    });
    expect(created.status).toBe(201);
    const { partnershipId } = (await created.json()) as { partnershipId: string };
    // Secrets never reach the log: the key appears once (the bootstrap message), never in request logs.
    expect(a.out.stdout.split(key!).length - 1).toBe(1);

    // Nest runs the shutdown hooks, then re-raises the signal: 143 = terminated by SIGTERM after a clean close.
    first.kill('SIGTERM');
    expect(await a.exited).toBe(143);
    expect(a.out.stdout).toContain('Stores closed after SIGTERM; shutdown complete');

    const second = startEngine(env);
    const b = collect(second);
    await waitFor(() => b.out.stdout.includes('Trellis listening on'), 'the restart');
    const url2 = /Trellis listening on (http:\/\/[^ ]+)/.exec(b.out.stdout)![1]!;
    expect(b.out.stdout).not.toMatch(/trk_[A-Za-z0-9_-]{40,}/);
    const state = await fetch(`${url2}/partnerships/${partnershipId}`, { headers: { Authorization: `Bearer ${key}` } });
    expect(state.status).toBe(200);
    expect(((await state.json()) as { state: { name: string } }).state.name).toBe('Persisted RPP');
    second.kill('SIGTERM');
    expect(await b.exited).toBe(143);
    expect(b.out.stdout).toContain('shutdown complete');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
