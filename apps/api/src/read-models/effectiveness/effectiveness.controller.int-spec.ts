/**
 * The effectiveness view over HTTP with the real Nest module, problem filter and a PostgreSQL view
 * (no auth guard, no other modules): routing, dependency injection, 400 and 404 problem documents.
 */
import type { INestApplication } from '@nestjs/common';

import { serveReadModels, SignalScenarios, TestLog, createTestSchema, type TestSchema } from '@trellis/projections/testing';
import request from 'supertest';
import { readModelApp } from '../testing/read-model-app';
import { EffectivenessModule } from './effectiveness.module';
import { effectivenessProjection } from '@trellis/projections';

let db: TestSchema;
let app: INestApplication;
let partnershipId: string;

beforeAll(async () => {
  db = await createTestSchema('api_effect_http');
  const log = new TestLog();
  const p = log.partnership();
  p.run(SignalScenarios.cleanPartnership());
  partnershipId = p.partnershipId;
  await serveReadModels(db.sql, db.schema, [effectivenessProjection], log.events);

  app = await readModelApp(db.sql, db.schema, [EffectivenessModule]);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

it('GET /partnerships/:id/effectiveness answers the five dimensions', async () => {
  const res = await request(app.getHttpServer()).get(`/partnerships/${partnershipId.toUpperCase()}/effectiveness`).expect(200);
  expect(res.body).toMatchObject({ partnershipId, status: 'active', note: expect.stringContaining('no composite score') });
  expect(res.body.dimensions.map((d: { dimension: string }) => d.dimension)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
});

it('answers 404 PARTNERSHIP_NOT_FOUND for an unknown partnership and 400 INVALID_ID for a bad id', async () => {
  const missing = await request(app.getHttpServer()).get('/partnerships/0193b7e2-5c1a-7cc4-9a53-2f4be1c0d7aa/effectiveness').expect(404);
  expect(missing.body).toMatchObject({ code: 'PARTNERSHIP_NOT_FOUND', status: 404 });
  const bad = await request(app.getHttpServer()).get('/partnerships/not-a-uuid/effectiveness').expect(400);
  expect(bad.body).toMatchObject({ code: 'INVALID_ID' });
});
