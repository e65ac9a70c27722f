/**
 * The event catalog over HTTP, on the real application (PostgreSQL store, Redis): access by role,
 * content negotiation, ETags, bad input as problems — and the proof end to end: every event type,
 * recorded through the command API, is served in envelopes and as webhook bodies that validate against
 * the catalog this very server publishes.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { HTTP, ValidationError } from 'cloudevents';
import { PARTNERSHIP_EVENT_TYPES, PartnershipFixtures } from '@trellis/domain';
import type { ExportedEvent } from '@trellis/event-store';
import { API_KEY_STORE, type ApiKeyStore } from '@trellis/platform';
import { serializeCloudEvent, toCloudEvent } from '../../../../libs/integrations/src/webhooks/cloud-event';
import { abandonedPartnershipPlan, closedPartnershipPlan } from '../../../../libs/integrations/src/catalog/testing/every-event.plan';
import { ApiClient } from '../../../../test/support/api-client';
import { startTestApp, type TestApp } from '../../../../test/support/test-app';

let testApp: TestApp;
let admin: ApiClient;
let keys: ApiKeyStore;

beforeAll(async () => {
  testApp = await startTestApp();
  admin = new ApiClient(testApp.url, testApp.adminKey);
  keys = testApp.app.get(API_KEY_STORE);
});

afterAll(async () => {
  await testApp?.close();
});

describe('who may read the catalog', () => {
  it('every role, integrators included; nobody without a key', async () => {
    for (const role of ['admin', 'auditor', 'member', 'integrator'] as const) {
      const client = admin.withKey((await keys.create({ name: `catalog-${role}`, role })).secret);
      expect({ role, status: (await client.get('/events/catalog')).status }).toEqual({ role, status: 200 });
      expect({ role, status: (await client.get('/events/schemas/PilotApproved')).status }).toEqual({ role, status: 200 });
    }
    const anonymous = admin.withKey(undefined);
    for (const path of ['/events/catalog', '/events/schemas/PilotApproved']) {
      const res = await anonymous.get(path);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('GET /events/catalog', () => {
  it('serves the AsyncAPI 3.0 document with a strong ETag, and 304 for If-None-Match', async () => {
    const res = await admin.get('/events/catalog');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body.asyncapi).toBe('3.0.0');
    expect(Object.keys(res.body.channels)).toEqual(['webhook', 'eventFeed', 'eventStream']);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get('cache-control')).toBe('private, no-cache');

    const again = await admin.get('/events/catalog', revalidate(etag));
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect((await admin.get('/events/catalog', revalidate('"something-else"'))).status).toBe(200);
  });

  it('answers in the AsyncAPI media type when asked, and 406 for what it cannot serve', async () => {
    const asyncapi = await admin.get('/events/catalog', { Accept: 'application/vnd.aai.asyncapi+json' });
    expect(asyncapi.status).toBe(200);
    expect(asyncapi.headers.get('content-type')).toBe('application/vnd.aai.asyncapi+json; charset=utf-8');
    expect(JSON.parse(asyncapi.text).asyncapi).toBe('3.0.0');

    const html = await admin.get('/events/catalog', { Accept: 'text/html' });
    expect(html.status).toBe(406);
    expect(html.headers.get('content-type')).toContain('application/problem+json');
    expect(html.body.code).toBe('NOT_ACCEPTABLE');
  });
});

describe('GET /events/schemas/:type', () => {
  it('serves the latest version by default, and the same for ?version=<latest>', async () => {
    const res = await admin.get('/events/schemas/ToolRevised');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      type: 'ToolRevised',
      schemaVersion: 1,
      latestSchemaVersion: 1,
      versions: [1],
      cloudEventType: 'trellis.ToolRevised.v1',
    });
    expect(res.body.schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'urn:trellis:event-schema:ToolRevised:v1',
      type: 'object',
      additionalProperties: false,
    });
    expect(res.body.schema.required).toEqual(expect.arrayContaining(['workstreamId', 'toolId', 'fromVersion', 'version']));
    const explicit = await admin.get('/events/schemas/ToolRevised?version=1');
    expect(explicit.body).toEqual(res.body);
    expect(explicit.headers.get('etag')).toBe(res.headers.get('etag'));
    expect((await admin.get('/events/schemas/ToolRevised', revalidate(res.headers.get('etag')!))).status).toBe(304);
    const bare = await admin.get('/events/schemas/ToolRevised', { Accept: 'application/schema+json' });
    expect((await admin.get('/events/schemas/ToolRevised', { Accept: 'application/schema+json', ...revalidate(bare.headers.get('etag')!) })).status).toBe(304);
    expect((await admin.get('/events/schemas/ToolRevised', revalidate(bare.headers.get('etag')!))).status).toBe(200);
  });

  it('serves the bare JSON Schema for Accept: application/schema+json, under its own ETag', async () => {
    const wrapped = await admin.get('/events/schemas/PhaseTransitioned');
    const bare = await admin.get('/events/schemas/PhaseTransitioned', { Accept: 'application/schema+json' });
    expect(bare.status).toBe(200);
    expect(bare.headers.get('content-type')).toBe('application/schema+json; charset=utf-8');
    expect(JSON.parse(bare.text)).toEqual(wrapped.body.schema);
    expect(bare.headers.get('etag')).not.toBe(wrapped.headers.get('etag'));
    expect(bare.headers.get('vary')).toContain('Accept');
  });

  it('answers 404 UNKNOWN_EVENT_TYPE for a type that does not exist (names are case-sensitive)', async () => {
    for (const type of ['NoSuchEvent', 'pilotapproved', 'constructor', '__proto__', 'x'.repeat(300)]) {
      const res = await admin.get(`/events/schemas/${type}`);
      expect({ type, status: res.status, code: res.body.code }).toEqual({ type, status: 404, code: 'UNKNOWN_EVENT_TYPE' });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.detail.length).toBeLessThan(200);
    }
  });

  it('answers 404 UNKNOWN_SCHEMA_VERSION for a version never published, listing the published ones', async () => {
    const res = await admin.get('/events/schemas/PilotApproved?version=2');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'UNKNOWN_SCHEMA_VERSION', versions: [1] });
  });

  it('answers 400 INVALID_QUERY for a malformed version', async () => {
    for (const query of ['version=0', 'version=-1', 'version=1.5', 'version=abc', 'version=', 'version=1&version=1', 'version=99999999999']) {
      const res = await admin.get(`/events/schemas/PilotApproved?${query}`);
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code: 'INVALID_QUERY' });
      expect(res.body.errors).toEqual([{ field: 'query.version', messages: [expect.any(String)] }]);
    }
  });
});

describe('the OpenAPI document', () => {
  it('describes both routes, their answers and their problem codes', async () => {
    const doc = (await admin.withKey(undefined).get('/docs-json')).body;
    const catalog = doc.paths['/events/catalog'].get;
    const schemas = doc.paths['/events/schemas/{type}'].get;
    expect(Object.keys(catalog.responses)).toEqual(expect.arrayContaining(['200', '304', '401', '403', '406']));
    expect(Object.keys(schemas.responses)).toEqual(expect.arrayContaining(['200', '304', '400', '401', '403', '404', '406']));
    expect(schemas.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['type', 'version']));
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(expect.arrayContaining(['UNKNOWN_EVENT_TYPE', 'UNKNOWN_SCHEMA_VERSION']));
  });
});

describe('every event recorded through the API validates against the catalog the server publishes', () => {
  it('envelopes (as read back) and webhook bodies (CloudEvents), for every event type', async () => {
    const catalog = (await admin.get('/events/catalog')).body;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(catalog, 'urn:test:catalog');
    const schemaAt = (pointer: string): ValidateFunction => ajv.getSchema(`urn:test:catalog#${pointer}`)!;
    const dataSchemas = new Map<string, ValidateFunction>();
    const strict = new Ajv({ strict: true, allErrors: true });
    addFormats(strict);

    const events: ExportedEvent[] = [];
    for (const plan of [closedPartnershipPlan(), abandonedPartnershipPlan()]) {
      events.push(...(await record(plan)));
    }
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(PARTNERSHIP_EVENT_TYPES));

    const failures: string[] = [];
    for (const event of events) {
      const { type, schemaVersion } = event;
      if (!dataSchemas.has(type)) {
        const served = await admin.get(`/events/schemas/${type}?version=${schemaVersion}`, { Accept: 'application/schema+json' });
        dataSchemas.set(type, strict.compile(JSON.parse(served.text)));
      }
      const check = (what: string, validate: ValidateFunction, value: unknown) => {
        if (!validate(value)) failures.push(`${type} r${event.revision} ${what}: ${ajv.errorsText(validate.errors)}`);
      };
      check('data', dataSchemas.get(type)!, event.data);
      check('envelope', schemaAt(`/components/messages/${type}.v${schemaVersion}.envelope/payload`), event);
      const recorded = { ...event, revision: BigInt(event.revision), position: BigInt(event.position) } as Parameters<typeof toCloudEvent>[0];
      const body = serializeCloudEvent(toCloudEvent(recorded));
      check('webhook body', schemaAt(`/components/messages/${type}.v${schemaVersion}.cloudevent/payload`), JSON.parse(body));
      // The CloudEvents SDK reads it as a valid structured-mode event of the catalog's type.
      try {
        const parsed = HTTP.toEvent({ headers: { 'content-type': 'application/cloudevents+json' }, body });
        expect(parsed).toMatchObject({ type: `trellis.${type}.v${schemaVersion}`, id: event.eventId });
      } catch (error) {
        failures.push(`${type}: the CloudEvents SDK refused the body: ${error instanceof ValidationError ? JSON.stringify(error.errors) : String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

/**
 * A conditional GET as a browser revalidates. fetch() adds `Cache-Control: no-cache` to a request with
 * If-None-Match unless it has a Cache-Control of its own, and a no-cache request is never answered 304.
 */
const revalidate = (etag: string): Record<string, string> => ({ 'If-None-Match': etag, 'Cache-Control': 'max-age=0' });

/** Runs a plan through the command API (back-dated to each command's day) and reads the history back. */
async function record(plan: PartnershipFixtures.PlannedCommand[]): Promise<ExportedEvent[]> {
  const [proposal, ...commands] = plan;
  if (proposal?.type !== 'ProposePartnership') throw new Error('a plan starts with ProposePartnership');
  const at = (on: string) => `${on}T10:00:00.000Z`;
  const proposed = await admin.post('/partnerships', { ...proposal.data, occurredAt: at(proposal.on) });
  if (proposed.status !== 201) throw new Error(`ProposePartnership → ${proposed.status}: ${proposed.text}`);
  const id: string = proposed.body.partnershipId;
  await admin.commands(
    id,
    commands.map((c) => [c.type, c.data, { occurredAt: at(c.on), ...(c.actorParticipantId ? { actorParticipantId: c.actorParticipantId } : {}) }] as const),
  );
  const history = await admin.get(`/partnerships/${id}/history?limit=1000`);
  expect(history.status).toBe(200);
  expect(history.body.nextAfterRevision).toBeNull();
  return history.body.events as ExportedEvent[];
}
