'use strict';
/**
 * append-distinct (DESIGN.md §11, "append"): 16 concurrent writers, each appending single-event
 * appends to its own stream with the exact expected revision.
 */
const { defineAppendScenario } = require('../lib/append-scenario');

module.exports = defineAppendScenario({
  name: 'append-distinct',
  short: 'dist',
  title: 'Append, 16 writers on distinct streams',
  workload: 'distinct',
  subjects: ['trellis', 'emmett', 'raw', 'raw-batched'],
  labels: { raw: 'raw INSERT, 1 commit per append (ceiling)' },
  description: [
    'Each writer appends one event at a time to its own stream, passing the exact expected revision it',
    'got back from its previous append, as fast as it can. The event is a realistic `ToolCoDeveloped`',
    'partnership event (~470 bytes of data, ~440 bytes of metadata: partnershipId, occurredAt,',
    'recordedAt, recordedBy, correlationId, causationId) with a fresh UUIDv7. Latency is that of one',
    '`append` call.',
    '',
    '- **Trellis**: `createPostgresEventStore({ poolSize: 16 })` → `store.append(stream, [event], { expectedRevision })`,',
    '  the compiled library as shipped (hash chain, global append lock, group commit).',
    '- **Emmett**: `getPostgreSQLEventStore(url, { connectionOptions: { pool } })` over a `pg.Pool` of 16 →',
    '  `appendToStream(stream, [event], { expectedStreamVersion })`.',
    '- **raw INSERT (ceiling)**: the same rows (with 64-hex `prevHash`/`hash` in metadata, not computed) into a',
    '  table with the same columns and indexes as Trellis\'s, one prepared autocommit `INSERT` per append',
    '  (one transaction, one commit each) on a pool of 16 — the ceiling DESIGN.md §11 names.',
    '- **raw multi-row INSERT (info)**: the same rows, but appends that arrive while a write is in flight',
    '  are written together by one multi-row `INSERT … SELECT FROM unnest(…)` — the batching policy of',
    '  Trellis\'s AppendBatcher without anything else. It shows what group commit alone could reach.',
  ].join('\n'),
  ratios: [
    { label: 'Trellis / Emmett (appends/s)', of: 'trellis', to: 'emmett', metric: 'appendsPerSec', goal: 1.5, goalText: '≥ 1.5×', headline: true },
    { label: 'Trellis / raw INSERT ceiling (appends/s)', of: 'trellis', to: 'raw', metric: 'appendsPerSec', goal: 0.5, goalText: '≥ 0.5×', headline: true },
    { label: 'Trellis / raw multi-row INSERT (appends/s)', of: 'trellis', to: 'raw-batched', metric: 'appendsPerSec', headline: true },
    { label: 'Emmett / raw INSERT ceiling (appends/s)', of: 'emmett', to: 'raw', metric: 'appendsPerSec' },
    { label: 'Trellis / Emmett (p50 latency, lower is better)', of: 'trellis', to: 'emmett', metric: 'p50' },
    { label: 'Trellis / Emmett (p99 latency, lower is better)', of: 'trellis', to: 'emmett', metric: 'p99' },
  ],
});
