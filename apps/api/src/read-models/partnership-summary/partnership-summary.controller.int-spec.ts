/**
 * The list over HTTP with the real Nest module, problem filter and a PostgreSQL view (no auth guard,
 * no other modules): routing, dependency injection, query validation as problem documents.
 */
import type { INestApplication } from '@nestjs/common';

import { serveReadModels, SignalScenarios, TestLog, createTestSchema, type TestSchema } from '@trellis/projections/testing';
import request from 'supertest';
import { readModelApp } from '../testing/read-model-app';
import { PartnershipSummaryModule } from './partnership-summary.module';
import { partnershipSummaryProjection } from '@trellis/projections';

let db: TestSchema;
let app: INestApplication;
let partnershipIds: string[];

beforeAll(async () => {
  db = await createTestSchema('api_summary_http');
  const log = new TestLog();
  partnershipIds = [0, 1, 2].map(() => {
    const p = log.partnership();
    p.run(SignalScenarios.cleanPartnership());
    return p.partnershipId;
  });
  await serveReadModels(db.sql, db.schema, [partnershipSummaryProjection], log.events);

  app = await readModelApp(db.sql, db.schema, [PartnershipSummaryModule]);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

it('GET /partnerships pages the list with an opaque cursor', async () => {
  const first = await request(app.getHttpServer()).get('/partnerships?limit=2&status=active').expect(200);
  expect(first.body.items.map((i: { partnershipId: string }) => i.partnershipId)).toEqual(partnershipIds.slice(0, 2));
  expect(first.body.items[0]).toMatchObject({ name: 'Riverside reading partnership', organizations: { total: 2 }, asOfPosition: expect.stringMatching(/^\d+$/) });
  const next = await request(app.getHttpServer()).get(`/partnerships?limit=2&status=active&cursor=${first.body.nextCursor}`).expect(200);
  expect(next.body).toEqual({ items: [expect.objectContaining({ partnershipId: partnershipIds[2] })], nextCursor: null });
});

it('answers a bad query with 400 INVALID_QUERY naming each parameter', async () => {
  const res = await request(app.getHttpServer()).get('/partnerships?status=dormant&cursor=zzz&limit=0').expect(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ code: 'INVALID_QUERY', status: 400 });
  expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['query.status', 'query.cursor', 'query.limit']);
});
