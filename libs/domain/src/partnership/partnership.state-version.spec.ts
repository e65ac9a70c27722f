import { createHash } from 'node:crypto';
import { runCommands, seedStateAgencyPath, seedToolPath } from '../testing/partnership.fixtures';
import type { PartnershipEvent } from './partnership.events';
import { initialState, PARTNERSHIP_STATE_VERSION, partnershipFolder, type PartnershipState } from './partnership.state';

const histories: Record<string, readonly PartnershipEvent[]> = {
  'tool path': runCommands(seedToolPath()).events,
  'state-agency path': runCommands(seedStateAgencyPath()).events,
};

const foldAll = (events: readonly PartnershipEvent[], from: PartnershipState = initialState()): PartnershipState => {
  const step = partnershipFolder();
  return events.reduce(step, from);
};

/**
 * What the fold of the seed histories gives, per state version. When a change to `evolve`, the
 * state's shape or the upcasters changes these hashes, stored snapshots of the old fold are no
 * longer valid: bump PARTNERSHIP_STATE_VERSION and record the new hashes under the new version.
 */
const FOLD_FINGERPRINTS: Record<number, Record<string, string>> = {
  1: {
    'tool path': 'ad54c18f4a739426e541772f41291e5a9d5643443e76f7bbca304cbab6ea97ed',
    'state-agency path': '5be0397bdb238996e95d69843cfd0fb37c8d156c873ad235f94a1e45e3b0ec50',
  },
};

describe('PARTNERSHIP_STATE_VERSION (the version stored snapshots of the state carry)', () => {
  it.each(Object.keys(histories))('matches the fold of the %s (bump the version when the fold changes)', (name) => {
    const hash = createHash('sha256').update(JSON.stringify(foldAll(histories[name]))).digest('hex');
    expect({ version: PARTNERSHIP_STATE_VERSION, hash }).toEqual({
      version: PARTNERSHIP_STATE_VERSION,
      hash: FOLD_FINGERPRINTS[PARTNERSHIP_STATE_VERSION]?.[name],
    });
  });

  it.each(Object.keys(histories))('a state stored as JSON after any event folds on to the same state (%s)', (name) => {
    const events = histories[name];
    const whole = foldAll(events);
    for (let k = 0; k <= events.length; k += 1) {
      const stored = JSON.parse(JSON.stringify(foldAll(events.slice(0, k)))) as PartnershipState;
      expect(foldAll(events.slice(k), stored)).toEqual(whole);
    }
  });
});
