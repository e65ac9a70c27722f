/**
 * Reads and audit over HTTP (issue #2 §5): bitemporal state, history pages and streamed exports that
 * verify offline, and chain verification that catches a row altered directly in the database.
 */
import { parseExport, verifyExport } from '@trellis/event-store';
import { ApiClient } from '../support/api-client';
import { TOOL_PATH, playScenario } from '../support/seed-scenarios';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url, t.adminKey);
});
afterAll(async () => t?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('GET /partnerships/:id?asOf — bitemporal', () => {
  let id: string;
  let betweenRecordings: string;

  beforeAll(async () => {
    id = (await api.post('/partnerships', { name: 'Bitemporal RPP', initiationMode: 'agency', focus: 'f', occurredAt: '2025-01-10T09:00:00Z' })).body.partnershipId;
    await api.commands(id, [['JoinOrganization', { organizationId: 'district', name: 'District', orgType: 'school_district', side: 'practice' }, { occurredAt: '2025-01-10T10:00:00Z' }]]);
    await sleep(20);
    betweenRecordings = new Date().toISOString();
    await sleep(20);
    // Entered later, but it happened long before: a back-dated fact.
    await api.commands(id, [['JoinOrganization', { organizationId: 'lab', name: 'Lab', orgType: 'research_organization', side: 'research' }, { occurredAt: '2025-01-12T10:00:00Z' }]]);
  });

  it('time=recorded shows what the system knew then: the back-dated fact is absent', async () => {
    const res = await api.get(`/partnerships/${id}?asOf=${encodeURIComponent(betweenRecordings)}&time=recorded`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.state.organizations)).toEqual(['district']);
    expect(res.body).toMatchObject({ revision: '1', asOf: betweenRecordings, time: 'recorded', eventsApplied: 2 });
  });

  it('time=occurred shows what had happened by then, as known now: the back-dated fact is present', async () => {
    const res = await api.get(`/partnerships/${id}?asOf=${encodeURIComponent(betweenRecordings)}&time=occurred`);
    expect(Object.keys(res.body.state.organizations).sort()).toEqual(['district', 'lab']);
    expect(res.body).toMatchObject({ revision: '2', time: 'occurred', eventsApplied: 3 });
  });

  it('recorded is the default axis, and the two agree once everything is recorded', async () => {
    const def = await api.get(`/partnerships/${id}?asOf=${encodeURIComponent(betweenRecordings)}`);
    expect(def.body.time).toBe('recorded');
    const now = new Date().toISOString();
    const a = await api.get(`/partnerships/${id}?asOf=${encodeURIComponent(now)}&time=recorded`);
    const b = await api.get(`/partnerships/${id}?asOf=${encodeURIComponent(now)}&time=occurred`);
    expect(a.body.state).toEqual(b.body.state);
  });

  it('occurred time between the real dates: only what had happened by 2025-01-11', async () => {
    const res = await api.get(`/partnerships/${id}?asOf=2025-01-11&time=occurred`);
    expect(Object.keys(res.body.state.organizations)).toEqual(['district']);
  });

  it('before the partnership existed → 404; bad asOf or time → 400', async () => {
    expect((await api.get(`/partnerships/${id}?asOf=2020-01-01T00:00:00Z&time=occurred`)).status).toBe(404);
    expect((await api.get(`/partnerships/${id}?asOf=not-a-date`)).body.code).toBe('INVALID_QUERY');
    expect((await api.get(`/partnerships/${id}?asOf=2025-01-01&time=sideways`)).body.code).toBe('INVALID_QUERY');
    expect((await api.get(`/partnerships/${id}?time=occurred`)).status).toBe(400);
  });
});

