/**
 * The integrators' feeds end to end, on both store kinds: `GET /events` pages followed through their
 * cursors and Link headers, and `GET /events/stream` read by a real HTTP client (fetch), disconnected
 * and resumed with Last-Event-ID, receiving live events appended through the real commands, with
 * heartbeats; bad input answered with 400 problem documents; and a shutdown that does not wait for
 * open streams.
 */
import { API_KEY_STORE, type ApiKeyStore } from '@trellis/platform';
import { ApiClient } from '../support/api-client';
import { STATE_AGENCY_PATH, playScenario } from '../support/seed-scenarios';
import { startTestApp, type TestApp } from '../support/test-app';

const HEARTBEAT_MS = 150;
const ENVELOPE_KEYS = ['data', 'eventId', 'metadata', 'position', 'revision', 'schemaVersion', 'streamId', 'type'];

interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Reads an SSE response with fetch and a small parser of its own (not the server's code). */
class SseClient {
  readonly messages: SseMessage[] = [];
  comments: string[] = [];
  ended = false;
  private buffer = '';

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {}

  static async open(url: string, apiKey: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}`, Accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const client = new SseClient(response, abort);
    void client.read();
    return client;
  }

  get events(): Array<{ id: string; event: string; envelope: any }> {
    return this.messages.map((m) => ({ id: m.id!, event: m.event!, envelope: JSON.parse(m.data) }));
  }

  /** Disconnects, as a client that goes away would. */
  close(): void {
    this.abort.abort();
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) this.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
    }
  }

  private feed(text: string): void {
    this.buffer += text.replace(/\r\n?/g, '\n');
    let cut: number;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const message: SseMessage = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) {
          this.comments.push(line.slice(1).trim());
          continue;
        }
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) this.messages.push({ ...message, data: data.join('\n') });
    }
  }
}

async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(['postgres', 'embedded'] as const)('event feeds on the %s store', (store) => {
  let t: TestApp;
  let api: ApiClient;
  let keys: ApiKeyStore;
  let stateId: string;
  let otherId: string;
  /** Every event of the log, read through the feed's own pages at the start of each test. */
  const everything = async (): Promise<any[]> => {
    const out: any[] = [];
    let after = '';
    for (;;) {
      const page = await api.get(`/events?limit=1000${after ? `&after=${after}` : ''}`);
      out.push(...page.body.events);
      if (page.body.next === null) return out;
      after = page.body.next;
    }
  };

  beforeAll(async () => {
    t = await startTestApp({ store, env: { SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
    api = new ApiClient(t.url, t.adminKey);
    keys = t.app.get(API_KEY_STORE);
    stateId = await playScenario(api, STATE_AGENCY_PATH);
    const other = await api.post('/partnerships', { name: 'Second partnership', initiationMode: 'agency', focus: 'Feeds' });
    otherId = other.body.partnershipId;
    await api.commands(otherId, [['JoinOrganization', { organizationId: 'org-a', name: 'Org A', orgType: 'school_district', side: 'practice' }]]);
  }, 120_000);
  afterAll(async () => t?.close(), 30_000);

  it('pages through the whole log by following Link rel="next", in position order, as wire envelopes', async () => {
    const seen: any[] = [];
    let path: string | null = '/events?limit=7';
    let pages = 0;
    while (path !== null) {
      const page: { status: number; headers: Headers; body: any } = await api.get(path);
      expect(page.status).toBe(200);
      pages += 1;
      seen.push(...page.body.events);
      const link: string | null = page.headers.get('link');
      if (page.body.next === null) {
        expect(link).toBeNull();
        expect(page.body.checkpoint).toBe(page.body.head);
        path = null;
      } else {
        expect(page.body.events).toHaveLength(7);
        expect(link).toBe(`</events?after=${page.body.next}&limit=7>; rel="next"`);
        path = /^<([^>]+)>; rel="next"$/.exec(link!)![1]!;
      }
    }
    const positions = seen.map((e) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seen.length / 7));
    for (const e of seen) {
      expect(Object.keys(e).sort()).toEqual(ENVELOPE_KEYS);
      expect(e.position).toMatch(/^\d+$/);
      expect(e.revision).toMatch(/^\d+$/);
      expect(e.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    // The same envelopes as the partnership's history, event for event.
    const history = await api.get(`/partnerships/${stateId}/history?limit=1000`);
    expect(seen.filter((e) => e.metadata.partnershipId === stateId)).toEqual(history.body.events);
    expect(seen.filter((e) => e.metadata.partnershipId === otherId).map((e) => e.type)).toEqual(['PartnershipProposed', 'OrganizationJoined']);
  });

  it('filters by types and by partnership, and starts after the given position (exclusive)', async () => {
    const all = await everything();
    const types = await api.get('/events?types=OrganizationJoined,PartnershipProposed&limit=1000');
    expect(types.body.events.map((e: any) => e.eventId)).toEqual(all.filter((e) => ['OrganizationJoined', 'PartnershipProposed'].includes(e.type)).map((e) => e.eventId));
    const repeated = await api.get('/events?types=OrganizationJoined&types=PartnershipProposed&limit=1000');
    expect(repeated.body.events).toEqual(types.body.events);

    const mine = await api.get(`/events?partnershipId=${otherId.toUpperCase()}&limit=1000`);
    expect(mine.body.events.map((e: any) => e.eventId)).toEqual(all.filter((e) => e.metadata.partnershipId === otherId).map((e) => e.eventId));
    expect(mine.body.next).toBeNull();

    const both = await api.get(`/events?partnershipId=${stateId}&types=PhaseTransitioned`);
    expect(both.body.events.length).toBeGreaterThan(0);
    expect(both.body.events.every((e: any) => e.type === 'PhaseTransitioned' && e.metadata.partnershipId === stateId)).toBe(true);

    const after = all[4].position;
    const rest = await api.get(`/events?after=${after}&limit=3`);
    expect(rest.body.events.map((e: any) => e.position)).toEqual(all.slice(5, 8).map((e) => e.position));
  });

  it('is open to admins, auditors, members and integrators, and to no one without a key', async () => {
    for (const role of ['auditor', 'member', 'integrator'] as const) {
      const client = api.withKey((await keys.create({ name: `feed ${role}`, role })).secret);
      expect((await client.get('/events?limit=1')).status).toBe(200);
      const stream = await SseClient.open(`${t.url}/events/stream?partnershipId=${otherId}`, client.apiKey!);
      expect(stream.response.status).toBe(200);
      await until(() => stream.messages.length === 2, `the ${role} stream`);
      stream.close();
    }
    expect((await api.withKey(undefined).get('/events')).status).toBe(401);
    expect((await api.withKey(undefined).get('/events/stream')).status).toBe(401);
  });

  it.each([
    ['limit=0', 'INVALID_QUERY', 'query.limit'],
    ['limit=1001', 'INVALID_QUERY', 'query.limit'],
    ['limit=ten', 'INVALID_QUERY', 'query.limit'],
    ['after=-1', 'INVALID_QUERY', 'query.after'],
    ['after=1e3', 'INVALID_QUERY', 'query.after'],
    ['types=PartnershipProposed,NoSuchEvent', 'INVALID_QUERY', 'query.types'],
    ['types=,', 'INVALID_QUERY', 'query.types'],
    ['partnershipId=not-a-uuid', 'INVALID_ID', 'query.partnershipId'],
  ])('answers GET /events?%s with a 400 %s problem', async (query, code, field) => {
    for (const path of [`/events?${query}`, ...(query.startsWith('limit') ? [] : [`/events/stream?${query}`])]) {
      const res = await api.get(path);
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 400, type: expect.stringContaining('application/problem+json') });
      expect(res.body.code).toBe(code);
      expect(res.body.errors.map((e: any) => e.field)).toContain(field);
    }
  });

  it('answers a Last-Event-ID that is not a position with a 400 INVALID_HEADER problem, not a stream', async () => {
    const res = await api.get('/events/stream', { 'Last-Event-ID': 'yesterday' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('INVALID_HEADER');
  });

  it('streams the log, resumes exactly after Last-Event-ID following a disconnect, then delivers live events', async () => {
    const before = await everything();
    const first = await SseClient.open(`${t.url}/events/stream`, t.adminKey);
    expect(first.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await until(() => first.messages.length >= 10, 'the first events');
    first.close();
    await until(() => first.ended, 'the disconnect');
    const received = first.events;
    const lastId = received[received.length - 1]!.id;

    // Events appended while the client is away are part of the catch-up.
    await api.commands(otherId, [['JoinOrganization', { organizationId: 'org-b', name: 'Org B', orgType: 'school', side: 'practice' }]]);
    const second = await SseClient.open(`${t.url}/events/stream?after=0`, t.adminKey, { 'Last-Event-ID': lastId });
    const whileAway = (await everything()).length;
    await until(() => received.length + second.messages.length === whileAway, 'the catch-up after the resume');

    // Live: appended after the catch-up.
    await api.commands(otherId, [['JoinOrganization', { organizationId: 'org-c', name: 'Org C', orgType: 'school', side: 'practice' }]]);
    const log = await everything();
    await until(() => received.length + second.messages.length === log.length, 'the live event');
    const streamed = [...received, ...second.events];
    expect(streamed.map((m) => m.id)).toEqual(log.map((e) => e.position));
    expect(streamed.map((m) => m.event)).toEqual(log.map((e) => e.type));
    expect(streamed.map((m) => m.envelope)).toEqual(log);
    expect(log.length).toBe(before.length + 2);
    expect(second.events[second.events.length - 1]!.envelope.data.organizationId).toBe('org-c');

    // Heartbeats keep the idle stream alive.
    const beats = second.comments.filter((c) => c === 'heartbeat').length;
    await until(() => second.comments.filter((c) => c === 'heartbeat').length >= beats + 2, 'two heartbeats');
    second.close();
  });

  it('applies the feed filters to the stream', async () => {
    const stream = await SseClient.open(`${t.url}/events/stream?partnershipId=${otherId}&types=OrganizationJoined`, t.adminKey);
    const expected = (await everything()).filter((e) => e.metadata.partnershipId === otherId && e.type === 'OrganizationJoined');
    await until(() => stream.messages.length === expected.length, 'the filtered catch-up');
    await api.commands(stateId, [['RecordReflection', { instrument: 'RPP health toolkit', ratings: { practice: { d1: 4 } }, actionsAgreed: [] }]]);
    await api.commands(otherId, [['JoinOrganization', { organizationId: 'org-d', name: 'Org D', orgType: 'school', side: 'practice' }]]);
    await until(() => stream.messages.length === expected.length + 1, 'the live matching event');
    expect(stream.events.map((e) => e.envelope.data.organizationId)).toEqual([...expected.map((e) => e.data.organizationId), 'org-d']);
    stream.close();
  });

  it('documents both routes in the OpenAPI document', async () => {
    const { body } = await api.withKey(undefined).get('/docs-json');
    const feed = body.paths['/events'].get;
    expect(feed.parameters.map((p: any) => p.name).sort()).toEqual(['after', 'limit', 'partnershipId', 'types']);
    expect(feed.responses['200'].content['application/json'].schema.properties.events.items).toEqual({ $ref: '#/components/schemas/Event' });
    expect(Object.keys(feed.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
    const stream = body.paths['/events/stream'].get;
    expect(stream.parameters.map((p: any) => p.name).sort()).toEqual(['Last-Event-ID', 'after', 'partnershipId', 'types']);
    expect(Object.keys(stream.responses['200'].content)).toEqual(['text/event-stream']);
  });

  it('frees a stream when its client disconnects', async () => {
    const { EventStreams } = await import('../../apps/api/src/event-feed/event-streams');
    const streams = t.app.get(EventStreams);
    await until(() => streams.openCount === 0, 'earlier streams to end');
    const clients = await Promise.all([1, 2, 3].map(() => SseClient.open(`${t.url}/events/stream?types=PartnershipProposed`, t.adminKey)));
    await until(() => streams.openCount === 3, 'three open streams');
    for (const c of clients) c.close();
    await until(() => streams.openCount === 0, 'the streams to end with their clients');
  });

  it('shuts down promptly with streams still open (the last test: it closes the app)', async () => {
    const open = await Promise.all([1, 2].map(() => SseClient.open(`${t.url}/events/stream`, t.adminKey)));
    await until(() => open.every((c) => c.messages.length > 0), 'two streaming clients');
    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    await until(() => open.every((c) => c.ended), 'the clients to see the end');
    t = undefined as unknown as TestApp; // closed already
  });
});
