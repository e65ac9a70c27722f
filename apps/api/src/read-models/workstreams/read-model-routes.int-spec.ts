/**
 * The three read-model modules over HTTP (Nest + Express, the API's problem filter), on real views:
 * routing, dependency wiring, query parsing, problem documents and the OpenAPI description. The
 * API-key guard is the application's (tested with it); here the modules are mounted on their own.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { serveReadModels, createTestSchema, type TestSchema } from '@trellis/projections/testing';
import { readModelApp } from '../testing/read-model-app';
import { buildOpenApiDocument } from '../../openapi/openapi';
import { AgreementsModule } from '../agreements/agreements.module';
import { agreementsProjection } from '@trellis/projections';
import { BrokersModule } from '../brokers/brokers.module';
import { brokerNetworkProjection } from '@trellis/projections';
import { WorkstreamsModule } from './workstreams.module';
import { stalledWorkstreamsProjection } from '@trellis/projections';
import { TOOL_PARTNERSHIP_ID, mixedHistory } from '@trellis/projections/testing';

let db: TestSchema;
let app: INestApplication;

const appWith = (schema: string): Promise<INestApplication> => readModelApp(db.sql, schema, [WorkstreamsModule, AgreementsModule, BrokersModule]);

beforeAll(async () => {
  db = await createTestSchema('rmhttp');
  const events = mixedHistory().log.events;
  for (const projection of [stalledWorkstreamsProjection, agreementsProjection, brokerNetworkProjection]) {
    await serveReadModels(db.sql, db.schema, [projection], events);
  }
  app = await appWith(db.schema);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = (path: string) => request(app.getHttpServer()).get(path);

describe('GET /workstreams', () => {
  it('lists open workstreams, and with stalled=true only stalled ones (counted at request time)', async () => {
    const all = await get('/workstreams').expect(200);
    expect(all.body.items).toHaveLength(6);
    expect(all.body.nextCursor).toBeNull();
    const stalled = await get('/workstreams?stalled=true').expect(200);
    for (const item of stalled.body.items) expect(item).toMatchObject({ stalled: true, paused: false });
    expect(stalled.body.items.map((i: { workstreamId: string }) => i.workstreamId)).not.toContain('ws-retention');
  });

  it('filters and pages', async () => {
    const page = await get(`/workstreams?partnershipId=${TOOL_PARTNERSHIP_ID.toUpperCase()}&limit=1`).expect(200);
    expect(page.body.items).toHaveLength(1);
    const next = await get(`/workstreams?partnershipId=${TOOL_PARTNERSHIP_ID}&limit=1&cursor=${page.body.nextCursor}`).expect(200);
    expect(next.body.nextCursor).toBeNull();
    expect([page.body.items[0].workstreamId, next.body.items[0].workstreamId].sort()).toEqual(['ws-coaching', 'ws-routines']);
    expect((await get('/workstreams?phase=pilot').expect(200)).body.items).toHaveLength(2);
  });

  it.each([
    ['stalled=yes', 'query.stalled'],
    ['phase=concluded', 'query.phase'],
    ['phase=pilot&phase=co_design', 'query.phase'],
    ['partnershipId=abc', 'query.partnershipId'],
    ['cursor=not-a-cursor', 'query.cursor'],
    ['limit=0', 'query.limit'],
  ])('refuses %s with 400 INVALID_QUERY naming %s', async (query, field) => {
    const res = await get(`/workstreams?${query}`).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'INVALID_QUERY', errors: [{ field }] });
  });
});

describe('GET /partnerships/:id/agreements and /brokers', () => {
  it('answers from the read models', async () => {
    const agreements = await get(`/partnerships/${TOOL_PARTNERSHIP_ID}/agreements`).expect(200);
    expect(agreements.body).toMatchObject({ partnershipId: TOOL_PARTNERSHIP_ID, agreement: { agreementRef: 'MOU-VALLEY-2024' } });
    expect(agreements.body.dataSharingAgreements).toHaveLength(2);
    const brokers = await get(`/partnerships/${TOOL_PARTNERSHIP_ID}/brokers`).expect(200);
    expect(brokers.body.totals).toMatchObject({ brokers: 2, singleBrokerPairs: 1 });
  });

  it.each(['agreements', 'brokers'])('%s: 400 for a malformed id, 404 for an unknown partnership', async (path) => {
    expect((await get(`/partnerships/nope/${path}`).expect(400)).body).toMatchObject({ code: 'INVALID_ID' });
    expect((await get(`/partnerships/99999999-9999-4999-8999-999999999999/${path}`).expect(404)).body).toMatchObject({ code: 'PARTNERSHIP_NOT_FOUND' });
  });
});

it('answers 503 with Retry-After while the read models are not built', async () => {
  const bare = await appWith('public');
  try {
    for (const path of ['/workstreams', `/partnerships/${TOOL_PARTNERSHIP_ID}/agreements`, `/partnerships/${TOOL_PARTNERSHIP_ID}/brokers`]) {
      const res = await request(bare.getHttpServer()).get(path).expect(503);
      expect(res.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(res.headers['retry-after']).toBe('5');
    }
  } finally {
    await bare.close();
  }
});

it('refuses to start with a bad STALL_THRESHOLD_DAYS_* value', async () => {
  process.env['STALL_THRESHOLD_DAYS_PILOT'] = 'soon';
  try {
    await expect(appWith(db.schema)).rejects.toThrow(/STALL_THRESHOLD_DAYS_PILOT="soon" must be a whole number of days/);
  } finally {
    delete process.env['STALL_THRESHOLD_DAYS_PILOT'];
  }
});

it('describes the three routes in the OpenAPI document', () => {
  const document = buildOpenApiDocument(app);
  expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/workstreams', '/partnerships/{id}/agreements', '/partnerships/{id}/brokers']));
  const stalled = document.paths['/workstreams']!.get!;
  expect(stalled.parameters!.map((p) => ('name' in p ? p.name : ''))).toEqual(expect.arrayContaining(['stalled', 'partnershipId', 'phase', 'limit', 'cursor']));
  expect(Object.keys(stalled.responses)).toEqual(expect.arrayContaining(['200', '400', '503']));
  expect(Object.keys(document.paths['/partnerships/{id}/agreements']!.get!.responses)).toEqual(expect.arrayContaining(['200', '404']));
});
