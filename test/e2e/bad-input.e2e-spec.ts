/**
 * The bad-input battery (issue #2 §8): every malformed request gets the right 4xx problem document
 * naming what is wrong, and the partnership's stream is byte-for-byte unchanged afterwards.
 */
import { ApiClient, type ApiResponse } from '../support/api-client';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let api: ApiClient;
let id: string;
let historyBefore: string;

const validJoin = { organizationId: 'lab', name: 'Lab', orgType: 'research_organization', side: 'research' };

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url, t.adminKey);
  id = (await api.post('/partnerships', { name: 'Battery RPP', initiationMode: 'agency', focus: 'bad input' })).body.partnershipId;
  await api.commands(id, [
    ['JoinOrganization', validJoin],
    ['JoinOrganization', { organizationId: 'district', name: 'District', orgType: 'school_district', side: 'practice' }],
    ['JoinParticipant', { participantId: 'res-1', organizationId: 'lab', roles: ['researcher'] }],
  ]);
  historyBefore = (await api.get(`/partnerships/${id}/history?limit=1000`)).text;
});
afterAll(async () => t?.close());

afterEach(async () => {
  // Nothing any bad request did may have reached the log.
  expect((await api.get(`/partnerships/${id}/history?limit=1000`)).text).toBe(historyBefore);
});

function expectProblem(res: ApiResponse, status: number, code: string) {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:trellis:problem:/), title: expect.any(String), status, code, correlationId: expect.any(String) });
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+|node_modules|SELECT |stack/i);
}

const fields = (res: ApiResponse): string[] => (res.body.errors ?? []).map((e: { field: string }) => e.field);
const post = (body: unknown, headers?: Record<string, string>) => api.post(`/partnerships/${id}/commands`, body, headers);

describe('malformed requests', () => {
  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    const res = await api.request('POST', `/partnerships/${id}/commands`, { rawBody: '{"type": "JoinOrganization", "data": {', headers: { 'Content-Type': 'application/json' } });
    expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('a JSON body that is not an object → 400', async () => {
    expectProblem(await post([1, 2, 3]), 400, 'VALIDATION_FAILED');
    const res = await api.request('POST', `/partnerships/${id}/commands`, { rawBody: '"just a string"', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(400);
  });

  it('a non-JSON content type → 415', async () => {
    const res = await api.request('POST', `/partnerships/${id}/commands`, { rawBody: 'type=JoinOrganization', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a huge body → 413', async () => {
    const res = await post({ type: 'JoinOrganization', data: { ...validJoin, organizationId: 'big', name: 'x'.repeat(400_000) } });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('deeply nested JSON → 400 naming the path', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const res = await post({ type: 'JoinOrganization', data: deep });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)[0]).toMatch(/^body\.data(\.d)+$/);
  });
});

describe('the command envelope', () => {
  it('unknown command type → 400 UNKNOWN_COMMAND_TYPE', async () => {
    expectProblem(await post({ type: 'LaunchRocket', data: {} }), 400, 'UNKNOWN_COMMAND_TYPE');
  });

  it('ProposePartnership on the commands route → 400 UNKNOWN_COMMAND_TYPE pointing to POST /partnerships', async () => {
    const res = await post({ type: 'ProposePartnership', data: { name: 'x', initiationMode: 'agency', focus: 'y' } });
    expectProblem(res, 400, 'UNKNOWN_COMMAND_TYPE');
    expect(res.body.detail).toContain('POST /partnerships');
  });

  it('missing type and data → 400 naming both', async () => {
    const res = await post({});
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toEqual(expect.arrayContaining(['type', 'data']));
  });

  it('an extra top-level field → 400 naming it', async () => {
    const res = await post({ type: 'JoinOrganization', data: validJoin, sneaky: true });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toContain('sneaky');
  });

  it('occurredAt in the future → 400', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const res = await post({ type: 'JoinOrganization', data: { ...validJoin, organizationId: 'f' }, occurredAt: future });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toContain('occurredAt');
    expect(JSON.stringify(res.body.errors)).toContain('future');
  });

  it('occurredAt that is not a date-time → 400', async () => {
    for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '2026-02-30', 1700000000, '2026-01-01T10:00:00']) {
      const res = await post({ type: 'JoinOrganization', data: { ...validJoin, organizationId: 'f' }, occurredAt: bad });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fields(res)).toContain('occurredAt');
    }
  });
});

