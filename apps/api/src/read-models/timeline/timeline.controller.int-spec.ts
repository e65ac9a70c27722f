/**
 * `GET /partnerships/:id/timeline` over HTTP (Nest + Express, the API's problem filter) on real
 * views: content negotiation (JSON by default, the HTML page for a request that prefers it — the page
 * itself is tested in html/ — and 406 for anything else), query parsing, 404, 503 with Retry-After,
 * and the OpenAPI description. The API-key guard is the application's; here the module is mounted
 * on its own, with the event store the page verifies the chain on (global in the application).
 */
import { Global, Module, type INestApplication, type Type } from '@nestjs/common';
import request from 'supertest';
import { createPostgresEventStore, EVENT_STORE, type EventStore } from '@trellis/event-store';
import { agreementsProjection, timelineProjection } from '@trellis/projections';
import { serveReadModels, TOOL_PARTNERSHIP_ID, createTestSchema, mixedHistory, type TestSchema } from '@trellis/projections/testing';
import { readModelApp } from '../testing/read-model-app';
import { buildOpenApiDocument } from '../../openapi/openapi';
import { TimelineModule } from './timeline.module';

let db: TestSchema;
let app: INestApplication;
let eventStore: Type;

const appWith = (schema: string): Promise<INestApplication> => readModelApp(db.sql, schema, [eventStore, TimelineModule]);

beforeAll(async () => {
  db = await createTestSchema('tlhttp');
  const { log } = mixedHistory();
  for (const projection of [timelineProjection, agreementsProjection]) {
    await serveReadModels(db.sql, db.schema, [projection], log.events);
  }
  const store: EventStore = await createPostgresEventStore({ sql: db.sql, schema: db.schema });
  @Global()
  @Module({ providers: [{ provide: EVENT_STORE, useValue: store }], exports: [EVENT_STORE] })
  class EventStoreForTest {}
  eventStore = EventStoreForTest;
  app = await appWith(db.schema);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = (path: string) => request(app.getHttpServer()).get(path);
const path = `/partnerships/${TOOL_PARTNERSHIP_ID}/timeline`;

describe('GET /partnerships/:id/timeline', () => {
  it.each([
    ['no Accept header', undefined],
    ['*/*', '*/*'],
    ['application/json', 'application/json'],
    ['a browser-like list that prefers JSON', 'application/json, text/html;q=0.9'],
  ])('answers JSON for %s', async (_, accept) => {
    const req = get(`${path}?limit=3`);
    const res = await (accept === undefined ? req.unset('Accept') : req.set('Accept', accept)).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ partnershipId: TOOL_PARTNERSHIP_ID, name: 'Valley–WestLab partnership', status: 'active' });
    expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(['PartnershipProposed', 'OrganizationJoined', 'OrganizationJoined']);
    expect(res.body.nextAfterPosition).toBe(res.body.events[2].position);
  });

  it.each([
    ['text/html', 'text/html'],
    ['a browser\'s default (HTML preferred)', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ])('answers the HTML page for %s', async (_, accept) => {
    const res = await get(path).set('Accept', accept).expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<title>Timeline — Valley–WestLab partnership</title>');
  });

  it('answers 406 NOT_ACCEPTABLE for a type it cannot produce', async () => {
    const res = await get(path).set('Accept', 'text/csv').expect(406);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 406, code: 'NOT_ACCEPTABLE' });
  });

  it('pages with afterPosition and filters by workstream and type', async () => {
    const first = await get(`${path}?type=PhaseTransitioned&workstreamId=ws-routines&limit=4`).expect(200);
    expect(first.body.events).toHaveLength(4);
    const rest = await get(`${path}?type=PhaseTransitioned&workstreamId=ws-routines&afterPosition=${first.body.nextAfterPosition}`).expect(200);
    expect(rest.body.events.map((e: { transition: { toPhase: string } }) => e.transition.toPhase)).toEqual(['formal_study', 'joint_interpretation', 'use_dissemination']);
    expect(rest.body.nextAfterPosition).toBeNull();
  });

  it('refuses bad parameters with 400 naming each, a malformed id with INVALID_ID, and is 404 for an unknown partnership', async () => {
    const bad = await get(`${path}?limit=5000&type=Nope`).expect(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_QUERY', errors: [{ field: 'query.limit' }, { field: 'query.type' }] });
    expect((await get('/partnerships/nope/timeline').expect(400)).body).toMatchObject({ code: 'INVALID_ID' });
    expect((await get('/partnerships/99999999-9999-4999-8999-999999999999/timeline').expect(404)).body).toMatchObject({ code: 'PARTNERSHIP_NOT_FOUND' });
  });

  it('answers 503 with Retry-After while the read models are not built', async () => {
    // An empty schema rather than 'public': the module creates the reminder-state table in its schema at start.
    const empty = await createTestSchema('tlhttp_unbuilt');
    const bare = await appWith(empty.schema);
    try {
      const res = await request(bare.getHttpServer()).get(path).expect(503);
      expect(res.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      await bare.close();
      await empty.drop();
    }
  });

  it('is described in the OpenAPI document, 406 and the HTML page included', () => {
    const operation = buildOpenApiDocument(app).paths[`/partnerships/{id}/timeline`]!.get!;
    expect(operation.parameters!.map((p) => ('name' in p ? p.name : ''))).toEqual(expect.arrayContaining(['id', 'afterPosition', 'limit', 'workstreamId', 'type', 'Accept']));
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '406', '503']));
    expect(operation.description).toMatch(/A request that prefers `text\/html`.*gets the timeline page/);
  });
});
