/**
 * `trellis audit …` against a running Trellis: exports written to files verify offline, an edited
 * export is caught, and the server-side check is reported. One run goes through bin/trellis.js as a
 * real process; the rest call the same program in-process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildProgram } from '../../apps/cli/src/cli';
import { ApiClient } from '../support/api-client';
import { TOOL_PATH, playScenario } from '../support/seed-scenarios';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let id: string;
let dir: string;

beforeAll(async () => {
  t = await startTestApp();
  id = await playScenario(new ApiClient(t.url, t.adminKey), TOOL_PATH);
  dir = mkdtempSync(path.join(tmpdir(), 'trellis-cli-'));
  process.env['TRELLIS_URL'] = t.url;
  process.env['TRELLIS_API_KEY'] = t.adminKey;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t?.close();
});
afterEach(() => {
  process.exitCode = undefined;
});

async function trellis(...args: string[]): Promise<{ lines: string[]; exitCode: number }> {
  const lines: string[] = [];
  await buildProgram((l) => lines.push(l)).exitOverride().parseAsync(['node', 'trellis', ...args]);
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { lines, exitCode };
}

it.each(['ndjson', 'csv'])('exports %s to a file that verifies offline', async (format) => {
  const file = path.join(dir, `history.${format}`);
  await trellis('audit', 'export', id, '--format', format, '--out', file);
  const result = await trellis('audit', 'verify-file', file);
  expect(result.exitCode).toBe(0);
  expect(result.lines).toEqual([expect.stringMatching(new RegExp(`^VALID  partnership-${id}: \\d+ events, head [0-9a-f]{64}$`))]);
});

it('reports an edited export as BROKEN at the first altered revision, exit code 2', async () => {
  const file = path.join(dir, 'edited.ndjson');
  await trellis('audit', 'export', id, '--out', file);
  writeFileSync(file, readFileSync(file, 'utf8').replace('Lincoln Middle School', 'Lincoln Academy'));
  const result = await trellis('audit', 'verify-file', file);
  expect(result.exitCode).toBe(2);
  expect(result.lines[0]).toMatch(new RegExp(`^BROKEN partnership-${id}: first invalid revision 4 `));
});

it('reports the server-side verification', async () => {
  const result = await trellis('audit', 'verify', id);
  expect(result.lines[0]).toMatch(/^VALID  .*: \d+ events, head [0-9a-f]{64}$/);
});

it('runs as a real process through bin/trellis.js', async () => {
  const file = path.join(dir, 'cli-process.ndjson');
  await trellis('audit', 'export', id, '--out', file);
  const { stdout } = await promisify(execFile)(process.execPath, [path.resolve(__dirname, '../../bin/trellis.js'), 'audit', 'verify-file', file]);
  expect(stdout).toMatch(/^VALID  partnership-/);
  await expect(promisify(execFile)(process.execPath, [path.resolve(__dirname, '../../bin/trellis.js'), 'audit', 'verify', id], { env: { ...process.env, TRELLIS_API_KEY: 'trk_wrong_key_000000000000000000000' } })).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('401'),
  });
}, 60_000);
