'use strict';
/**
 * history-asof (issue 8, DESIGN.md §5): reading the whole history of a 10,000-event partnership,
 * and its state as of a date on both time axes (`GET /partnerships/:id?asOf=…&time=recorded|occurred`),
 * over HTTP against the same rows read in-process in the same rounds. The partnership is generated
 * once per run (real decider, ten years of overlapping workstreams, back-dated facts) into a schema
 * every measurement reads. See bench/src/history-bench.ts.
 */
const path = require('node:path');
const { benchModule } = require('../lib/build');
const { median, minMax, percentile } = require('../lib/stats');
const fmt = require('../lib/format');

const API_ENTRY = path.join(__dirname, '..', '..', 'dist', 'apps', 'api', 'main.js');
const KB = 1024;

const pick = (xs) => {
  const s = Float64Array.from(xs ?? []).sort();
  return { count: s.length, p50: percentile(s, 0.5), p95: percentile(s, 0.95), p99: percentile(s, 0.99), max: s.length ? s[s.length - 1] : NaN };
};

/** The rows of the first table: [subject, measurement key, label]. */
const ROWS = [
  ['direct', 'select', 'reference: one `SELECT … WHERE stream_id = $1 ORDER BY revision` of the 10,000 rows, in-process'],
  ['direct', 'readStream', 'store `readStream` of the whole stream (pages of 500), in-process (info)'],
  ['direct', 'fold', 'asOf as a full fold in-process, no snapshots: `readStream` + skip by time + `evolve`, no HTTP (info)'],
  ['http', 'history pages', 'HTTP: whole history as JSON pages of 1,000 (10 requests)'],
  ['http', 'history page', 'HTTP: one JSON page of 1,000 events'],
  ['http', 'history ndjson', 'HTTP: whole history as one NDJSON export'],
  ['http', 'asOf', 'HTTP: `GET /partnerships/:id?asOf=…` (both axes, four dates)'],
  ['http', 'asOf recorded', 'HTTP: … `&time=recorded`'],
  ['http', 'asOf occurred', 'HTTP: … `&time=occurred`'],
  ['http', 'asOf first', 'HTTP: the first asOf of the round, before any snapshot (one sample; info)'],
  ['http', 'current', 'HTTP: `GET /partnerships/:id` (current state, from the state cache; info)'],
];

