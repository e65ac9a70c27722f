'use strict';
/**
 * rebuild (issue 3, DESIGN.md §7/§11): every read model rebuilt from a log of 1,000,000 events on
 * PostgreSQL, beside a plain sequential scan of the same events table in the same run (the
 * ceiling), with the peak RSS of the rebuilding process. The log is generated once per run (real
 * decider, realistic interleaved histories) into a schema all subjects read; each measurement runs
 * in a fresh process, the rebuild into a fresh schema of its own.
 */
const { benchModule } = require('../lib/build');
const { median, minMax } = require('../lib/stats');
const fmt = require('../lib/format');

const path = require('node:path');

const MB = 1024 * 1024;
const WORKER_ENTRY = path.join(__dirname, '..', '..', 'dist', 'apps', 'worker', 'main.js');
const LABELS = {
  scan: 'sequential scan of the events table (ceiling)',
  'read-all': '$all read by the store, batches of 10,000 (info)',
  rebuild: 'rebuild of every read model (ProjectionRebuilder in a bare process)',
  worker: 'rebuild of every read model by the worker (BullMQ job)',
};

module.exports = {
  name: 'rebuild',
  short: 'rb',
  title: 'Rebuild of every read model from 1,000,000 events',
  subjects: ['scan', 'read-all', 'rebuild', 'worker'],
  /** `nest build worker` before the run: the worker subject runs the built app. */
  buildApps: ['worker'],
  defaults: { rounds: 3, events: 1_000_000, batch: 10_000, seconds: 0, warmup: 0, writers: 1, pool: 1 },
  timeoutMs: () => 45 * 60 * 1000,

  /** Child side, once per run: the shared log. */
  prepare: ({ url, schema, options }) => benchModule('rebuild-bench').generateLog({ url, schema, events: options.events }),

  describePrepare: (r) =>
    `generated ${fmt.int(r.events)} events of ${fmt.int(r.partnerships)} partnerships in ${fmt.fixed(r.seconds)} s ` +
    `(${fmt.int(r.events / r.seconds)} events/s; events table ${fmt.int(r.tableBytes / MB)} MB)`,

  /** Child side: one subject, one round. */
  measure({ subject, url, schema, shared, options }) {
    const bench = benchModule('rebuild-bench');
    const common = { url, logSchema: shared.schema, applicationName: schema };
    if (subject === 'scan') return bench.measureScan(common);
    if (subject === 'read-all') return bench.measureReadAll(common);
    if (subject === 'rebuild') return bench.measureRebuild({ ...common, schema, batchSize: options.batch });
    if (subject === 'worker') {
      return bench.measureWorkerRebuild({ ...common, workerEntry: WORKER_ENTRY, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
    }
    throw new Error(`unknown subject ${subject}`);
  },

  describeRound: (r) =>
    `${fmt.int(r.eventsPerSecond).padStart(8)} events/s  ${fmt.fixed(r.seconds).padStart(6)} s  peak RSS ${fmt.int(r.peakRssBytes / MB)} MB`,

  summarize(rounds, options, shared) {
    const med = (id, key) => median(rounds[id].map((r) => r[key]));
    const perRound = (of, to) =>
      rounds[of].map((r) => r.eventsPerSecond / (rounds[to].find((o) => o.round === r.round) ?? rounds[to][0]).eventsPerSecond);
    const ratio = (of, to) => {
      const values = perRound(of, to);
      const [min, max] = minMax(values);
      return { perRound: values, median: median(values), min, max };
    };
    const vsScan = ratio('worker', 'scan');
    const bareVsScan = ratio('rebuild', 'scan');
    const vsReadAll = ratio('rebuild', 'read-all');
    const readAllVsScan = ratio('read-all', 'scan');
    const peakRss = Math.max(...rounds.worker.map((r) => r.peakRssBytes));
    const bareRss = Math.max(...rounds.rebuild.map((r) => r.peakRssBytes));
    const pct = (x) => `${Math.round(x * 1000) / 10}%`;
    const last = rounds.rebuild[rounds.rebuild.length - 1];

    const goals = [
      { text: 'rebuild by the worker ≥ 30% of the sequential-scan rate', met: vsScan.median >= 0.3, value: vsScan.median },
      { text: 'peak RSS of the worker < 400 MB', met: peakRss < 400 * MB, value: peakRss },
    ];
    return {
      scenario: 'rebuild',
      title: this.title,
      description: [
        `The log: ${fmt.int(shared.events)} events of ${fmt.int(shared.partnerships)} partnerships, every command decided by the real`,
        'decider (the read-model history templates in turn: the tool path, the state-agency path, pilots, a closed and an',
        'abandoned partnership), 500 partnerships interleaved at a time in `$all` as in production, appended through the',
        `PostgreSQL adapter (events table ${fmt.int(shared.tableBytes / MB)} MB with its indexes). Each measurement is a fresh process.`,
        '',
        '- **sequential scan (ceiling)**: `DECLARE … CURSOR FOR SELECT * FROM events`, `FETCH 10000` until empty, every row',
        '  parsed by `pg` (JSONB data and metadata into objects) — reading the log as fast as PostgreSQL hands it out.',
        '- **$all read (info)**: the store\'s `readAll` in position order, 10,000 per call — what a rebuild must read at least.',
        `- **rebuild**: the worker's rebuild job without BullMQ: \`ProjectionRebuilder\` over all ${last?.projections.length ?? 7} read models`,
        `  (${(last?.projections ?? []).join(', ')}) in one pass, batches of ${fmt.int(options.batch)} events,`,
        '  each projection applying its share into a new generation in its own transaction, then the blue/green swap.',
        '  Events/s counts the events read and applied over the whole rebuild, including the swap.',
        '- **worker**: the same rebuild as the real worker runs it — `dist/apps/worker/main.js` (built by `nest build worker`),',
        '  started against the log with its live runners at the head, the rebuild enqueued as the BullMQ job',
        '  `POST /admin/projections/rebuild` enqueues; timed from the enqueue to the swap seen in the registry. Its peak',
        '  RSS is the worker process\'s high-water mark (VmHWM), the figure the goal is about.',
      ].join('\n'),
      config: { rounds: options.rounds, events: options.events, batch: options.batch },
      configText: `${options.rounds} rounds, subjects interleaved (order rotated every round); log of ${fmt.int(shared.events)} events`,
      tables: [
        {
          title: 'Median of rounds',
          header: ['Subject', 'events/s', 'min–max over rounds', 'seconds', 'peak RSS MB (max over rounds)'],
          rows: this.subjects.map((id) => {
            const [lo, hi] = minMax(rounds[id].map((r) => r.eventsPerSecond));
            return [LABELS[id], fmt.int(med(id, 'eventsPerSecond')), `${fmt.int(lo)}–${fmt.int(hi)}`, fmt.fixed(med(id, 'seconds')), fmt.int(Math.max(...rounds[id].map((r) => r.peakRssBytes)) / MB)];
          }),
        },
        {
          title: 'Ratios (computed within each round, then the median)',
          header: ['Ratio', 'median', 'range', 'per round', 'goal'],
          rows: [
            ['worker rebuild / sequential scan', pct(vsScan.median), `${pct(vsScan.min)} – ${pct(vsScan.max)}`, vsScan.perRound.map(pct).join(' '), '≥ 30%'],
            ['bare rebuild / sequential scan', pct(bareVsScan.median), `${pct(bareVsScan.min)} – ${pct(bareVsScan.max)}`, bareVsScan.perRound.map(pct).join(' '), '–'],
            ['bare rebuild / $all read', pct(vsReadAll.median), `${pct(vsReadAll.min)} – ${pct(vsReadAll.max)}`, vsReadAll.perRound.map(pct).join(' '), '–'],
            ['$all read / sequential scan', pct(readAllVsScan.median), `${pct(readAllVsScan.min)} – ${pct(readAllVsScan.max)}`, readAllVsScan.perRound.map(pct).join(' '), '–'],
          ],
        },
        {
          title: 'Rows written by the last rebuild',
          header: ['Table', 'rows'],
          rows: Object.entries(last?.rows ?? {}).map(([t, n]) => [t, fmt.int(n)]),
        },
      ],
      goals,
      headline: [
        { label: 'worker rebuild events/s', value: fmt.int(med('worker', 'eventsPerSecond')) },
        { label: 'worker rebuild / scan', value: pct(vsScan.median) },
        { label: 'worker peak RSS MB', value: fmt.int(peakRss / MB) },
      ],
      notes: [
        `Peak RSS is the largest over the rounds of the process's high-water mark (VmHWM, and RSS sampled every 50 ms); the worker idles at ${fmt.int(median(rounds.worker.map((r) => r.idleRssBytes)) / MB)} MB before the rebuild, the bare rebuild process peaks at ${fmt.int(bareRss / MB)} MB. Read-model tables after the last bare rebuild: ${fmt.int((last?.tableBytes ?? 0) / MB)} MB.`,
      ],
      shared,
      rounds,
    };
  },
};
