/**
 * `trellis audit …` and `trellis api-keys …` against a running Trellis: exports written to files
 * verify offline, an edited export is caught, the server-side checks (one partnership, or every stream
 * with `--all`) are reported, and keys are created, listed and revoked. One run goes through
 * bin/trellis.js as a real process; the rest call the same program in-process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildProgram } from '../../apps/cli/src/cli';
import { ApiClient } from '../support/api-client';
import { STATE_AGENCY_PATH, TOOL_PATH, playScenario } from '../support/seed-scenarios';
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

describe('trellis api-keys', () => {
  it('creates a key (secret printed once), lists it without the secret, and revokes it at once', async () => {
    const created = await trellis('api-keys', 'create', '--name', 'district warehouse', '--role', 'integrator', '--organization', 'riverside-usd');
    expect(created.exitCode).toBe(0);
    expect(created.lines[0]).toMatch(/^created [0-9a-f-]{36} \(integrator of riverside-usd, "district warehouse"\)$/);
    const keyId = created.lines[0]!.split(' ')[1]!;
    const secret = /^secret: (trk_[A-Za-z0-9_-]{43})$/.exec(created.lines[1]!)?.[1];
    expect(secret).toBeDefined();
    const asNewKey = new ApiClient(t.url, secret);
    expect((await asNewKey.get('/events/catalog')).status).toBe(200);

    const listed = await trellis('api-keys', 'list');
    expect(listed.lines[0]).toMatch(/^ID\s+ROLE\s+ORGANIZATION\s+PREFIX\s+STATUS\s+CREATED\s+NAME$/);
    const line = listed.lines.find((l) => l.startsWith(keyId));
    expect(line).toMatch(new RegExp(`^${keyId} integrator\\s+riverside-usd\\s+${secret!.slice(0, 8)}\\s+active\\s+\\S+\\s+district warehouse$`));
    expect(listed.lines.join('\n')).not.toContain(secret);

    const revoked = await trellis('api-keys', 'revoke', keyId);
    expect(revoked.lines[0]).toMatch(new RegExp(`^revoked ${keyId} \\(integrator of riverside-usd, "district warehouse"\\) at \\d{4}-`));
    expect((await asNewKey.get('/events/catalog')).status).toBe(401);
    expect((await trellis('api-keys', 'list')).lines.find((l) => l.startsWith(keyId))).toMatch(/\srevoked\s/);
  });

  it('reports the server’s refusals: an unknown role, a key already revoked', async () => {
    await expect(trellis('api-keys', 'create', '--name', 'x', '--role', 'root')).rejects.toThrow('--role must be one of admin, auditor, integrator, member');
    await expect(trellis('api-keys', 'create', '--name', 'x', '--role', 'admin', '--organization', 'riverside-usd')).rejects.toThrow(/400 .*VALIDATION_FAILED/);
    await expect(trellis('api-keys', 'revoke', '01900000-0000-7000-8000-00000000abcd')).rejects.toThrow(/404 .*API_KEY_NOT_FOUND/);
  });
});

describe('trellis audit verify --all', () => {
  it('summarises every stream of the log, all valid', async () => {
    const result = await trellis('audit', 'verify', '--all');
    expect(result.exitCode).toBe(0);
    expect(result.lines).toEqual([expect.stringMatching(/^checked (\d+) streams, \d+ events \(log position \d+\): \1 valid, 0 broken$/)]);
  });

  it('refuses a partnership id together with --all, and neither', async () => {
    await expect(trellis('audit', 'verify', id, '--all')).rejects.toThrow('not both');
    await expect(trellis('audit', 'verify')).rejects.toThrow('give a partnership id, or --all');
  });

  // Last: it tampers with the log.
  it('names the broken streams and exits with code 2 after tampering (as a real process)', async () => {
    const other = await playScenario(new ApiClient(t.url, t.adminKey), STATE_AGENCY_PATH);
    const before = await trellis('audit', 'verify', '--all');
    const [, streams, events, position] = /^checked (\d+) streams, (\d+) events \(log position (\d+)\)/.exec(before.lines[0]!)!;
    const { checkedEvents } = (await new ApiClient(t.url, t.adminKey).get(`/partnerships/${other}/verify`)).body;
    await t.pg!.query(
      `UPDATE ${t.config.dbSchema}.events SET data = jsonb_set(data, '{name}', '"Tampered District"') WHERE stream_id = $1 AND revision = 1`,
      [`partnership-${other}`],
    );
    const run = promisify(execFile)(process.execPath, [path.resolve(__dirname, '../../bin/trellis.js'), 'audit', 'verify', '--all'], { env: { ...process.env } });
    const failure = await run.then(() => null, (error: { code: number; stdout: string; stderr: string }) => error);
    expect({ code: failure?.code, stderr: failure?.stderr }).toEqual({ code: 2, stderr: '' });
    // Revision 0 of the tampered stream still verifies; the rest of it does not count.
    const stillValid = Number(events) - checkedEvents + 1;
    expect(failure!.stdout.trim().split('\n')).toEqual([
      `checked ${streams} streams, ${stillValid} events (log position ${position}): ${Number(streams) - 1} valid, 1 broken`,
      `BROKEN partnership-${other}: first invalid revision 1 (hash does not match the event content) after 1 valid events`,
    ]);
  }, 60_000);
});
