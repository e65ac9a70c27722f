/**
 * The timeline page over HTTP (Nest + Express) on real read models and a real PostgreSQL event
 * store: which requests get the page, its headers, reading every page of the timeline up to the
 * cap, and errors as an HTML page or a problem document depending on what the client asked for —
 * 404, 400 and 503 with Retry-After while the read models are not built. The API-key guard and the
 * browser are the e2e's (test/e2e/timeline-page.e2e-spec.ts).
 */
import { Global, Module, type INestApplication, type Type } from '@nestjs/common';
import request from 'supertest';
import { createPostgresEventStore, EVENT_STORE, type EventStore, type JsonObject } from '@trellis/event-store';
import { agreementsProjection, timelineProjection } from '@trellis/projections';
import { createTestSchema, mixedHistory, serveReadModels, TOOL_PARTNERSHIP_ID, type TestSchema } from '@trellis/projections/testing';
import { buildOpenApiDocument } from '../../../openapi/openapi';
import { readModelApp } from '../../testing/read-model-app';
import { TimelineModule } from '../timeline.module';
import { TIMELINE_PAGE_CSP } from './timeline-page.render';
import { TimelinePageSource } from './timeline-page.source';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const UNKNOWN = '99999999-9999-4999-8999-999999999999';

let db: TestSchema;
let unbuilt: TestSchema;
let store: EventStore;
let app: INestApplication;
let bare: INestApplication;
let toolEvents: number;

/** The event store is global in the application (PlatformModule); here it is provided the same way. */
function eventStoreModule(eventStore: EventStore): Type {
  @Global()
  @Module({ providers: [{ provide: EVENT_STORE, useValue: eventStore }], exports: [EVENT_STORE] })
  class EventStoreForTest {}
  return EventStoreForTest;
}

beforeAll(async () => {
  db = await createTestSchema('tlpage');
  unbuilt = await createTestSchema('tlpage_unbuilt');
  const { log, tool } = mixedHistory();
  for (const projection of [timelineProjection, agreementsProjection]) {
    await serveReadModels(db.sql, db.schema, [projection], log.events);
  }
  // The tool partnership's stream in the log, so that the page verifies a real chain.
  store = await createPostgresEventStore({ sql: db.sql, schema: db.schema });
  const stream = log.events.filter((e) => e.streamId === tool.streamId);
  toolEvents = stream.length;
  await store.append(
    tool.streamId,
    stream.map(({ eventId, type, schemaVersion, data, metadata }) => {
      const { prevHash: _prev, hash: _hash, ...rest } = metadata;
      return { eventId, type, schemaVersion, data, metadata: rest as JsonObject };
    }),
    { expectedRevision: 'no_stream' },
  );
  app = await readModelApp(db.sql, db.schema, [eventStoreModule(store), TimelineModule]);
  bare = await readModelApp(unbuilt.sql, unbuilt.schema, [eventStoreModule(store), TimelineModule]);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await bare?.close();
  await db?.drop();
  await unbuilt?.drop();
});

const get = (path: string, on: INestApplication = app) => request(on.getHttpServer()).get(path);
const json = `/partnerships/${TOOL_PARTNERSHIP_ID}/timeline`;
const page = `/partnerships/${TOOL_PARTNERSHIP_ID}/timeline.html`;

const expectHtml = (res: request.Response) => {
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers['content-security-policy']).toBe(TIMELINE_PAGE_CSP);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.text).not.toMatch(/<script/i);
};

describe('which requests get the timeline page', () => {
  it.each([
    ['text/html', 'text/html'],
    ['a browser\'s default Accept', BROWSER_ACCEPT],
    ['HTML preferred over JSON', 'application/json;q=0.5, text/html'],
  ])('GET …/timeline with %s is the page, with the chain verified from the log', async (_, accept) => {
    const res = await get(json).set('Accept', accept).expect(200);
    expectHtml(res);
    expect(res.headers['vary']).toMatch(/Accept/);
    expect(res.text).toContain('<title>Timeline — Valley–WestLab partnership</title>');
    expect(res.text).toContain('data-verification="valid"');
    expect(res.text).toContain(`data-checked-events="${toolEvents}"`);
    expect(res.text).toMatch(/<g class="lane" data-workstream="ws-routines">/);
  });

  it('GET …/timeline without Accept, with */* or preferring JSON stays JSON (now with Vary: Accept)', async () => {
    for (const accept of [undefined, '*/*', 'application/json, text/html;q=0.9']) {
      const req = get(`${json}?limit=3`);
      const res = await (accept === undefined ? req.unset('Accept') : req.set('Accept', accept)).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['vary']).toMatch(/Accept/);
      expect(res.body.events).toHaveLength(3);
    }
  });

  it('GET …/timeline.html is the page whatever the Accept header', async () => {
    for (const accept of [undefined, 'application/json', '*/*']) {
      const req = get(page);
      expectHtml(await (accept === undefined ? req.unset('Accept') : req.set('Accept', accept)).expect(200));
    }
  });

  it('validates the JSON parameters on the negotiated route even for the page (they do not apply to it)', async () => {
    const ok = await get(`${json}?limit=2&workstreamId=ws-routines`).set('Accept', 'text/html').expect(200);
    expect(ok.text).toMatch(/<g class="lane" data-workstream="ws-coaching">/); // the whole partnership
    const bad = await get(`${json}?limit=0`).set('Accept', 'text/html').expect(400);
    expectHtml(bad);
    expect(bad.text).toContain('<code data-code="INVALID_QUERY">INVALID_QUERY</code>');
  });
});

