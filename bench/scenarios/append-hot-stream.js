'use strict';
/**
 * append-hot-stream (DESIGN.md §11, "append … on one hot stream"): 16 writers on ONE stream, each
 * looping read head → append with that exact revision → on conflict re-read and retry.
 */
const { defineAppendScenario } = require('../lib/append-scenario');

module.exports = defineAppendScenario({
  name: 'append-hot-stream',
  short: 'hot',
  title: 'Append, 16 writers on one hot stream (optimistic concurrency with retries)',
  workload: 'hot',
  subjects: ['trellis', 'emmett', 'raw'],
  description: [
    'All writers append to the same stream. Each append: read the stream head, append one event with',
    'exactly that expected revision, and if another writer got there first (a conflict), read the head',
    'again and retry at once (no back-off), with the same event. Only successful appends count as',
    'throughput; their latency runs from the first read to success, retries included. At most one of',
    'the writers that read the same head can win, so this measures how quickly a subject turns',
    'read → append → conflict around, not raw write capacity. For Trellis, "attempts per commit" counts',
    'all appends of one `append_batch` call, most of which are refused as conflicts.',
    '',
    '- **Trellis**: `store.streamHead(stream)`, then `store.append(…, { expectedRevision: head.revision })`;',
    '  a conflict is `WrongExpectedRevisionError`.',
    '- **Emmett**: Emmett has no stream-head call; the cheapest public way is `readStream(stream, { from })`',
    '  from the last version this writer saw (returns that event and any newer ones), then',
    '  `appendToStream(…, { expectedStreamVersion })`; a conflict is `ExpectedVersionConflictError`.',
    '- **raw INSERT**: `SELECT max(revision) … WHERE stream_id = $1`, then the prepared autocommit `INSERT`',
    '  of revision + 1; the unique (stream_id, revision) index turns a lost race into a conflict (23505).',
  ].join('\n'),
  ratios: [
    { label: 'Trellis / Emmett (successful appends/s)', of: 'trellis', to: 'emmett', metric: 'appendsPerSec', headline: true },
    { label: 'Trellis / raw INSERT (successful appends/s)', of: 'trellis', to: 'raw', metric: 'appendsPerSec', headline: true },
    { label: 'Trellis / Emmett (p50 latency, lower is better)', of: 'trellis', to: 'emmett', metric: 'p50' },
    { label: 'Trellis / Emmett (p99 latency, lower is better)', of: 'trellis', to: 'emmett', metric: 'p99' },
  ],
});
