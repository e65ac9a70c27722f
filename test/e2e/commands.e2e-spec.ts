/**
 * The command API end to end over real HTTP against PostgreSQL: both seed scenarios, ETag/If-Match,
 * bounded conflict retries, and Idempotency-Key.
 */
import { ApiClient } from '../support/api-client';
import { STATE_AGENCY_PATH, TOOL_PATH, playScenario, type Scenario } from '../support/seed-scenarios';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url, t.adminKey);
});
afterAll(async () => t?.close());

async function phasesOf(id: string): Promise<string[]> {
  const history = await api.get(`/partnerships/${id}/history?limit=1000`);
  return history.body.events.filter((e: any) => e.type === 'PhaseTransitioned').map((e: any) => e.data.toPhase);
}

describe.each<[string, Scenario]>([
  ['the tool path (district + research organization)', TOOL_PATH],
  ['the state-agency path (local data straight to a study)', STATE_AGENCY_PATH],
])('seed scenario: %s', (_name, scenario) => {
  let id: string;

  beforeAll(async () => {
    id = await playScenario(api, scenario);
  });

  it('records every step and moves the workstream through the expected phases in order', async () => {
    expect(await phasesOf(id)).toEqual(scenario.expectedPhases);
    const state = await api.get(`/partnerships/${id}`);
    expect(state.status).toBe(200);
    expect(state.body.state.status).toBe('active');
    expect(state.body.state.workstreams[scenario.workstreamId].phase).toBe(scenario.expectedPhases.at(-1));
    // proposal + every step + one PhaseTransitioned per forward move
    expect(BigInt(state.body.revision)).toBe(BigInt(scenario.steps.length + scenario.expectedPhases.length));
    expect(state.headers.get('etag')).toBe(`W/"${state.body.revision}"`);
  });

  it('keeps back-dated occurredAt and a later recordedAt on every event, with the phase transitions caused by their gates', async () => {
    const { body } = await api.get(`/partnerships/${id}/history?limit=1000`);
    for (const e of body.events) {
      expect(e.metadata.occurredAt < e.metadata.recordedAt).toBe(true);
      expect(e.metadata.partnershipId).toBe(id);
    }
    const byId = new Map(body.events.map((e: any) => [e.eventId, e]));
    for (const t of body.events.filter((e: any) => e.type === 'PhaseTransitioned')) {
      const trigger: any = byId.get(t.data.triggerEventId);
      expect(trigger).toBeDefined();
      expect(BigInt(trigger.revision) + 1n).toBe(BigInt(t.revision));
      expect(t.data.direction).toBe('forward');
    }
  });

  it('has a hash chain that verifies', async () => {
    const res = await api.get(`/partnerships/${id}/verify`);
    expect(res.body).toMatchObject({ valid: true, checkedEvents: scenario.steps.length + scenario.expectedPhases.length + 1 });
  });
});

describe('the state-agency path has no tool and no pilot', () => {
  it('goes evidence_review → formal_study directly', async () => {
    const id = await playScenario(api, STATE_AGENCY_PATH);
    const { body } = await api.get(`/partnerships/${id}/history?limit=1000`);
    const types = body.events.map((e: any) => e.type);
    expect(types).not.toContain('ToolCoDeveloped');
    expect(types).not.toContain('PilotApproved');
    const move = body.events.find((e: any) => e.type === 'PhaseTransitioned' && e.data.toPhase === 'formal_study');
    expect(move.data.fromPhase).toBe('evidence_review');
  });
});

