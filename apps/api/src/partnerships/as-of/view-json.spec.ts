import { initialState, partnershipFolder, PartnershipFixtures, type PartnershipEvent, type PartnershipState } from '@trellis/domain';
import { encodeView, freezeSnapshotState } from './view-json';

const { runCommands, seedStateAgencyPath, seedToolPath } = PartnershipFixtures;

const histories: Record<string, readonly PartnershipEvent[]> = {
  'tool path': runCommands(seedToolPath()).events,
  'state-agency path': runCommands(seedStateAgencyPath()).events,
};

const foldAll = (events: readonly PartnershipEvent[], from: PartnershipState = initialState()): PartnershipState =>
  events.reduce(partnershipFolder(), from);

/** A snapshot as the engine holds it: parsed from its stored JSON, frozen and marked. */
const snapshotOf = (state: PartnershipState): PartnershipState => freezeSnapshotState(JSON.parse(JSON.stringify(state)) as PartnershipState);

const view = (state: PartnershipState, extra: Record<string, unknown> = {}) => ({
  partnershipId: 'rpp-1',
  revision: '41',
  state,
  asOf: '2025-01-01T00:00:00.000Z',
  time: 'recorded',
  eventsApplied: 42,
  ...extra,
});

const expectSameJson = (value: object) => expect(encodeView(value).toString('utf8')).toBe(JSON.stringify(value));

describe('encodeView (the JSON of an asOf answer)', () => {
  it.each(Object.keys(histories))('is JSON.stringify byte for byte after every event of the %s, from a snapshot or not', (name) => {
    const events = histories[name]!;
    const half = Math.floor(events.length / 2);
    const base = snapshotOf(foldAll(events.slice(0, half)));
    for (let k = 0; k <= events.length; k += 1) {
      expectSameJson(view(foldAll(events.slice(0, k))));
      // Folded on from a frozen snapshot: shared entries come from kept bytes, the rest is new.
      if (k >= half) {
        expectSameJson(view(foldAll(events.slice(half, k), base)));
        expectSameJson(view(foldAll(events.slice(half, k), base))); // a second time, from kept bytes
      }
    }
  });

  it('leaves out what JSON leaves out and writes what it writes, at every depth', () => {
    const state = snapshotOf(foldAll(histories['tool path']!));
    const awkward = {
      a: undefined,
      b: () => 1,
      c: 'en – dash, emoji 🌱, quote " and \\ and \u2028',
      d: [undefined, () => 1, null, 1.5, -0, NaN, Infinity],
      e: { toJSON: () => ({ replaced: true }) },
      f: new Date('2025-01-02T03:04:05.000Z'),
      g: { only: undefined },
      10: 'integer keys first',
      state: { ...state, extra: undefined, nested: { inner: { deep: [1, { x: undefined }] }, gone: undefined } },
    };
    expectSameJson(awkward);
    expectSameJson({});
    expectSameJson({ only: undefined });
    expectSameJson({ state: {} });
  });

  it('serialises a kept entry once: later answers from the same snapshot copy its bytes', () => {
    const base = snapshotOf(foldAll(histories['tool path']!));
    const entry = Object.values((base as { workstreams: Record<string, object> }).workstreams)[0]!;
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      const first = encodeView(view(base)).toString('utf8');
      const callsWithEntry = () => stringify.mock.calls.filter(([value]) => value === entry).length;
      expect(callsWithEntry()).toBe(1);
      expect(encodeView(view(base)).toString('utf8')).toBe(first);
      expect(callsWithEntry()).toBe(1);
    } finally {
      stringify.mockRestore();
    }
  });

  it('does not keep the bytes of entries that are not from a snapshot (they may change)', () => {
    const state = JSON.parse(JSON.stringify(foldAll(histories['tool path']!))) as { workstreams: Record<string, { title: string }> };
    const entry = Object.values(state.workstreams)[0]!;
    const before = encodeView(view(state as unknown as PartnershipState)).toString('utf8');
    entry.title = 'Renamed in place';
    const after = encodeView(view(state as unknown as PartnershipState)).toString('utf8');
    expect(after).not.toBe(before);
    expect(after).toBe(JSON.stringify(view(state as unknown as PartnershipState)));
  });

  it('freezes the snapshot state all the way down', () => {
    const base = snapshotOf(foldAll(histories['tool path']!)) as unknown as { workstreams: Record<string, { phaseHistory: object[] }> };
    const entry = Object.values(base.workstreams)[0]!;
    expect(Object.isFrozen(base)).toBe(true);
    expect(Object.isFrozen(entry.phaseHistory[0])).toBe(true);
  });
});