describe('reading the whole timeline for the page', () => {
  it('walks every page in order and reads exactly what the JSON pages hold', async () => {
    const all = (await get(`${json}?limit=1000`).expect(200)).body;
    const data = await app.get(TimelinePageSource).read(TOOL_PARTNERSHIP_ID, { pageSize: 7 });
    expect(data.truncated).toBe(false);
    expect(data.events).toEqual(all.events);
    expect(data.timeline.backwardTransitions).toEqual(all.backwardTransitions);
    expect(data.reminders.partnershipId).toBe(TOOL_PARTNERSHIP_ID);
  });

  it('stops at the cap and says the page is truncated', async () => {
    const data = await app.get(TimelinePageSource).read(TOOL_PARTNERSHIP_ID, { pageSize: 4, eventCap: 10 });
    expect(data.events).toHaveLength(10);
    expect(data.truncated).toBe(true);
    const exact = await app.get(TimelinePageSource).read(TOOL_PARTNERSHIP_ID, { pageSize: 4, eventCap: data.timeline.totalEvents });
    expect(exact.events).toHaveLength(data.timeline.totalEvents);
    expect(exact.truncated).toBe(false);
  });
});

describe('errors of the page', () => {
  it('answers an unknown partnership 404 as an HTML page to a page client, as problem+json to the others', async () => {
    for (const [path, accept] of [[`/partnerships/${UNKNOWN}/timeline.html`, undefined], [`/partnerships/${UNKNOWN}/timeline`, BROWSER_ACCEPT]] as const) {
      const req = get(path);
      const res = await (accept === undefined ? req.unset('Accept') : req.set('Accept', accept)).expect(404);
      expectHtml(res);
      expect(res.text).toContain('<code data-code="PARTNERSHIP_NOT_FOUND">');
    }
    for (const accept of ['application/problem+json', 'application/json']) {
      const res = await get(`/partnerships/${UNKNOWN}/timeline.html`).set('Accept', accept).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404, code: 'PARTNERSHIP_NOT_FOUND' });
    }
  });

  it('answers a malformed id 400 INVALID_ID, as a page on the page route', async () => {
    const res = await get('/partnerships/nope/timeline.html').expect(400);
    expectHtml(res);
    expect(res.text).toContain('<code data-code="INVALID_ID">');
  });

  it('still answers 406 to a client that accepts neither JSON nor HTML', async () => {
    const res = await get(json).set('Accept', 'text/csv').expect(406);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'NOT_ACCEPTABLE' });
  });

  it('answers 503 with Retry-After while the read models are not built: a page for page clients, problem+json otherwise', async () => {
    const html = await get(page, bare).expect(503);
    expectHtml(html);
    expect(html.headers['retry-after']).toBe('5');
    expect(html.text).toContain('<code data-code="SERVICE_UNAVAILABLE">');
    const negotiated = await get(json, bare).set('Accept', BROWSER_ACCEPT).expect(503);
    expectHtml(negotiated);
    const problem = await get(json, bare).expect(503);
    expect(problem.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problem.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(problem.headers['retry-after']).toBe('5');
  });
});

describe('OpenAPI', () => {
  it('documents text/html on the timeline and the /timeline.html route as extensions', () => {
    const paths = buildOpenApiDocument(app).paths;
    const timeline = paths['/partnerships/{id}/timeline']!.get!;
    expect(Object.keys((timeline.responses['200'] as { content: object }).content)).toEqual(['application/json', 'text/html']);
    expect(timeline.description).toMatch(/\(extension\) A request that prefers `text\/html`/);
    const html = paths['/partnerships/{id}/timeline.html']!.get!;
    expect(Object.keys((html.responses['200'] as { content: object }).content)).toEqual(['text/html']);
    expect(html.summary).toBe('Timeline page (extension)');
    expect(Object.keys(html.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '429', '503']));
  });
});