describe('history and exports', () => {
  let id: string;
  let total: number;

  beforeAll(async () => {
    id = await playScenario(api, TOOL_PATH);
    total = Number((await api.get(`/partnerships/${id}`)).body.revision) + 1;
  });

  it('pages with afterRevision/limit and says where to continue', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res: any = await api.get(`/partnerships/${id}/history?limit=7${after === null ? '' : `&afterRevision=${after}`}`);
      expect(res.status).toBe(200);
      expect(res.body.events.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.events.map((e: any) => e.revision));
      after = res.body.nextAfterRevision;
    } while (after !== null);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => String(i)));
  });

  it('returns full envelopes with string positions and revisions', async () => {
    const { body } = await api.get(`/partnerships/${id}/history?limit=2`);
    expect(body.events[0]).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
      type: 'PartnershipProposed',
      schemaVersion: 1,
      streamId: `partnership-${id}`,
      revision: '0',
      position: expect.stringMatching(/^\d+$/),
      data: expect.objectContaining({ name: TOOL_PATH.proposal['name'] }),
      metadata: expect.objectContaining({ prevHash: '0'.repeat(64), hash: expect.stringMatching(/^[0-9a-f]{64}$/), occurredAt: '2024-08-20T15:00:00.000Z' }),
    });
    expect(BigInt(body.events[1].position)).toBeGreaterThan(BigInt(body.events[0].position));
  });

  it('streams an NDJSON export that verifies offline', async () => {
    const res = await api.get(`/partnerships/${id}/history`, { Accept: 'application/x-ndjson' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    expect(res.headers.get('content-disposition')).toContain(`partnership-${id}.ndjson`);
    const events = parseExport(res.text, 'ndjson');
    expect(events).toHaveLength(total);
    expect(await verifyExport(events)).toMatchObject({ valid: true, streams: [{ checkedEvents: total }] });
  });

  it('streams a CSV export that verifies offline', async () => {
    const res = await api.get(`/partnerships/${id}/history`, { Accept: 'text/csv' });
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.text.split('\r\n')[0]).toBe('position,revision,eventId,type,schemaVersion,streamId,occurredAt,recordedAt,prevHash,hash,data,metadata,people');
    const events = parseExport(res.text, 'csv');
    expect(events).toHaveLength(total);
    expect((await verifyExport(events)).valid).toBe(true);
  });

  it('an export edited after download no longer verifies', async () => {
    const res = await api.get(`/partnerships/${id}/history`, { Accept: 'application/x-ndjson' });
    const edited = res.text.replace('"Riverside Unified School District"', '"Some Other District"');
    expect(edited).not.toBe(res.text);
    const result = await verifyExport(parseExport(edited, 'ndjson'));
    expect(result.valid).toBe(false);
    expect(result.streams[0]!.firstInvalidRevision).toBe('1');
  });

  it('answers 406 for a representation it cannot produce, and 400 for bad paging', async () => {
    expect((await api.get(`/partnerships/${id}/history`, { Accept: 'application/xml' })).status).toBe(406);
    expect((await api.get(`/partnerships/${id}/history?afterRevision=-1`)).body.code).toBe('INVALID_QUERY');
    expect((await api.get(`/partnerships/${id}/history?limit=0`)).body.code).toBe('INVALID_QUERY');
    expect((await api.get(`/partnerships/${id}/history?limit=5000`)).body.code).toBe('INVALID_QUERY');
  });
});

describe('GET /partnerships/:id/verify', () => {
  it('reports a valid chain, then catches a row altered directly in the database', async () => {
    const id = await playScenario(api, TOOL_PATH);
    const before = await api.get(`/partnerships/${id}/verify`);
    expect(before.body).toMatchObject({ valid: true, headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(before.body.firstInvalidRevision).toBeUndefined();

    // An insider edits history behind the API's back.
    const schema = t.config.dbSchema;
    const updated = await t.pg!.query(
      `UPDATE ${schema}.events SET data = jsonb_set(data, '{name}', '"Tampered District"') WHERE stream_id = $1 AND revision = 1`,
      [`partnership-${id}`],
    );
    expect(updated.rowCount).toBe(1);

    const after = await api.get(`/partnerships/${id}/verify`);
    expect(after.body).toMatchObject({ valid: false, checkedEvents: 1, firstInvalidRevision: '1' });
  });
});
