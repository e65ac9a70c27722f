/**
 * Which stored snapshot an asOf query starts from and which revisions of the stream it must still
 * read (docs/architecture.md "asOf snapshots"). Pure: the snapshot store gives the summaries, the
 * query service reads and folds.
 *
 * A snapshot after revision R holds the state folded from every event 0…R, with the largest
 * `recordedAt` and `occurredAt` among them and the smallest of each among the events of its segment
 * (those after the previous snapshot). Folding for asOf `t` on an axis applies, in stream order, the
 * events whose time on that axis is ≤ t. So:
 * - a snapshot whose prefix maximum is ≤ t is exactly the fold of its prefix for that query (no
 *   event of it is skipped); the last such snapshot is the base;
 * - a later segment whose minimum is > t holds no event the query applies: it is not read;
 * - every other later segment, and the tail after the last snapshot (no figures yet), is read and
 *   filtered event by event.
 * The times may step back along a stream (back-dated facts on `occurred`; a command retried after a
 * conflict keeps the `recordedAt` it was decided with), which is why prefix maxima and segment
 * minima are kept instead of assuming either axis is ordered.
 */
export type TimeAxis = 'recorded' | 'occurred';

export interface SnapshotSummary {
  /** The last revision folded into the snapshot. */
  readonly revision: bigint;
  /** Events folded (the whole prefix 0…revision). */
  readonly events: number;
  readonly maxRecordedAt: string;
  readonly maxOccurredAt: string;
  /** The smallest times among the events after the previous snapshot, up to `revision`. */
  readonly segmentMinRecordedAt: string;
  readonly segmentMinOccurredAt: string;
}

export interface RevisionRange {
  readonly from: bigint;
  /** Events to read from `from`; absent: to the end of the stream. */
  readonly count?: number;
}

export interface AsOfPlan {
  /** How many snapshots the stream has (any: the stream exists). */
  readonly snapshots: number;
  readonly base?: SnapshotSummary;
  /** The first revision after the last snapshot: from here on the stream has no snapshot yet. */
  readonly tailFrom: bigint;
  /** In stream order, disjoint, all after the base. */
  readonly reads: readonly RevisionRange[];
}

export function planAsOf(snapshots: readonly SnapshotSummary[], asOf: string, time: TimeAxis): AsOfPlan {
  const max = (s: SnapshotSummary) => (time === 'recorded' ? s.maxRecordedAt : s.maxOccurredAt);
  const segmentMin = (s: SnapshotSummary) => (time === 'recorded' ? s.segmentMinRecordedAt : s.segmentMinOccurredAt);

  let baseIndex = -1;
  for (let i = 0; i < snapshots.length; i += 1) if (max(snapshots[i]) <= asOf) baseIndex = i;
  const base = baseIndex >= 0 ? snapshots[baseIndex] : undefined;

  const reads: RevisionRange[] = [];
  const read = (from: bigint, to?: bigint) => {
    const last = reads[reads.length - 1];
    if (last && last.count !== undefined && last.from + BigInt(last.count) === from) {
      reads[reads.length - 1] = to === undefined ? { from: last.from } : { from: last.from, count: Number(to - last.from + 1n) };
    } else {
      reads.push(to === undefined ? { from } : { from, count: Number(to - from + 1n) });
    }
  };
  let previous = base?.revision ?? -1n;
  for (let i = baseIndex + 1; i < snapshots.length; i += 1) {
    const segment = snapshots[i];
    if (segmentMin(segment) <= asOf) read(previous + 1n, segment.revision);
    previous = segment.revision;
  }
  read(previous + 1n);
  return { snapshots: snapshots.length, ...(base ? { base } : {}), tailFrom: previous + 1n, reads };
}
