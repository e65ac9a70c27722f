/**
 * The read side end to end: the API with its BullMQ workers in process (real Redis, real
 * PostgreSQL). Commands land in the log; the projection runners build the read models; the
 * endpoints serve them; admins rebuild a projection blue/green while it keeps answering.
 */
import { Writable } from 'node:stream';
import { API_KEY_STORE, type ApiKeyStore } from '@trellis/platform';
import { buildProgram } from '../../apps/cli/src/cli';
import { ApiClient } from '../support/api-client';
import { STATE_AGENCY_PATH, TOOL_PATH, playScenario } from '../support/seed-scenarios';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let api: ApiClient;
let toolId: string;
let stateId: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function caughtUp(timeoutMs = 60_000): Promise<any[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api.get('/admin/projections');
    if (body.projections.length > 0 && body.projections.every((p: any) => p.lag === '0' && p.status !== 'rebuilding')) return body.projections;
    if (Date.now() > end) throw new Error(`projections did not catch up: ${JSON.stringify(body)}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  t = await startTestApp({ env: { RUN_WORKERS: 'true' } });
  api = new ApiClient(t.url, t.adminKey);
  toolId = await playScenario(api, TOOL_PATH);
  stateId = await playScenario(api, STATE_AGENCY_PATH);
  await caughtUp();
}, 120_000);
afterAll(async () => t?.close());

describe('read models built by the workers', () => {
  it('lists partnerships with filters and stable cursor pagination', async () => {
    const all = await api.get('/partnerships?limit=50');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: any) => i.partnershipId)).toEqual([toolId, stateId]);
    const first = await api.get('/partnerships?limit=1');
    expect(first.body.items.map((i: any) => i.partnershipId)).toEqual([toolId]);
    const second = await api.get(`/partnerships?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((i: any) => i.partnershipId)).toEqual([stateId]);
    expect(second.body.nextCursor).toBeNull();
    const studying = await api.get('/partnerships?phase=formal_study');
    expect(studying.body.items.map((i: any) => i.partnershipId)).toEqual([stateId]);
    const byOrg = await api.get('/partnerships?organizationId=riverside-usd&status=active');
    expect(byOrg.body.items.map((i: any) => i.partnershipId)).toEqual([toolId]);
    expect((await api.get('/partnerships?phase=flying')).body.code).toBe('INVALID_QUERY');
  });

  it('serves effectiveness along five dimensions, with no composite score', async () => {
    const res = await api.get(`/partnerships/${toolId}/effectiveness`);
    expect(res.status).toBe(200);
    expect(res.body.dimensions).toHaveLength(5);
    expect(JSON.stringify(res.body)).not.toMatch(/"(overall|composite|total)Score"/i);
  });

  it('lists the tool path’s workstream as stalled in use & dissemination (no research use since April)', async () => {
    const res = await api.get(`/workstreams?stalled=true&partnershipId=${toolId}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ workstreamId: 'ws-attendance-tool', phase: 'use_dissemination', stalled: true })]);
    expect(res.body.items[0].daysOverThreshold).toBeGreaterThan(0);
  });

  it('serves the agreements register and the broker network', async () => {
    const agreements = await api.get(`/partnerships/${toolId}/agreements`);
    expect(agreements.status).toBe(200);
    expect(JSON.stringify(agreements.body)).toContain('dsa-rusd-attendance');
    const brokers = await api.get(`/partnerships/${stateId}/brokers`);
    expect(brokers.status).toBe(200);
    expect(JSON.stringify(brokers.body)).toContain('p-sea-director');
  });

  it('reflects a new command within moments', async () => {
    const res = await api.command(stateId, 'ChangePartnershipStatus', { status: 'paused', reason: 'legislative session ended; funding pending' });
    expect(res.status).toBe(201);
    for (let i = 0; i < 100; i++) {
      const list = await api.get('/partnerships?status=paused');
      if (list.body.items.some((x: any) => x.partnershipId === stateId)) return;
      await sleep(100);
    }
    throw new Error('the paused status never reached the summary');
  });
});

describe('admin replay', () => {
  it('reports every projection with version, status, checkpoint, head and lag', async () => {
    const projections = await caughtUp();
    expect(projections.map((p) => p.name).sort()).toEqual(expect.arrayContaining(['agreements', 'broker_network', 'effectiveness', 'partnership_summary', 'stalled_workstreams']));
    for (const p of projections) {
      expect(p).toMatchObject({ version: p.codeVersion, checkpoint: p.head, lag: '0', rebuild: null, lastError: null });
      expect(Number(p.eventsApplied)).toBeGreaterThan(0);
    }
    expect((await api.get('/admin/projections/partnership_summary')).body.name).toBe('partnership_summary');
  });

  it('rebuilds a projection blue/green (202), refuses a second one (409), keeps answering, then swaps', async () => {
    const before = (await api.get('/partnerships?limit=50')).body.items;
    const generation = (await api.get('/admin/projections/partnership_summary')).body.generation;
    const started = await api.post('/admin/projections/partnership_summary/rebuild', { reason: 'e2e' });
    expect(started.status).toBe(202);
    expect(started.body.jobId).toMatch(/^rebuild-partnership_summary-/);
    const again = await api.post('/admin/projections/partnership_summary/rebuild', {});
    if (again.status === 409) expect(again.body).toMatchObject({ code: 'REBUILD_IN_PROGRESS', jobId: started.body.jobId });
    else expect(again.status).toBe(202); // the first was already done: a fast small log

    for (let i = 0; i < 300; i++) {
      expect((await api.get('/partnerships?limit=50')).status).toBe(200); // queries keep answering
      const status = (await api.get('/admin/projections/partnership_summary')).body;
      if (status.rebuild === null && status.generation > generation) break;
      await sleep(100);
    }
    const after = await api.get('/admin/projections/partnership_summary');
    expect(after.body.generation).toBeGreaterThan(generation);
    await caughtUp();
    expect((await api.get('/partnerships?limit=50')).body.items).toEqual(before);
  });

  it('answers 404 for an unknown projection, 409 when cancelling nothing, 400 for a bad body, 403 for non-admins', async () => {
    expect((await api.post('/admin/projections/nope/rebuild', {})).body.code).toBe('PROJECTION_NOT_FOUND');
    expect((await api.post('/admin/projections/agreements/rebuild/cancel', {})).body.code).toBe('NO_REBUILD_IN_PROGRESS');
    expect((await api.post('/admin/projections/agreements/rebuild', { reason: 7 })).status).toBe(400);
    const keys = t.app.get<ApiKeyStore>(API_KEY_STORE);
    const auditor = api.withKey((await keys.create({ name: 'aud', role: 'auditor' })).secret);
    expect((await auditor.get('/admin/projections')).status).toBe(403);
    expect((await auditor.post('/admin/projections/agreements/rebuild', {})).status).toBe(403);
  });

  it('cancels a rebuild', async () => {
    const started = await api.post('/admin/projections/effectiveness/rebuild', {});
    expect(started.status).toBe(202);
    const cancel = await api.post('/admin/projections/effectiveness/rebuild/cancel', {});
    // A small log may finish before the cancellation lands: then there is nothing left to cancel.
    expect([202, 409]).toContain(cancel.status);
    await caughtUp();
    expect((await api.get(`/partnerships/${toolId}/effectiveness`)).status).toBe(200);
  });

  it('drives the same from the CLI, with a progress bar', async () => {
    process.env['TRELLIS_URL'] = t.url;
    process.env['TRELLIS_API_KEY'] = t.adminKey;
    const lines: string[] = [];
    let progress = '';
    const sink = new Writable({ write: (chunk, _enc, cb) => ((progress += String(chunk)), cb()) });
    await buildProgram((l) => lines.push(l), { pollMs: 50, progressStream: sink }).exitOverride().parseAsync(['node', 'trellis', 'projections', 'list']);
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+STATUS\s+CHECKPOINT\s+HEAD\s+LAG/);
    expect(lines.some((l) => l.startsWith('partnership_summary'))).toBe(true);
    lines.length = 0;
    await buildProgram((l) => lines.push(l), { pollMs: 50, progressStream: sink }).exitOverride().parseAsync(['node', 'trellis', 'projections', 'rebuild', 'broker_network', '--follow']);
    expect(lines[0]).toMatch(/^rebuild of broker_network started: job rebuild-broker_network-/);
    expect(lines.at(-1)).toBe('rebuild of broker_network done: swapped to the new generation');
    expect(process.exitCode ?? 0).toBe(0);
    lines.length = 0;
    await buildProgram((l) => lines.push(l)).exitOverride().parseAsync(['node', 'trellis', 'projections', 'status', 'broker_network']);
    expect(lines[0]).toMatch(/^broker_network {2}version 1 {2}generation \d+/);
  });
});

describe('queue dashboard', () => {
  it('is for admins only: Basic prompt without credentials, 403 for other roles, the board for admins', async () => {
    const anon = await fetch(`${t.url}/admin/queues`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm="Trellis queues"/);
    const keys = t.app.get<ApiKeyStore>(API_KEY_STORE);
    const member = (await keys.create({ name: 'm', role: 'member' })).secret;
    const basic = (secret: string) => ({ Authorization: `Basic ${Buffer.from(`any:${secret}`).toString('base64')}` });
    expect((await fetch(`${t.url}/admin/queues`, { headers: basic(member) })).status).toBe(403);
    const board = await fetch(`${t.url}/admin/queues`, { headers: basic(t.adminKey) });
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('Trellis queues');
    const apiCall = await fetch(`${t.url}/admin/queues/api/queues`, { headers: { Authorization: `Bearer ${t.adminKey}` } });
    expect(apiCall.status).toBe(200);
    expect(JSON.stringify(await apiCall.json())).toContain('projections');
  });
});
