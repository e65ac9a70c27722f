/**
 * The feed's page reader and the live streams against a real store (embedded PGlite, in memory) and,
 * for the streams, a real HTTP server on loopback read by a real socket. The store is wrapped only to
 * count what the feed reads and which subscriptions it leaves open.
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { v7 as uuidv7 } from 'uuid';
import {
  createEmbeddedEventStore,
  type EventStore,
  type EventSubscription,
  type EventToAppend,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeAllOptions,
} from '@trellis/event-store';
import { EventFeedQuery } from './event-feed.query';
import { EventStreams, type StreamRequest } from './event-streams';
import { SseWriter } from './sse-writer';

const A = '0193a1b2-0000-7000-8000-00000000000a';
const B = '0193a1b2-0000-7000-8000-00000000000b';

/** The real store, counting the events readAll yields and the subscriptions opened and closed. */
class CountingStore {
  scanned = 0;
  opened = 0;
  closed = 0;
  pulled = 0;
  onPull: (() => void) | undefined;

  constructor(readonly inner: EventStore) {}

  readonly store: EventStore = new Proxy(this as unknown as EventStore, {
    get: (_, name: keyof EventStore) => {
      if (name === 'readAll') return (options?: ReadAllOptions) => this.readAll(options);
      if (name === 'subscribeAll') return (options?: SubscribeAllOptions) => this.subscribeAll(options);
      const value = this.inner[name];
      return typeof value === 'function' ? value.bind(this.inner) : value;
    },
  });

  private async *readAll(options?: ReadAllOptions): AsyncGenerator<RecordedEvent> {
    for await (const event of this.inner.readAll(options)) {
      this.scanned += 1;
      yield event;
    }
  }

  private subscribeAll(options?: SubscribeAllOptions): EventSubscription {
    const inner = this.inner.subscribeAll(options);
    this.opened += 1;
    let counted = false;
    const markClosed = () => {
      if (!counted) this.closed += 1;
      counted = true;
    };
    const self = this;
    return {
      async close() {
        markClosed();
        await inner.close();
      },
      async *[Symbol.asyncIterator]() {
        try {
          for await (const event of inner) {
            self.pulled += 1;
            self.onPull?.();
            yield event;
          }
        } finally {
          markClosed();
        }
      },
    };
  }
}

let base: EventStore;
let counting: CountingStore;
const all: RecordedEvent[] = [];

function envelope(type: string, partnershipId: string, data: Record<string, unknown> = {}): EventToAppend {
  return { eventId: uuidv7(), type, schemaVersion: 1, data: { partnershipId, ...data }, metadata: { partnershipId, recordedAt: new Date().toISOString() } } as EventToAppend;
}

async function append(streamId: string, events: EventToAppend[]): Promise<void> {
  await base.append(streamId, events, { expectedRevision: 'any' });
}

async function readEverything(): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of base.readAll()) out.push(e);
  return out;
}

beforeAll(async () => {
  base = await createEmbeddedEventStore({ pollIntervalMs: 50, pageSize: 20 });
  counting = new CountingStore(base);
  // 60 events: partnership A's own stream, A's reminders (another stream, same metadata.partnershipId), and B.
  for (let i = 0; i < 20; i += 1) {
    await append(`partnership-${B}`, [envelope('OrganizationJoined', B, { i }), envelope('ParticipantJoined', B, { i })]);
    await append(`partnership-${A}`, [envelope(i === 0 ? 'PartnershipProposed' : 'OrganizationJoined', A, { i })]);
    if (i % 5 === 4) await append(`reminders-${A}`, [envelope('PhaseTransitioned', A, { reminder: i })]);
  }
  all.push(...(await readEverything()));
}, 60_000);

afterAll(async () => {
  await base?.close();
}, 30_000);

const positions = (events: ReadonlyArray<{ position: string | bigint }>) => events.map((e) => String(e.position));

