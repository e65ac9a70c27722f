/**
 * `npm run demo` (scripts/demo.ts) as a new user runs it: a real process on a fresh embedded store
 * (a temporary directory), real Redis. It must get to "Ready", and what it prints must work: the
 * viewer serves the timeline page and the JSON views with the demo's key, and the example command it
 * suggests is accepted. Ctrl+C (SIGINT) stops it cleanly.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/processes';
import { eventually } from '../support/webhook-receiver';

let demo: ChildProcessWithoutNullStreams | undefined;
let output = '';
const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-demo-'));

afterAll(async () => {
  if (demo && demo.exitCode === null && demo.signalCode === null) {
    demo.kill('SIGKILL');
    await new Promise((r) => demo!.once('exit', r));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

it('starts, plays both seed scenarios, prints URLs that work and a command that is accepted, and stops on Ctrl+C', async () => {
  demo = spawn(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'scripts/demo.ts', '--port', '0', '--viewer-port', '0', '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, TS_NODE_SWC: 'true', TS_NODE_TRANSPILE_ONLY: 'true', LOG_LEVEL: 'warn' },
  });
  demo.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  demo.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => demo!.once('exit', (code, signal) => resolve({ code, signal })));

  await eventually(() => /Press Ctrl\+C to stop/.test(output) || demo!.exitCode !== null, 'the demo to be ready', 150_000);
  expect({ exitCode: demo.exitCode, signal: demo.signalCode, output }).toEqual({ exitCode: null, signal: null, output: expect.stringContaining('Ready.') });

  // Both scenarios were played, and every event recorded so far reached the local receiver.
  const recorded = /Recorded (\d+) events; the receiver has (\d+) deliveries/.exec(output);
  expect(recorded).not.toBeNull();
  expect(Number(recorded![2])).toBeGreaterThanOrEqual(Number(recorded![1]));
  expect(output).toMatch(/\d+ × trellis\.PilotStarted\.v1/);
  expect(output).toMatch(/\d+ × trellis\.FormalStudyStarted\.v1/);

  const url = (label: string) => new RegExp(`${label}:\\s+(http://\\S+)`).exec(output)?.[1];
  const timeline = url('Timeline page, tool pilot')!;
  const agencyTimeline = url('Timeline page, state agency')!;
  for (const page of [timeline, agencyTimeline]) {
    const res = await fetch(page);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<html');
  }
  for (const label of ['Effectiveness \\(five dimensions\\)', 'Participation ledger', 'Reminders', 'Hash-chain verification']) {
    const res = await fetch(url(label)!);
    expect({ label, status: res.status }).toEqual({ label, status: 200 });
  }
  expect(((await (await fetch(url('Hash-chain verification')!)).json()) as { valid: boolean }).valid).toBe(true);
  expect((await fetch(url('Queue dashboard')!)).status).toBe(200);

  // The suggested command, as printed.
  const command = /-d '(\{"type":"RecordResearchUse".*\})' \\\s+(http:\/\/\S+\/commands)/.exec(output);
  expect(command).not.toBeNull();
  const key = /admin key for this run: (\S+)\)/.exec(output)![1]!;
  const res = await fetch(command![2]!, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: command![1] });
  expect({ status: res.status, body: await res.text() }).toEqual({ status: 201, body: expect.stringContaining('ResearchUseRecorded') });

  // Ctrl+C: the engine closes (finishing in-flight jobs), then the signal ends the process.
  demo.kill('SIGINT');
  expect([{ code: 0, signal: null }, { code: null, signal: 'SIGINT' }]).toContainEqual(await exited);
  expect(output).toContain('Stopping…');
  expect(output).not.toMatch(/demo: |Error/);
}, 200_000);
