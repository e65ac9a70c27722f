/**
 * `partnershipFolder`: a fold that updates the registries it copied itself in place must give exactly
 * the state `evolve` gives, never change a state it did not build (the initial state, a cached one),
 * and keep hostile ids (`__proto__`, `constructor`) own properties.
 */
import { fold } from '../shared/decider';
import { formalizedPartnership, history, runCommands, seedStateAgencyPath, seedToolPath } from '../testing/partnership.fixtures';
import { partnershipDecider } from './partnership.decider';
import type { PartnershipEvent } from './partnership.events';
import { evolve, initialState, lookup, partnershipFolder, type Partnership, type PartnershipState } from './partnership.state';

/** The reference: plain `evolve`, each step copying what it changes. */
const evolveAll = (events: readonly PartnershipEvent[], from: PartnershipState = initialState()) => events.reduce(evolve, from);

const foldWithFolder = (events: readonly PartnershipEvent[], from: PartnershipState = initialState()) => {
  const step = partnershipFolder();
  return events.reduce(step, from);
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const histories: Array<[string, () => PartnershipEvent[]]> = [
  ['a formalized partnership', () => formalizedPartnership().events],
  ['the seed tool path', () => runCommands(seedToolPath()).events],
  ['the seed state-agency path', () => runCommands(seedStateAgencyPath()).events],
  [
    'many workstreams in every phase, a DSA and status changes',
    () =>
      history()
        .proposed()
        .members()
        .formalized()
        .dsa()
        .workstreamAt('problem_framing', 'ws-0')
        .workstreamAt('pilot', 'ws-1')
        .workstreamAt('formal_study', 'ws-2')
        .workstreamAt('joint_interpretation', 'ws-3')
        .workstreamAt('use_dissemination', 'ws-4').events,
  ],
];

describe('partnershipFolder', () => {
  it.each(histories)('folds %s to exactly the state evolve gives', (_, events) => {
    const all = events();
    expect(foldWithFolder(all)).toEqual(evolveAll(all));
    // The generic fold uses the decider's folder.
    expect(fold(partnershipDecider, all)).toEqual(evolveAll(all));
  });

  it.each(histories)('never changes a state it did not build: folding on from a frozen cached state (%s)', (_, events) => {
    const all = events();
    const half = Math.floor(all.length / 2);
    const cached = deepFreeze(evolveAll(all.slice(0, half)));
    const snapshot = JSON.stringify(cached);
    // A frozen registry would throw if the folder wrote to it in place.
    expect(foldWithFolder(all.slice(half), cached)).toEqual(evolveAll(all));
    expect(JSON.stringify(cached)).toBe(snapshot);
  });

  it('keeps every intermediate state of plain evolve intact (evolve outside a folder still copies)', () => {
    const all = runCommands(seedToolPath()).events;
    const states: PartnershipState[] = [];
    all.reduce((s, e) => {
      const next = evolve(s, e);
      states.push(next);
      return next;
    }, initialState());
    const snapshots = states.map((s) => JSON.stringify(s));
    foldWithFolder(all); // a folder's run in between must not touch them
    expect(states.map((s) => JSON.stringify(s))).toEqual(snapshots);
  });

  it('keeps hostile ids own properties when it updates a registry in place', () => {
    const h = formalizedPartnership();
    const join = (organizationId: string) =>
      h.append({
        type: 'OrganizationJoined',
        data: { organizationId, name: organizationId, orgType: 'school', side: 'practice' },
        metadata: { eventId: `join-${organizationId}`, occurredAt: '2024-06-01T10:00:00.000Z', recordedAt: '2024-06-01T10:00:00.000Z' },
      } as PartnershipEvent);
    join('__proto__');
    join('constructor');
    join('hasOwnProperty');
    const folded = foldWithFolder(h.events) as Partnership;
    expect(folded).toEqual(evolveAll(h.events));
    expect(Object.getPrototypeOf(folded.organizations)).toBe(Object.prototype);
    for (const id of ['__proto__', 'constructor', 'hasOwnProperty']) {
      expect(Object.hasOwn(folded.organizations, id)).toBe(true);
      expect(lookup(folded.organizations, id)?.name).toBe(id);
    }
  });

  it('gives independent folds independent registries, even interleaved', () => {
    const all = runCommands(seedToolPath()).events;
    const a = partnershipFolder();
    const b = partnershipFolder();
    let sa: PartnershipState = initialState();
    let sb: PartnershipState = initialState();
    for (const e of all) {
      sa = a(sa, e);
      sb = b(sb, e);
    }
    expect(sa).toEqual(sb);
    expect((sa as Partnership).organizations).not.toBe((sb as Partnership).organizations);
  });
});