describe('responses', () => {
  it('POST /partnerships answers 201 {partnershipId, revision:"0"} with ETag and Location', async () => {
    const res = await api.post('/partnerships', { name: 'Coastal Community Research Collaborative', initiationMode: 'community', focus: 'Family voice in school improvement' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ partnershipId: expect.stringMatching(/^[0-9a-f-]{36}$/), revision: '0' });
    expect(res.headers.get('etag')).toBe('W/"0"');
    expect(res.headers.get('location')).toBe(`/partnerships/${res.body.partnershipId}`);
    expect(res.headers.get('x-correlation-id')).toBeTruthy();
  });

  it('a command answers 201 {partnershipId, revision, events:[{eventId, type, revision}]}', async () => {
    const { body: p } = await api.post('/partnerships', { name: 'P', initiationMode: 'researcher', focus: 'f' });
    const res = await api.command(p.partnershipId, 'JoinOrganization', { organizationId: 'org-1', name: 'Org', orgType: 'school', side: 'practice' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ partnershipId: p.partnershipId, revision: '1', events: [{ eventId: expect.any(String), type: 'OrganizationJoined', revision: '1' }] });
    expect(res.headers.get('etag')).toBe('W/"1"');
  });

  it('records who recorded the fact, the correlation id and the acting participant', async () => {
    const { body: p } = await api.post('/partnerships', { name: 'P', initiationMode: 'researcher', focus: 'f' });
    await api.commands(p.partnershipId, [
      ['JoinOrganization', { organizationId: 'lab', name: 'Lab', orgType: 'research_organization', side: 'research' }],
      ['JoinParticipant', { participantId: 'r1', organizationId: 'lab', roles: ['researcher'] }],
    ]);
    const res = await api.command(p.partnershipId, 'JoinOrganization', { organizationId: 'd', name: 'D', orgType: 'LEA', side: 'practice' }, { actorParticipantId: 'r1' }, { 'X-Correlation-Id': 'corr-abc-123' });
    expect(res.status).toBe(201);
    const { body } = await api.get(`/partnerships/${p.partnershipId}/history?afterRevision=2`);
    expect(body.events[0].metadata).toMatchObject({ correlationId: 'corr-abc-123', recordedBy: { participantId: 'r1', apiKeyId: expect.any(String) } });
    await api.commands(p.partnershipId, [
      ['JoinParticipant', { participantId: 'r2', organizationId: 'lab', roles: ['researcher'] }],
      ['DepartParticipant', { participantId: 'r2', reason: 'moved to another university' }],
    ]);
    const departedActor = await api.command(p.partnershipId, 'JoinOrganization', { organizationId: 'e', name: 'E', orgType: 'LEA', side: 'practice' }, { actorParticipantId: 'r2' });
    expect(departedActor.status).toBe(422);
    expect(departedActor.body.code).toBe('ACTOR_NOT_ACTIVE_MEMBER');
  });
});

