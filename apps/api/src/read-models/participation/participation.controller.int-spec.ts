/**
 * `GET /partnerships/:id/participation` over HTTP (Nest + Express, the API's problem filter) on a
 * real view: routing, 400, 404, 503 with Retry-After and the OpenAPI description. The API-key guard
 * is the application's; here the module is mounted on its own.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { participationProjection } from '@trellis/projections';
import { serveReadModels, TOOL_PARTNERSHIP_ID, createTestSchema, mixedHistory, type TestSchema } from '@trellis/projections/testing';
import { readModelApp } from '../testing/read-model-app';
import { buildOpenApiDocument } from '../../openapi/openapi';
import { ParticipationModule } from './participation.module';

let db: TestSchema;
let app: INestApplication;

const appWith = (schema: string): Promise<INestApplication> => readModelApp(db.sql, schema, [ParticipationModule]);

beforeAll(async () => {
  db = await createTestSchema('parthttp');
  await serveReadModels(db.sql, db.schema, [participationProjection], mixedHistory().log.events);
  app = await appWith(db.schema);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = (path: string) => request(app.getHttpServer()).get(path);

it('GET /partnerships/:id/participation answers the ledger (id case-insensitive)', async () => {
  const res = await get(`/partnerships/${TOOL_PARTNERSHIP_ID.toUpperCase()}/participation`).expect(200);
  expect(res.body).toMatchObject({ partnershipId: TOOL_PARTNERSHIP_ID, status: 'active', partnershipTotals: { workstreams: 2, phaseOccurrences: 9 } });
  expect(res.body.workstreams[0].phases[4]).toMatchObject({ phase: 'input_revision', respondents: { practitioner: 38, school_district: '<5', county_office: 6, school: 9 } });
});

it('answers 400 INVALID_ID for a malformed id and 404 PARTNERSHIP_NOT_FOUND for an unknown partnership', async () => {
  expect((await get('/partnerships/nope/participation').expect(400)).body).toMatchObject({ code: 'INVALID_ID' });
  expect((await get('/partnerships/99999999-9999-4999-8999-999999999999/participation').expect(404)).body).toMatchObject({ code: 'PARTNERSHIP_NOT_FOUND' });
});

it('answers 503 with Retry-After while the read model is not built', async () => {
  const bare = await appWith('public');
  try {
    const res = await request(bare.getHttpServer()).get(`/partnerships/${TOOL_PARTNERSHIP_ID}/participation`).expect(503);
    expect(res.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(res.headers['retry-after']).toBe('5');
  } finally {
    await bare.close();
  }
});

it('is described in the OpenAPI document with the "<5" rule', () => {
  const operation = buildOpenApiDocument(app).paths['/partnerships/{id}/participation']!.get!;
  expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '503']));
  expect(operation.description).toContain('"<5"');
});