module.exports = {
  name: 'history-asof',
  short: 'hist',
  title: 'History and asOf of a 10,000-event partnership',
  subjects: ['direct', 'http'],
  buildApps: ['api'],
  defaults: { rounds: 3, seconds: 8, warmup: 2, events: 10_000, writers: 1, pool: 2 },
  timeoutMs: (options) => (options.warmup + options.seconds) * 3000 + 120_000,

  /** Child side, once per run: the partnership. */
  prepare: ({ url, schema, options }) => benchModule('history-bench').generatePartnership({ url, schema, events: options.events }),

  describePrepare: (r) =>
    `generated one partnership of ${fmt.int(r.events)} events (${fmt.int(r.workstreams)} workstreams, ${fmt.int(r.participants)} participants, ` +
    `${fmt.int(r.backdated)} recorded late; ${r.firstRecorded.slice(0, 10)} → ${r.lastRecorded.slice(0, 10)}; ${fmt.int(r.streamBytes / KB)} KB of rows) in ${fmt.fixed(r.seconds)} s`,

  measure({ subject, url, schema, shared, options, connection }) {
    const bench = benchModule('history-bench');
    const common = {
      url,
      logSchema: shared.schema,
      applicationName: schema,
      partnershipId: shared.partnershipId,
      queries: shared.queries,
      seconds: options.seconds,
      warmup: options.warmup,
      beforeMeasure: () => connection.beforeMeasure(),
    };
    const measured =
      subject === 'http'
        ? bench.measureHttp({ ...common, apiEntry: API_ENTRY, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
        : bench.measureDirect(common);
    // Percentiles in the child: the parent gets figures, not every sample.
    return measured.then((r) => ({
      latency: Object.fromEntries(Object.entries(r.latencyMs).map(([k, xs]) => [k, pick(xs)])),
      eventsApplied: r.eventsApplied,
      historyEvents: r.historyEvents,
      ...(r.snapshots ? { snapshots: r.snapshots } : {}),
    }));
  },

  describeRound: (r) => {
    const l = r.latency;
    return l.asOf
      ? `asOf p50 ${fmt.ms(l.asOf.p50)} p99 ${fmt.ms(l.asOf.p99)} ms (n=${l.asOf.count})  history pages p50 ${fmt.ms(l['history pages'].p50)} ms  ndjson p50 ${fmt.ms(l['history ndjson'].p50)} ms  current p50 ${fmt.ms(l.current.p50)} ms  first asOf ${fmt.ms(l['asOf first']?.p50)} ms`
      : `SELECT p50 ${fmt.ms(l.select.p50)} ms (n=${l.select.count})  readStream p50 ${fmt.ms(l.readStream.p50)} ms  fold p50 ${fmt.ms(l.fold.p50)} p99 ${fmt.ms(l.fold.p99)} ms`;
  },

  summarize(rounds, options, shared) {
    const med = (id, key, q) => median(rounds[id].map((r) => r.latency[key]?.[q] ?? NaN));
    const perRound = (f) => rounds.http.map((r) => f(r, rounds.direct.find((o) => o.round === r.round) ?? rounds.direct[0]));
    const ratio = (f) => {
      const values = perRound(f);
      const [min, max] = minMax(values);
      return { perRound: values, median: median(values), min, max };
    };
    const vsSelect = (key) => ratio((h, d) => h.latency[key].p50 / d.latency.select.p50);
    const ratioRow = (label, r) => [label, fmt.fixed(r.median, 2), `${fmt.fixed(r.min, 2)} – ${fmt.fixed(r.max, 2)}`, r.perRound.map((v) => fmt.fixed(v, 2)).join(' ')];
    const asOfP50 = med('http', 'asOf', 'p50');
    const asOfP99 = med('http', 'asOf', 'p99');
    const lastHttp = rounds.http[rounds.http.length - 1];
    const applied = lastHttp?.eventsApplied ?? {};
    return {
      scenario: 'history-asof',
      title: this.title,
      description: [
        `**The partnership**: one stream of ${fmt.int(shared.events)} events (${fmt.int(shared.streamBytes / KB)} KB of rows), generated once per run, every`,
        'command decided by the real decider and appended through the PostgreSQL adapter: a ten-year alliance',
        `(${shared.firstRecorded.slice(0, 10)} → ${shared.lastRecorded.slice(0, 10)}) with the organizations and people of the district tool path,`,
        `then ${fmt.int(shared.workstreams)} overlapping workstreams, each the tool path's lifecycle (problem of practice through pilot, input,`,
        'revision, DSA, formal study, findings and joint interpretation to research use, with its phase transitions) under',
        `its own ids and dates, a teacher joining for it (${fmt.int(shared.participants)} participants in all) and two brokering activities, one`,
        `recorded 45 days after it happened (${fmt.int(shared.backdated)} back-dated events, so the two time axes differ), topped up to the exact count.`,
        '',
        '- **HTTP**: the engine (`dist/apps/api/main.js`, API only — `RUN_WORKERS=false`: these reads use the log, no',
        '  worker), one client with an `auditor` key and one request at a time over a keep-alive connection; latency is',
        '  request sent → whole body received and parsed. The whole history as JSON pages of 1,000 (the largest page,',
        '  following `nextAfterRevision`), as one NDJSON export, and `GET /partnerships/:id?asOf=<date>&time=recorded|occurred`',
        '  at four dates (a tenth, half and nine tenths of the way through the history, and after its end) in turn. asOf',
        '  starts from the engine\'s stored snapshots (every `ASOF_SNAPSHOT_EVERY` = 500 events by default; docs/architecture.md',
        '  "asOf snapshots"). Each round empties the snapshot table first: its first asOf folds the whole stream and starts',
        '  the engine\'s catch-up in the background (shown as its own row), which the warm-up covers.',
        '- **reference, in-process, no HTTP**: one plain `SELECT` of the 10,000 rows with the store\'s columns, parsed by `pg`',
        '  (the floor of any read that folds the whole log of the partnership), the store\'s `readStream` (pages of 500), and',
        '  asOf as a full fold with no snapshots (`readStream`, skip by time, `evolve`; what every asOf did before snapshots)',
        '  without HTTP, people labels or serialisation.',
        '',
        `Each subject spends its ${options.seconds} s on its measurements in fixed shares (at least five samples each, asOf in whole`,
        `cycles of its eight queries, so a slow cycle may run over) after ${options.warmup} s of warm-up running all of them.`,
        'The goal is read on the median over all eight queries; the per-date table shows how the cost grows with the events folded.',
      ].join('\n'),
      config: { rounds: options.rounds, seconds: options.seconds, warmup: options.warmup, events: shared.events },
      configText: `${options.rounds} rounds, subjects interleaved (order rotated every round), ${options.seconds} s per subject per round after ${options.warmup} s warm-up; partnership of ${fmt.int(shared.events)} events`,
      tables: [
        {
          title: 'Latency, median of rounds (ms)',
          header: ['Read', 'p50', 'p95', 'p99', 'max (worst round)', 'p50 min–max over rounds', 'samples per round'],
          rows: ROWS.filter(([id, key]) => rounds[id].some((r) => r.latency[key])).map(([id, key, label]) => {
            const [lo, hi] = minMax(rounds[id].map((r) => r.latency[key]?.p50 ?? NaN));
            return [
              label,
              fmt.ms(med(id, key, 'p50')),
              fmt.ms(med(id, key, 'p95')),
              fmt.ms(med(id, key, 'p99')),
              fmt.ms(Math.max(...rounds[id].map((r) => r.latency[key]?.max ?? NaN))),
              `${fmt.ms(lo)}–${fmt.ms(hi)}`,
              fmt.int(med(id, key, 'count')),
            ];
          }),
        },
        {
          title: 'Ratios of medians to the plain SELECT (computed within each round, then the median)',
          header: ['Ratio', 'median', 'range', 'per round'],
          rows: [
            ratioRow('HTTP asOf p50 / SELECT p50', vsSelect('asOf')),
            ratioRow('HTTP whole history, JSON pages, p50 / SELECT p50', vsSelect('history pages')),
            ratioRow('HTTP whole history, NDJSON, p50 / SELECT p50', vsSelect('history ndjson')),
            ratioRow('in-process full fold p50 / SELECT p50 (info)', ratio((_h, d) => d.latency.fold.p50 / d.latency.select.p50)),
            ratioRow('HTTP asOf p50 / in-process full fold p50', ratio((h, d) => h.latency.asOf.p50 / d.latency.fold.p50)),
          ],
        },
        {
          title: 'asOf by date and axis: p50 ms (median of rounds) and events folded',
          header: ['asOf', 'time', 'date', 'events in the state', 'HTTP p50 ms (snapshots)', 'in-process full fold p50 ms'],
          rows: shared.queries.map((q) => [
            q.label,
            q.time,
            q.asOf.slice(0, 10),
            fmt.int(applied[`${q.time} ${q.label}`]),
            fmt.ms(med('http', `asOf ${q.time} ${q.label}`, 'p50')),
            fmt.ms(med('direct', `fold ${q.time} ${q.label}`, 'p50')),
          ]),
        },
      ],
      goals: [{ text: 'asOf on 10,000 events under 50 ms (HTTP, median)', met: asOfP50 < 50, value: asOfP50 }],
      headline: [
        { label: 'asOf p50 ms', value: fmt.ms(asOfP50) },
        { label: 'asOf p99 ms', value: fmt.ms(asOfP99) },
        { label: 'history (pages) p50 ms', value: fmt.ms(med('http', 'history pages', 'p50')) },
        { label: 'SELECT p50 ms', value: fmt.ms(med('direct', 'select', 'p50')) },
      ],
      notes: [
        `asOf gets ${fmt.int(med('http', 'asOf', 'count'))} samples per round over HTTP (whole cycles of the eight queries): its p95/p99 are the slowest dates of the cycle, not a tail of many requests.`,
        ...(lastHttp?.snapshots
          ? [`The engine held ${fmt.int(lastHttp.snapshots.rows)} asOf snapshots of the partnership at the end of the last round (table with its index and TOAST: ${fmt.int(lastHttp.snapshots.bytes / KB)} KB; the stream's rows are ${fmt.int(shared.streamBytes / KB)} KB).`]
          : []),
      ],
      shared,
      rounds,
    };
  },
};
