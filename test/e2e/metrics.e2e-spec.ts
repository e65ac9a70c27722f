/**
 * `GET /metrics` (DESIGN.md §10) on the real app with its workers in process, real PostgreSQL and
 * Redis, and a real webhook receiver that refuses everything (so deliveries are dead-lettered): the
 * exposition parses as Prometheus text, and the instruments move with what happened — commands by
 * type and outcome, events appended, HTTP latency by route template, projection lag reaching 0,
 * queue depths, webhook attempts and dead letters. Only admins and unbound auditors may read it.
 */
import { API_KEY_STORE, type ApiKeyStore } from '@trellis/platform';
import { EVENT_STORE, type EventStore } from '@trellis/event-store';
import { ApiClient } from '../support/api-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventually, WebhookReceiver } from '../support/webhook-receiver';

let t: TestApp;
let api: ApiClient;
let receiver: WebhookReceiver;

/** Parses the text exposition into `name{labels}` → value (help and type lines checked for shape). */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      continue;
    }
    // Prometheus parses values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]?[Ii]nf)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    samples.set(m[1]!, Number(m[2]));
  }
  return samples;
}

async function scrape(client = api): Promise<Map<string, number>> {
  const res = await client.get('/metrics');
  expect(res.status).toBe(200);
  const type = res.headers.get('content-type') ?? '';
  expect(type).toMatch(/^text\/plain;/);
  expect(type).toContain('version=0.0.4');
  return parse(res.text);
}

const value = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  receiver.behave('/refuse', () => 500);
  t = await startTestApp({ env: { RUN_WORKERS: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_MAX_ATTEMPTS: '1' } });
  api = new ApiClient(t.url, t.adminKey);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

it('counts commands by type and outcome, the events they appended, and HTTP latency by route template', async () => {
  const before = await scrape();
  const proposed = await api.post('/partnerships', { name: 'Metrics RPP', initiationMode: 'agency', focus: 'Counting' });
  expect(proposed.status).toBe(201);
  const id = proposed.body.partnershipId as string;
  await api.commands(id, [['JoinOrganization', { organizationId: 'district', name: 'District', orgType: 'school_district', side: 'practice' }]]);
  // Refused by a rule (422): an unknown organization.
  expect((await api.command(id, 'JoinParticipant', { participantId: 'p-1', organizationId: 'nowhere', roles: ['researcher'] })).status).toBe(422);
  // Rejected as malformed (400).
  expect((await api.command(id, 'JoinOrganization', { organizationId: 'x' })).status).toBe(400);

  const after = await scrape();
  const delta = (key: string) => value(after, key) - value(before, key);
  expect(delta('trellis_command_duration_seconds_count{type="ProposePartnership",outcome="recorded"}')).toBe(1);
  expect(delta('trellis_command_duration_seconds_count{type="JoinOrganization",outcome="recorded"}')).toBe(1);
  expect(delta('trellis_command_duration_seconds_count{type="JoinParticipant",outcome="refused"}')).toBe(1);
  expect(delta('trellis_events_appended_total{type="PartnershipProposed"}')).toBe(1);
  expect(delta('trellis_events_appended_total{type="OrganizationJoined"}')).toBe(1);
  expect(delta('trellis_events_appended_total{type="ParticipantJoined"}')).toBe(0);
  expect(delta('trellis_http_request_duration_seconds_count{method="POST",route="/partnerships/:id/commands",status="2xx"}')).toBe(1);
  expect(delta('trellis_http_request_duration_seconds_count{method="POST",route="/partnerships/:id/commands",status="4xx"}')).toBe(2);
  expect(delta('trellis_http_request_duration_seconds_count{method="POST",route="/partnerships",status="2xx"}')).toBe(1);
  // No partnership id in any label: the label set stays bounded.
  expect([...after.keys()].filter((k) => k.includes(id))).toEqual([]);
  // Node process metrics are there too.
  expect(after.has('trellis_process_cpu_user_seconds_total')).toBe(true);
});

it('reports the log head, each projection’s lag (reaching 0), queue depths, webhook attempts and dead letters', async () => {
  const sub = await api.post('/subscriptions', { url: receiver.url('/refuse') });
  expect(sub.status).toBe(201);
  const proposed = await api.post('/partnerships', { name: 'Delivered nowhere', initiationMode: 'community', focus: 'Dead letters' });
  expect(proposed.status).toBe(201);

  const samples = await eventually(
    async () => {
      const s = await scrape();
      const lags = [...s.entries()].filter(([k]) => k.startsWith('trellis_projection_lag_positions{'));
      return lags.length > 0 && lags.every(([, v]) => v === 0) && value(s, 'trellis_webhook_deliveries{status="dead_lettered"}') >= 1 ? s : undefined;
    },
    'every read model caught up and the delivery dead-lettered',
    45_000,
  );
  expect(value(samples, 'trellis_event_store_head_position')).toBe(Number(await t.app.get<EventStore>(EVENT_STORE).headPosition()));
  for (const projection of ['partnership_summary', 'timeline']) {
    expect(samples.has(`trellis_projection_lag_positions{projection="${projection}"}`)).toBe(true);
    expect(value(samples, `trellis_projection_rebuilding{projection="${projection}"}`)).toBe(0);
    expect(value(samples, `trellis_projection_failing{projection="${projection}"}`)).toBe(0);
  }
  for (const queue of ['projections', 'maintenance', 'webhook-dispatch', 'webhook-delivery', 'reminders']) {
    for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(samples.has(`trellis_queue_jobs{queue="${queue}",state="${state}"}`)).toBe(true);
  }
  expect(value(samples, 'trellis_webhook_attempts_total{outcome="dead_lettered"}')).toBeGreaterThanOrEqual(1);
  expect(value(samples, 'trellis_webhook_subscriptions{status="active"}')).toBe(1);
  expect(receiver.at('/refuse').length).toBeGreaterThanOrEqual(1);
}, 60_000);

it('is for admins and auditors whose key is not bound to an organization', async () => {
  const keys = t.app.get<ApiKeyStore>(API_KEY_STORE);
  const key = async (role: 'auditor' | 'member' | 'integrator', organizationId?: string) =>
    api.withKey((await keys.create({ name: `metrics ${role}`, role, ...(organizationId ? { organizationId } : {}) })).secret);
  await scrape(await key('auditor'));
  expect((await api.withKey(undefined).get('/metrics')).status).toBe(401);
  expect((await (await key('member')).get('/metrics')).status).toBe(403);
  expect((await (await key('integrator')).get('/metrics')).status).toBe(403);
  const bound = await (await key('auditor', 'district')).get('/metrics');
  expect(bound.status).toBe(403);
  expect(bound.body.code).toBe('ORGANIZATION_BOUND_KEY');
});
