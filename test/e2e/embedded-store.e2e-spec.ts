/**
 * The single-machine mode of `npm start`: the same API on the embedded (PGlite) store.
 */
import { ApiClient } from '../support/api-client';
import { STATE_AGENCY_PATH, playScenario } from '../support/seed-scenarios';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  t = await startTestApp({ store: 'embedded' });
  api = new ApiClient(t.url, t.adminKey);
});
afterAll(async () => t?.close());

it('plays the state-agency scenario, exports and verifies on the embedded store', async () => {
  const id = await playScenario(api, STATE_AGENCY_PATH);
  const state = await api.get(`/partnerships/${id}`);
  expect(state.body.state.workstreams['ws-retention'].phase).toBe('formal_study');
  expect((await api.get(`/partnerships/${id}/verify`)).body.valid).toBe(true);
  const ndjson = await api.get(`/partnerships/${id}/history`, { Accept: 'application/x-ndjson' });
  expect(ndjson.text.trim().split('\n')).toHaveLength(Number(state.body.revision) + 1);
  const stale = await api.command(id, 'RecordReflection', { instrument: 'RPP health toolkit', ratings: { practice: { d1: 4 } }, actionsAgreed: [] }, {}, { 'If-Match': 'W/"0"' });
  expect(stale.status).toBe(412);
  expect((await api.withKey(undefined).get('/health')).body.info.eventStore.status).toBe('up');
});