describe('optimistic concurrency', () => {
  let id: string;
  beforeEach(async () => {
    id = (await api.post('/partnerships', { name: 'P', initiationMode: 'agency', focus: 'f' })).body.partnershipId;
  });

  it('applies a command whose If-Match is the current revision', async () => {
    const res = await api.command(id, 'JoinOrganization', { organizationId: 'a', name: 'A', orgType: 'school', side: 'practice' }, {}, { 'If-Match': 'W/"0"' });
    expect(res.status).toBe(201);
  });

  it('answers 412 with the current ETag, and appends nothing, when If-Match is stale', async () => {
    await api.command(id, 'JoinOrganization', { organizationId: 'a', name: 'A', orgType: 'school', side: 'practice' });
    const res = await api.command(id, 'JoinOrganization', { organizationId: 'b', name: 'B', orgType: 'school', side: 'practice' }, {}, { 'If-Match': 'W/"0"' });
    expect(res.status).toBe(412);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 412, code: 'REVISION_MISMATCH', currentRevision: '1' });
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect((await api.get(`/partnerships/${id}`)).body.revision).toBe('1');
  });

  it('retries conflicts without If-Match: 12 concurrent commands all land, each exactly once', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api.command(id, 'JoinOrganization', { organizationId: `org-${i}`, name: `Org ${i}`, orgType: 'school', side: 'practice' })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    const state = await api.get(`/partnerships/${id}`);
    expect(state.body.revision).toBe('12');
    expect(Object.keys(state.body.state.organizations).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `org-${i}`).sort());
    expect(new Set(results.map((r) => r.body.revision)).size).toBe(12);
  });

  it('with If-Match, concurrent commands at the same revision: one wins, the others get 412', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => api.command(id, 'JoinOrganization', { organizationId: `o${i}`, name: `O${i}`, orgType: 'school', side: 'practice' }, {}, { 'If-Match': 'W/"0"' })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(4);
    expect((await api.get(`/partnerships/${id}`)).body.revision).toBe('1');
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, with Idempotent-Replayed: true, appending once', async () => {
    const body = { name: 'Idempotent RPP', initiationMode: 'agency', focus: 'f' };
    const first = await api.post('/partnerships', body, { 'Idempotency-Key': 'propose-1' });
    const again = await api.post('/partnerships', body, { 'Idempotency-Key': 'propose-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));

    const id = first.body.partnershipId;
    const cmd = { organizationId: 'x', name: 'X', orgType: 'school', side: 'practice' };
    const c1 = await api.command(id, 'JoinOrganization', cmd, {}, { 'Idempotency-Key': 'join-x' });
    const c2 = await api.command(id, 'JoinOrganization', cmd, {}, { 'Idempotency-Key': 'join-x' });
    expect(c2.body).toEqual(c1.body);
    expect(c2.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.get(`/partnerships/${id}`)).body.revision).toBe('1');
  });

  it('refuses the same key with another body (409) and appends nothing', async () => {
    const id = (await api.post('/partnerships', { name: 'P', initiationMode: 'agency', focus: 'f' })).body.partnershipId;
    await api.command(id, 'JoinOrganization', { organizationId: 'x', name: 'X', orgType: 'school', side: 'practice' }, {}, { 'Idempotency-Key': 'k' });
    const res = await api.command(id, 'JoinOrganization', { organizationId: 'y', name: 'Y', orgType: 'school', side: 'practice' }, {}, { 'Idempotency-Key': 'k' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await api.get(`/partnerships/${id}`)).body.revision).toBe('1');
  });

  it('replays a refusal too: the first response, not a second attempt', async () => {
    const id = (await api.post('/partnerships', { name: 'P', initiationMode: 'agency', focus: 'f' })).body.partnershipId;
    const bad = { participantId: 'p', organizationId: 'missing-org', roles: ['researcher'] };
    const first = await api.command(id, 'JoinParticipant', bad, {}, { 'Idempotency-Key': 'refused' });
    expect(first.status).toBe(422);
    const again = await api.command(id, 'JoinParticipant', bad, {}, { 'Idempotency-Key': 'refused' });
    expect(again.status).toBe(422);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('scopes keys per API key: the same key string from another client is a different request', async () => {
    const body = { name: 'Scoped', initiationMode: 'agency', focus: 'f' };
    const a = await api.post('/partnerships', body, { 'Idempotency-Key': 'shared-key' });
    const { secret } = await createKey(t, 'member');
    const b = await api.withKey(secret).post('/partnerships', body, { 'Idempotency-Key': 'shared-key' });
    expect(b.status).toBe(201);
    expect(b.body.partnershipId).not.toBe(a.body.partnershipId);
  });

  it('concurrent requests with one key append once', async () => {
    const body = { name: 'Race', initiationMode: 'agency', focus: 'f' };
    const results = await Promise.all(Array.from({ length: 6 }, () => api.post('/partnerships', body, { 'Idempotency-Key': 'race-key' })));
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.partnershipId)).size).toBe(1);
    for (const r of results.filter((r) => r.status !== 201)) expect(r.body.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
  });
});

async function createKey(app: TestApp, role: 'admin' | 'auditor' | 'integrator' | 'member') {
  const { API_KEY_STORE } = await import('@trellis/platform');
  const store = app.app.get(API_KEY_STORE);
  return store.create({ name: `test ${role}`, role });
}
