/**
 * Authentication, the public operational routes, and the OpenAPI document.
 */
import { STREAM_COMMAND_TYPES } from '@trellis/domain';
import { API_KEY_STORE, type ApiKeyStore } from '@trellis/platform';
import { ApiClient } from '../support/api-client';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let api: ApiClient;
let keys: ApiKeyStore;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url, t.adminKey);
  keys = t.app.get(API_KEY_STORE);
});
afterAll(async () => t?.close());

describe('authentication', () => {
  it('every partnership route needs a key: 401 with WWW-Authenticate when it is missing or unknown', async () => {
    const anon = api.withKey(undefined);
    const routes: Array<[string, string]> = [
      ['POST', '/partnerships'],
      ['POST', '/partnerships/01900000-0000-7000-8000-000000000000/commands'],
      ['GET', '/partnerships/01900000-0000-7000-8000-000000000000'],
      ['GET', '/partnerships/01900000-0000-7000-8000-000000000000/history'],
      ['GET', '/partnerships/01900000-0000-7000-8000-000000000000/verify'],
    ];
    for (const [method, path] of routes) {
      for (const client of [anon, api.withKey('trk_not-a-real-key-0000000000000000')]) {
        const res = await client.request(method, path, method === 'POST' ? { body: {} } : {});
        expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 401, code: 'UNAUTHENTICATED' });
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
  });

  it('a revoked key stops working at once', async () => {
    const { record, secret } = await keys.create({ name: 'temp', role: 'member' });
    const client = api.withKey(secret);
    expect((await client.post('/partnerships', { name: 'x', initiationMode: 'agency', focus: 'y' })).status).toBe(201);
    await keys.revoke(record.apiKeyId);
    expect((await client.post('/partnerships', { name: 'x', initiationMode: 'agency', focus: 'y' })).status).toBe(401);
  });

  it('roles: auditors read but never write (403), members write', async () => {
    const auditor = api.withKey((await keys.create({ name: 'aud', role: 'auditor' })).secret);
    const member = api.withKey((await keys.create({ name: 'mem', role: 'member' })).secret);
    const integrator = api.withKey((await keys.create({ name: 'int', role: 'integrator' })).secret);
    const created = await member.post('/partnerships', { name: 'Member-made', initiationMode: 'agency', focus: 'f' });
    expect(created.status).toBe(201);
    const id = created.body.partnershipId;
    expect((await auditor.get(`/partnerships/${id}`)).status).toBe(200);
    expect((await auditor.get(`/partnerships/${id}/verify`)).status).toBe(200);
    const refused = await auditor.command(id, 'JoinOrganization', { organizationId: 'a', name: 'A', orgType: 'school', side: 'practice' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect((await integrator.get(`/partnerships/${id}`)).status).toBe(403);
    expect((await api.get(`/partnerships/${id}`)).body.revision).toBe('0');
  });

  it('the key is stored only as a hash', async () => {
    const { secret } = await keys.create({ name: 'hash-check', role: 'member' });
    const { rows } = await t.pg!.query(`SELECT * FROM ${t.config.dbSchema}.api_keys`);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(t.adminKey);
  });
});

describe('operations', () => {
  it('GET /health is public and reports each dependency', async () => {
    const res = await api.withKey(undefined).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { eventStore: { status: 'up' }, readStore: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('unknown routes answer a 404 problem document', async () => {
    const res = await api.get('/no-such-route');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});

describe('OpenAPI', () => {
  let doc: any;
  beforeAll(async () => {
    doc = (await api.withKey(undefined).get('/docs-json')).body;
  });

  it('is served at /docs-json (and the UI at /docs)', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect((await api.withKey(undefined).get('/docs')).status).toBe(200);
  });

  it('describes every route', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(
      expect.arrayContaining(['/partnerships', '/partnerships/{id}/commands', '/partnerships/{id}', '/partnerships/{id}/history', '/partnerships/{id}/verify', '/health']),
    );
  });

  it('describes every command type with its own schema, discriminated by type', () => {
    const request = doc.components.schemas.PartnershipCommandRequest;
    expect(Object.keys(request.discriminator.mapping).sort()).toEqual([...STREAM_COMMAND_TYPES].sort());
    for (const type of STREAM_COMMAND_TYPES) {
      const envelope = doc.components.schemas[`${type}Command`];
      const dataRef: string = envelope.properties.data.$ref;
      const dataSchema = doc.components.schemas[dataRef.split('/').pop()!];
      expect({ type, hasProperties: Object.keys(dataSchema.properties ?? {}).length > 0 }).toEqual({ type, hasProperties: true });
    }
  });

  it('describes every error code', () => {
    const codes: string[] = doc.components.schemas.Problem.properties.code.enum;
    for (const code of ['VALIDATION_FAILED', 'UNKNOWN_COMMAND_TYPE', 'REVISION_MISMATCH', 'IDEMPOTENCY_KEY_REUSED', 'PAYLOAD_TOO_LARGE', 'JOINT_INTERPRETATION_REQUIRES_PRACTICE', 'DUPLICATE_ID']) {
      expect(codes).toContain(code);
    }
    const commandResponses = doc.paths['/partnerships/{id}/commands'].post.responses;
    expect(Object.keys(commandResponses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '412', '413', '422']));
  });
});