describe('EventFeedQuery', () => {
  it('pages through the whole log in position order, after exclusive, with a cursor until the end', async () => {
    const feed = new EventFeedQuery(base, { scanLimit: 1_000 });
    const seen: string[] = [];
    let after: bigint | undefined;
    let pages = 0;
    for (;;) {
      const page = await feed.page({ ...(after !== undefined ? { after } : {}), limit: 7, filter: {} });
      pages += 1;
      seen.push(...positions(page.events));
      expect(page.head).toBe(all[all.length - 1]!.position.toString());
      if (page.next === null) {
        expect(page.checkpoint).toBe(page.head);
        break;
      }
      expect(page.events).toHaveLength(7);
      expect(page.next).toBe(page.events[6]!.position);
      after = BigInt(page.next);
    }
    expect(seen).toEqual(positions(all));
    expect(pages).toBe(Math.ceil(all.length / 7));
  });

  it('gives each event its wire envelope: positions and revisions as decimal strings', async () => {
    const page = await new EventFeedQuery(base, { scanLimit: 1_000 }).page({ limit: 1, filter: {} });
    const [first] = all;
    expect(page.events).toEqual([
      {
        eventId: first!.eventId,
        type: first!.type,
        schemaVersion: 1,
        streamId: first!.streamId,
        revision: '0',
        position: first!.position.toString(),
        data: first!.data,
        metadata: first!.metadata,
      },
    ]);
  });

  it('filters by type in the store and says when the end is reached', async () => {
    const feed = new EventFeedQuery(counting.store, { scanLimit: 1_000 });
    counting.scanned = 0;
    const page = await feed.page({ limit: 1_000, filter: { types: ['PartnershipProposed', 'PhaseTransitioned'] } });
    expect(positions(page.events)).toEqual(positions(all.filter((e) => e.type === 'PartnershipProposed' || e.type === 'PhaseTransitioned')));
    expect(counting.scanned).toBe(page.events.length); // nothing else was read
    expect(page.next).toBeNull();
  });

  it('filters by metadata.partnershipId across streams, scanning a bounded number of events per page', async () => {
    const scanLimit = 8;
    const feed = new EventFeedQuery(counting.store, { scanLimit });
    const seen: string[] = [];
    let after: bigint | undefined;
    let emptyPagesWithNext = 0;
    for (let requests = 0; requests < 100; requests += 1) {
      counting.scanned = 0;
      const page = await feed.page({ ...(after !== undefined ? { after } : {}), limit: 3, filter: { partnershipId: A } });
      expect(counting.scanned).toBeLessThanOrEqual(scanLimit);
      for (const e of page.events) expect(e.metadata['partnershipId']).toBe(A);
      seen.push(...positions(page.events));
      if (page.events.length === 0 && page.next !== null) emptyPagesWithNext += 1;
      if (page.next === null) break;
      after = BigInt(page.next);
    }
    const expected = all.filter((e) => e.metadata['partnershipId'] === A);
    expect(new Set(expected.map((e) => e.streamId))).toEqual(new Set([`partnership-${A}`, `reminders-${A}`]));
    expect(seen).toEqual(positions(expected));
    expect(emptyPagesWithNext).toBe(0); // sanity: with 1 in 3 matching, 8 scanned always find one

    // A sparse filter (no match in the log) still answers within the bound, with a cursor past what it read.
    counting.scanned = 0;
    const none = await feed.page({ limit: 5, filter: { partnershipId: '0193a1b2-0000-7000-8000-0000000000ff' } });
    expect(counting.scanned).toBe(scanLimit);
    expect(none.events).toEqual([]);
    expect(none.next).toBe(all[scanLimit - 1]!.position.toString());
  });

  it('applies the caller\'s visibility (the organization-scoping seam)', async () => {
    const feed = new EventFeedQuery(base, { scanLimit: 1_000 });
    const page = await feed.page({ limit: 1_000, filter: {}, visible: (e) => e.streamId.startsWith('reminders-') });
    expect(positions(page.events)).toEqual(positions(all.filter((e) => e.streamId.startsWith('reminders-'))));
    expect(page.next).toBeNull();
  });

  it('answers an empty page after the head, with the requested position as checkpoint', async () => {
    const page = await new EventFeedQuery(base, { scanLimit: 1_000 }).page({ after: 10_000n, limit: 5, filter: {} });
    expect(page).toEqual(expect.objectContaining({ events: [], next: null, checkpoint: '10000' }));
  });
});

// ── live streams over real HTTP ──────────────────────────────────────────────────────────────

interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** A minimal SSE reader over a raw socket, independent of the server's writer. */
class SseReader {
  readonly messages: SseMessage[] = [];
  comments = 0;
  ended = false;
  private buffer = '';

  constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.feed(chunk));
    response.on('end', () => (this.ended = true));
    response.on('close', () => (this.ended = true));
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let cut: number;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const message: SseMessage = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments += 1;
        else if (line.startsWith('id: ')) message.id = line.slice(4);
        else if (line.startsWith('event: ')) message.event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) this.messages.push({ ...message, data: data.join('\n') });
    }
  }
}

let server: Server;
let streams: EventStreams;
let serverResponses: ServerResponse[] = [];
let nextRequest: Partial<StreamRequest> = {};
/** Runs before the stream is served (as authentication does in the app). */
let beforeServe: ((req: IncomingMessage) => Promise<void>) | undefined;

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function connect(): Promise<SseReader> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/stream' }, (res) => resolve(new SseReader(res)));
    req.on('error', reject);
    req.end();
  });
}

function startServer(heartbeatMs: number): Promise<void> {
  streams = new EventStreams(counting.store, { sseHeartbeatMs: heartbeatMs });
  server = createServer((req, res) => {
    serverResponses.push(res);
    void (beforeServe?.(req) ?? Promise.resolve()).then(() => streams.serve(res, { filter: {}, ...nextRequest }));
  });
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => undefined);
}