describe('command data', () => {
  it('missing, extra and wrongly typed fields are all named in one 400', async () => {
    const res = await post({ type: 'JoinOrganization', data: { organizationId: 42, orgType: 'spaceport', side: 'research', color: 'blue' } });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toEqual(expect.arrayContaining(['data.organizationId', 'data.name', 'data.orgType', 'data.color']));
  });

  it('nested fields are named with their path', async () => {
    const res = await post({
      type: 'AgreeResearchAgenda',
      data: { workstreamId: 'ws', agendaId: 'a', researchQuestions: [{ questionId: 'q1', text: 'ok' }, { questionId: 'bad id', text: '' }], agreedByParticipantIds: ['res-1'] },
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toEqual(expect.arrayContaining(['data.researchQuestions[1].questionId', 'data.researchQuestions[1].text']));
  });

  it('an oversize string → 400', async () => {
    const res = await post({ type: 'JoinOrganization', data: { ...validJoin, organizationId: 'o', name: 'n'.repeat(5_000) } });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toContain('data.name');
  });

  it('an oversize array → 400', async () => {
    const res = await post({ type: 'JoinParticipant', data: { participantId: 'p', organizationId: 'lab', roles: Array(50).fill('researcher') } });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toContain('data.roles');
  });

  it('invalid client ids → 400', async () => {
    for (const bad of ['has space', 'x'.repeat(101), 'ünïcode', '', '../etc']) {
      const res = await post({ type: 'JoinOrganization', data: { ...validJoin, organizationId: bad } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fields(res)).toContain('data.organizationId');
    }
  });

  it('invalid dates → 400', async () => {
    const res = await post({
      type: 'ExecuteDataSharingAgreement',
      data: { dsaId: 'd', providerOrganizationId: 'district', recipientOrganizationIds: ['lab'], legalBasis: 'ferpa_studies_exception', purpose: 'p', dataCategories: ['attendance'], piiIncluded: true, effectiveFrom: '2026-02-30', expiresOn: '2025-01-01', destructionPeriodDays: 30 },
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toContain('data.effectiveFrom');
  });
});

describe('ids and references', () => {
  it('a partnership id that is not a UUID → 400 INVALID_ID', async () => {
    const res = await api.post('/partnerships/not-a-uuid/commands', { type: 'JoinOrganization', data: validJoin });
    expectProblem(res, 400, 'INVALID_ID');
    expectProblem(await api.get('/partnerships/12345'), 400, 'INVALID_ID');
  });

  it('an unknown partnership → 404 PARTNERSHIP_NOT_FOUND', async () => {
    const unknown = '01900000-0000-7000-8000-000000000000';
    expectProblem(await api.post(`/partnerships/${unknown}/commands`, { type: 'JoinOrganization', data: validJoin }), 404, 'PARTNERSHIP_NOT_FOUND');
    expectProblem(await api.get(`/partnerships/${unknown}`), 404, 'PARTNERSHIP_NOT_FOUND');
    expectProblem(await api.get(`/partnerships/${unknown}/history`), 404, 'PARTNERSHIP_NOT_FOUND');
    expectProblem(await api.get(`/partnerships/${unknown}/verify`), 404, 'PARTNERSHIP_NOT_FOUND');
  });

  it('a domain rule refusal → 422 with the rule code, nothing appended', async () => {
    const res = await post({ type: 'JoinParticipant', data: { participantId: 'p', organizationId: 'ghost-org', roles: ['researcher'] } });
    expectProblem(res, 422, 'UNKNOWN_REFERENCE');
    const dup = await post({ type: 'JoinOrganization', data: validJoin });
    expectProblem(dup, 422, 'DUPLICATE_ID');
  });

  it('a bad If-Match or Idempotency-Key header → 400 INVALID_HEADER', async () => {
    expectProblem(await post({ type: 'JoinOrganization', data: validJoin }, { 'If-Match': 'revision 3' }), 400, 'INVALID_HEADER');
    expectProblem(await post({ type: 'JoinOrganization', data: validJoin }, { 'Idempotency-Key': 'x'.repeat(300) }), 400, 'INVALID_HEADER');
  });
});

describe('odd Unicode', () => {
  it('a NUL character → 400 INVALID_TEXT naming the field', async () => {
    const res = await post({ type: 'JoinOrganization', data: { ...validJoin, organizationId: 'nul', name: 'Lab\u0000Name' } });
    expectProblem(res, 400, 'INVALID_TEXT');
    expect(fields(res)).toContain('body.data.name');
  });

  it('a lone surrogate → 400 INVALID_TEXT', async () => {
    const raw = '{"type":"JoinOrganization","data":{"organizationId":"sur","name":"Lab \\ud800 x","orgType":"school","side":"practice"}}';
    const res = await api.request('POST', `/partnerships/${id}/commands`, { rawBody: raw, headers: { 'Content-Type': 'application/json' } });
    expectProblem(res, 400, 'INVALID_TEXT');
  });

  it('control characters and bidi tricks in ids → 400', async () => {
    const res = await post({ type: 'JoinOrganization', data: { ...validJoin, organizationId: 'a\u202Eb' } });
    expect(res.status).toBe(400);
  });
});

describe('well-formed Unicode is welcome', () => {
  // Not part of the battery's "unchanged" invariant: a separate partnership.
  it('stores names in any script, emoji and combining marks exactly', async () => {
    const other = (await api.post('/partnerships', { name: 'Asociación Comunitaria ✊🏽 — 社区研究 — שותפות', initiationMode: 'community', focus: 'Voz de las familias: é (e\u0301)' })).body.partnershipId;
    const res = await api.command(other, 'JoinOrganization', { organizationId: 'org', name: 'Ōtautahi Whānau Trust 🌿', orgType: 'community_organization', side: 'community' });
    expect(res.status).toBe(201);
    const state = await api.get(`/partnerships/${other}`);
    expect(state.body.state.organizations.org.name).toBe('Ōtautahi Whānau Trust 🌿');
    expect((await api.get(`/partnerships/${other}/verify`)).body.valid).toBe(true);
  });
});
