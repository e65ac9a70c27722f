/**
 * asOf from stored snapshots (docs/architecture.md "asOf snapshots"): with a snapshot every 4
 * events, every asOf answer — both axes, at and around every time in the history, back-dated facts
 * included — equals the plain fold of the whole log filtered by time, on PostgreSQL (parsed snapshots
 * cached in memory, frozen) and on PGlite (no cache: every query parses its snapshot).
 */
import { evolve, initialState, partnershipStreamId, type PartnershipState } from '@trellis/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@trellis/event-store';
import { AsOfSnapshots, eventTimes } from '../../apps/api/src/partnerships/as-of/as-of-snapshots';
import { fromRecorded } from '../../apps/api/src/partnerships/partnership-envelope';
import { ApiClient } from '../support/api-client';
import { TOOL_PATH, playScenario } from '../support/seed-scenarios';
import { startTestApp, type TestApp } from '../support/test-app';

const EVERY = 4;

/** The reference: every event of the stream whose time is ≤ asOf, folded in stream order by plain evolve. */
function referenceFold(events: readonly RecordedEvent[], asOf: string, time: 'recorded' | 'occurred') {
  let state: PartnershipState = initialState();
  let applied = 0;
  let revision = -1n;
  for (const event of events) {
    if (eventTimes(event)[time === 'recorded' ? 'recordedAt' : 'occurredAt'] > asOf) continue;
    state = evolve(state, fromRecorded(event));
    applied += 1;
    revision = event.revision;
  }
  return { state, applied, revision };
}

const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

describe.each([
  ['postgres', '16'],
  ['embedded', '0'],
] as const)('asOf from stored snapshots (%s, ASOF_SNAPSHOT_CACHE_MB=%s)', (store, cacheMb) => {
  let t: TestApp;
  let api: ApiClient;
  let id: string;
  let events: RecordedEvent[];
  let snapshots: AsOfSnapshots;

  beforeAll(async () => {
    t = await startTestApp({ store, env: { ASOF_SNAPSHOT_EVERY: String(EVERY), ASOF_SNAPSHOT_CACHE_MB: cacheMb } });
    api = new ApiClient(t.url, t.adminKey);
    snapshots = t.app.get(AsOfSnapshots);
    id = await playScenario(api, TOOL_PATH);
    // Facts entered now that happened long before (back-dated): the occurred axis steps back.
    await api.commands(id, [
      ['JoinOrganization', { organizationId: 'late-lab', name: 'Late Lab', orgType: 'research_organization', side: 'research' }, { occurredAt: '2024-08-25T09:00:00Z' }],
      ['JoinOrganization', { organizationId: 'late-county', name: 'Late County', orgType: 'county_office', side: 'practice' }, { occurredAt: '2024-10-01T09:00:00Z' }],
    ]);
    const read: RecordedEvent[] = [];
    for await (const event of t.app.get<EventStore>(EVENT_STORE).readStream(partnershipStreamId(id))) read.push(event);
    events = read;
  }, 60_000);
  afterAll(async () => t?.close());

  const datesOf = (time: 'recorded' | 'occurred') => {
    const at = new Set<string>(['2020-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z']);
    for (const event of events) {
      const x = eventTimes(event)[time === 'recorded' ? 'recordedAt' : 'occurredAt'];
      for (const d of [x, shift(x, -1), shift(x, 1)]) at.add(d);
    }
    return [...at].sort();
  };

  async function expectEveryDateMatchesTheReference(): Promise<number> {
    let compared = 0;
    for (const time of ['recorded', 'occurred'] as const) {
      for (const asOf of datesOf(time)) {
        const expected = referenceFold(events, asOf, time);
        const res = await api.get(`/partnerships/${id}?asOf=${encodeURIComponent(asOf)}&time=${time}`);
        if (expected.applied === 0) {
          expect({ asOf, time, status: res.status }).toEqual({ asOf, time, status: 404 });
          continue;
        }
        expect({ asOf, time, status: res.status }).toEqual({ asOf, time, status: 200 });
        expect({ asOf, time, eventsApplied: res.body.eventsApplied, revision: res.body.revision }).toEqual({
          asOf,
          time,
          eventsApplied: expected.applied,
          revision: expected.revision.toString(),
        });
        expect(res.body.state).toEqual(JSON.parse(JSON.stringify(expected.state)));
        compared += 1;
      }
    }
    return compared;
  }

  it('has a history long enough to need several snapshots, with back-dated facts', () => {
    expect(events.length).toBeGreaterThan(5 * EVERY);
    const occurred = events.map((e) => eventTimes(e).occurredAt);
    expect(occurred.some((x, i) => i > 0 && x < occurred[i - 1])).toBe(true);
  });

  it('answers exactly as the plain fold before, while and after the snapshots are stored', async () => {
    const rows = async () => (await snapshots.plan(partnershipStreamId(id), '2099-01-01T00:00:00.000Z', 'recorded')).snapshots;
    expect(await rows()).toBe(0);
    expect(await expectEveryDateMatchesTheReference()).toBeGreaterThan(20); // the first query starts the catch-up
    await snapshots.settled();
    expect(await rows()).toBe(Math.floor(events.length / EVERY));
    await expectEveryDateMatchesTheReference();
    await expectEveryDateMatchesTheReference(); // every base now parsed before (from the cache, if on)
  });

  it('starts from the nearest snapshot and reads only the parts of the stream that can hold applied events', async () => {
    await snapshots.settled();
    const middle = eventTimes(events[Math.floor(events.length / 2)]).recordedAt;
    const plan = await snapshots.plan(partnershipStreamId(id), middle, 'recorded');
    expect(plan.base).toBeDefined();
    const read = plan.reads.reduce((n, r) => n + (r.count ?? events.length - Number(r.from)), 0);
    expect(read).toBeLessThan(events.length - plan.base!.events);
    // A base is frozen, cached or not: a fold that changed it by mistake would throw, not corrupt.
    const base = (await snapshots.state(partnershipStreamId(id), plan.base!)) as unknown as { workstreams: object };
    expect(Object.isFrozen(base) && Object.isFrozen(base.workstreams)).toBe(true);
  });
});