describe('EventStreams', () => {
  beforeEach(async () => {
    counting.opened = counting.closed = counting.pulled = 0;
    counting.onPull = undefined;
    serverResponses = [];
    nextRequest = {};
    beforeServe = undefined;
    await startServer(100);
  });
  afterEach(async () => {
    await streams.beforeApplicationShutdown();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('catches up, then follows live appends, with ids that are positions, and heartbeats meanwhile', async () => {
    nextRequest = { after: all[49]!.position, filter: { partnershipId: A } };
    const reader = await connect();
    expect(reader.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const caughtUp = all.slice(50).filter((e) => e.metadata['partnershipId'] === A);
    await until(() => reader.messages.length === caughtUp.length, 'the catch-up');
    await append(`partnership-${A}`, [envelope('OrganizationJoined', A, { live: 1 })]);
    await append(`partnership-${B}`, [envelope('OrganizationJoined', B, { live: 2 })]);
    await append(`reminders-${A}`, [envelope('PhaseTransitioned', A, { live: 3 })]);
    const expected = (await readEverything()).filter((e) => e.position > all[49]!.position && e.metadata['partnershipId'] === A);
    await until(() => reader.messages.length === expected.length, 'the live events');
    expect(reader.messages.map((m) => m.id)).toEqual(positions(expected));
    expect(reader.messages.map((m) => m.event)).toEqual(expected.map((e) => e.type));
    expect(JSON.parse(reader.messages[0]!.data)).toEqual(expect.objectContaining({ eventId: expected[0]!.eventId, position: expected[0]!.position.toString() }));
    await until(() => reader.comments >= 3, 'heartbeats');
    all.splice(0, all.length, ...(await readEverything()));
  });

  it('leaves no subscription or stream behind when the client disconnects', async () => {
    const reader = await connect();
    await until(() => reader.messages.length === all.length, 'the catch-up');
    expect(streams.openCount).toBe(1);
    expect(counting.opened - counting.closed).toBe(1);
    reader.response.destroy();
    await until(() => streams.openCount === 0, 'the stream to end');
    expect(counting.opened).toBe(1);
    expect(counting.closed).toBe(1);
    const res = serverResponses[0]!;
    expect(res.destroyed || res.writableEnded).toBe(true);
  });

  it('stops at once when the client left before the stream started', async () => {
    nextRequest = { after: 1_000_000n }; // nothing to send: only the disconnect can end it
    let gone!: () => void;
    const left = new Promise<void>((resolve) => (gone = resolve));
    beforeServe = (req) => new Promise((resolve) => req.socket.once('close', () => (gone(), resolve())));
    const { port } = server.address() as AddressInfo;
    const req = httpRequest({ host: '127.0.0.1', port, path: '/stream' });
    req.on('error', () => undefined);
    req.end();
    await until(() => serverResponses.length === 1, 'the request to arrive');
    req.destroy();
    await left;
    await until(() => counting.opened === 1 && streams.openCount === 0, 'the stream to end by itself');
    expect(counting.closed).toBe(1);
  });

  it('ends every open stream when the application shuts down, so the server can close', async () => {
    const readers = await Promise.all([connect(), connect()]);
    await until(() => streams.openCount === 2 && readers.every((r) => r.messages.length === all.length), 'two caught-up streams');
    await streams.beforeApplicationShutdown();
    expect(streams.openCount).toBe(0);
    expect(counting.closed).toBe(2);
    await until(() => readers.every((r) => r.ended), 'the clients to see the end');
    // A stream asked for during shutdown is refused before anything is written.
    expect(() => streams.serve(serverResponses[0]!, { filter: {} })).toThrow(expect.objectContaining({ status: 503, code: 'SERVICE_UNAVAILABLE' }));
  });

  it('shuts down promptly even with a client that stopped reading', async () => {
    const big = 'y'.repeat(32 * 1024);
    nextRequest = { after: await base.headPosition(), filter: { types: ['ToolRevised'] } };
    const reader = await connect();
    reader.response.pause();
    await until(() => serverResponses.length === 1, 'the server side');
    const res = serverResponses[0]!;
    for (let i = 0; i < 300; i += 50) {
      await append(`partnership-${B}`, Array.from({ length: 50 }, (_, j) => envelope('ToolRevised', B, { n: i + j, big })));
    }
    await until(() => res.writableNeedDrain, 'the server-side buffer to fill');
    const started = Date.now();
    await streams.beforeApplicationShutdown();
    await new Promise((r) => server.close(r)); // would wait for the stuck connection forever
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(counting.opened - counting.closed).toBe(0);
    all.splice(0, all.length, ...(await readEverything()));
    await startServer(100); // for afterEach
  }, 30_000);

  it('respects back-pressure: a client that does not read is never buffered for beyond one message', async () => {
    const big = 'x'.repeat(32 * 1024);
    const start = (await base.headPosition());
    nextRequest = { after: start, filter: { types: ['ToolCoDeveloped'] } };
    const reader = await connect();
    reader.response.pause(); // the client stops reading: the kernel buffers fill, then the server's
    await until(() => serverResponses.length === 1, 'the server side');
    const res = serverResponses[0]!;
    let drains = 0;
    res.on('drain', () => (drains += 1));
    let maxBuffered = 0;
    counting.onPull = () => (maxBuffered = Math.max(maxBuffered, res.writableLength));
    const count = 400; // ~13 MB: more than the loopback socket buffers hold
    for (let i = 0; i < count; i += 50) {
      await append(`partnership-${B}`, Array.from({ length: 50 }, (_, j) => envelope('ToolCoDeveloped', B, { n: i + j, big })));
    }
    reader.response.resume();
    await until(() => reader.messages.length === count, 'every event once the client reads again', 30_000);
    expect(reader.messages.map((m) => JSON.parse(m.data).data.n)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(drains).toBeGreaterThan(0); // the socket did push back…
    expect(maxBuffered).toBeLessThanOrEqual(res.writableHighWaterMark + big.length + 2_048); // …and was respected
    all.splice(0, all.length, ...(await readEverything()));
  }, 60_000);
});

describe('SseWriter', () => {
  it('stops its heartbeat when the client leaves, and never writes after that', async () => {
    let writer: SseWriter | undefined;
    const httpServer = createServer((_req, res) => {
      writer = new SseWriter(res, 100);
      writer.open();
    });
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    try {
      const { port } = httpServer.address() as AddressInfo;
      const reader = await new Promise<SseReader>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => resolve(new SseReader(res))).on('error', reject).end();
      });
      await until(() => reader.comments >= 3, 'the connected comment and two heartbeats');
      expect(writer!.heartbeating).toBe(true);
      reader.response.destroy();
      await until(() => writer!.closed, 'the server to see the client leave');
      expect(writer!.heartbeating).toBe(false);
      await writer!.send({ id: '1', event: 'PartnershipProposed', data: '{}' }); // a no-op, not an error
    } finally {
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });
});
