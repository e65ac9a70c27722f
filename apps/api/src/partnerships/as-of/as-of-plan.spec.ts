import { planAsOf, type SnapshotSummary } from './as-of-plan';

/** A snapshot after `revision` (every 4 events), with one time for both axes unless `occurred` says otherwise. */
const snap = (revision: number, max: string, min: string, occurred?: { max: string; min: string }): SnapshotSummary => ({
  revision: BigInt(revision),
  events: revision + 1,
  maxRecordedAt: max,
  segmentMinRecordedAt: min,
  maxOccurredAt: occurred?.max ?? max,
  segmentMinOccurredAt: occurred?.min ?? min,
});

// Segments 0–3 (times 01–04), 4–7 (05–08), 8–11 (09–12); the tail from 12 has no snapshot.
const ordered = [snap(3, 't04', 't01'), snap(7, 't08', 't05'), snap(11, 't12', 't09')];

describe('planAsOf', () => {
  it('without snapshots reads the whole stream', () => {
    expect(planAsOf([], 't05', 'recorded')).toEqual({ snapshots: 0, tailFrom: 0n, reads: [{ from: 0n }] });
  });

  it('starts from the last snapshot whose events are all on or before the date, skipping later segments', () => {
    const plan = planAsOf(ordered, 't06', 'recorded');
    expect(plan.base?.revision).toBe(3n);
    // Segment 4–7 may hold applied events; 8–11 starts after the date; the tail is always read.
    expect(plan.reads).toEqual([{ from: 4n, count: 4 }, { from: 12n }]);
    expect(plan.tailFrom).toBe(12n);
  });

  it('on a snapshot boundary, starts from it and reads only the tail', () => {
    expect(planAsOf(ordered, 't08', 'recorded')).toMatchObject({ base: { revision: 7n }, reads: [{ from: 12n }] });
    expect(planAsOf(ordered, 't99', 'recorded')).toMatchObject({ base: { revision: 11n }, reads: [{ from: 12n }] });
  });

  it('before the first event: no base, nothing but the tail is read', () => {
    const plan = planAsOf(ordered, 't00', 'recorded');
    expect(plan.base).toBeUndefined();
    expect(plan.reads).toEqual([{ from: 12n }]);
    expect(plan.snapshots).toBe(3);
  });

  it('merges adjacent segments into one read, and a last segment into the tail', () => {
    // A back-dated fact in every segment: all may hold events applied at t02.
    const backDated = [snap(3, 't04', 't01'), snap(7, 't08', 't02'), snap(11, 't12', 't02')];
    expect(planAsOf(backDated, 't02', 'recorded')).toMatchObject({ reads: [{ from: 0n }], tailFrom: 12n });
    const middleOnly = [snap(3, 't04', 't01'), snap(7, 't08', 't02'), snap(11, 't12', 't09')];
    expect(planAsOf(middleOnly, 't03', 'recorded').reads).toEqual([{ from: 0n, count: 8 }, { from: 12n }]);
  });

  it('reads each axis by its own figures: a back-dated segment counts on occurred only', () => {
    const snaps = [snap(3, 't04', 't01'), snap(7, 't08', 't05', { max: 't08', min: 't02' }), snap(11, 't12', 't09')];
    expect(planAsOf(snaps, 't04', 'recorded')).toMatchObject({ base: { revision: 3n }, reads: [{ from: 12n }] });
    expect(planAsOf(snaps, 't04', 'occurred')).toMatchObject({ base: { revision: 3n }, reads: [{ from: 4n, count: 4 }, { from: 12n }] });
  });

  it('uses prefix maxima, not the order of the snapshots: a snapshot after a late time is never a base before it', () => {
    // recordedAt stepped back in segment 8–11: its prefix maximum stays t08.
    const stepBack = [snap(3, 't04', 't01'), snap(7, 't08', 't05'), snap(11, 't08', 't07')];
    expect(planAsOf(stepBack, 't07', 'recorded')).toMatchObject({ base: { revision: 3n }, reads: [{ from: 4n }] });
  });
});
