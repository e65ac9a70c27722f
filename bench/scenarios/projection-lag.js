'use strict';
/**
 * projection-lag (issue 3, DESIGN.md §7): steady-state lag from an append returning to its events
 * being visible in every read model, with one live runner per read model on PostgreSQL (as the
 * worker's run jobs have), under a steady open-loop stream of partnership commands.
 */
const { benchModule } = require('../lib/build');
const { median, minMax, percentile } = require('../lib/stats');
const fmt = require('../lib/format');

module.exports = {
  name: 'projection-lag',
  short: 'lag',
  title: 'Projection lag: append → visible in every read model',
  subjects: ['trellis'],
  defaults: { rounds: 3, seconds: 20, warmup: 3, rate: 100, writers: 1, pool: 1 },

  measure: ({ url, schema, options }) =>
    benchModule('lag-bench')
      .measureLag({ url, schema, applicationName: schema, rate: options.rate, seconds: options.seconds, warmup: options.warmup })
      .then((r) => {
        // Percentiles in the child: the parent gets figures, not every sample.
        const lag = [...r.lagMs].sort((a, b) => a - b);
        const append = [...r.appendMs].sort((a, b) => a - b);
        const pick = (xs) => ({ p50: percentile(xs, 0.5), p95: percentile(xs, 0.95), p99: percentile(xs, 0.99), max: xs[xs.length - 1] ?? NaN });
        return { appends: r.appends, events: r.events, appendsPerSecond: r.appendsPerSecond, projections: r.projections, peakLagPositions: r.peakLagPositions, lag: pick(lag), append: pick(append), samples: lag.length };
      }),

  describeRound: (r) =>
    `${fmt.int(r.appendsPerSecond)} appends/s (${fmt.int(r.events)} events)  lag p50 ${fmt.ms(r.lag.p50)}  p99 ${fmt.ms(r.lag.p99)}  max ${fmt.ms(r.lag.max)} ms`,

  summarize(rounds, options) {
    const rs = rounds.trellis;
    const med = (f) => median(rs.map(f));
    const p99 = med((r) => r.lag.p99);
    const worstMax = Math.max(...rs.map((r) => r.lag.max));
    const [lo, hi] = minMax(rs.map((r) => r.lag.p99));
    const projections = rs[0]?.projections ?? [];
    return {
      scenario: 'projection-lag',
      title: this.title,
      description: [
        `One live \`ProjectionRunner\` per read model (${projections.length}: ${projections.join(', ')}), each in its own`,
        'slice loop as the worker\'s run jobs, woken by the store\'s LISTEN/NOTIFY. A writer appends one command of one of 50',
        `partnerships in progress (1–3 events, decided by the real decider) ${options.rate} times a second, open loop (the k-th`,
        'append is due at k / rate whatever the others took). Lag = from the append call returning to the slowest',
        'projection\'s checkpoint — committed in the same transaction as its rows — reaching the append\'s last position',
        '(registry polled every 2 ms). Appends of the warm-up are not counted.',
      ].join('\n'),
      config: { rounds: options.rounds, seconds: options.seconds, warmup: options.warmup, rate: options.rate },
      configText: `${options.rounds} rounds × ${options.seconds} s measured after ${options.warmup} s warm-up, ${options.rate} appends/s`,
      tables: [
        {
          title: 'Median of rounds (ms)',
          header: ['', 'p50', 'p95', 'p99', 'max (worst round)', 'p99 min–max over rounds'],
          rows: [
            ['append → visible in every read model', fmt.ms(med((r) => r.lag.p50)), fmt.ms(med((r) => r.lag.p95)), fmt.ms(p99), fmt.ms(worstMax), `${fmt.ms(lo)}–${fmt.ms(hi)}`],
            ['append call', fmt.ms(med((r) => r.append.p50)), fmt.ms(med((r) => r.append.p95)), fmt.ms(med((r) => r.append.p99)), fmt.ms(Math.max(...rs.map((r) => r.append.max))), '–'],
          ],
        },
        {
          title: 'Load',
          header: ['appends/s', 'events/s', 'samples per round', 'most positions behind'],
          rows: [[fmt.int(med((r) => r.appendsPerSecond)), fmt.int(med((r) => r.events / options.seconds)), fmt.int(med((r) => r.samples)), fmt.int(Math.max(...rs.map((r) => r.peakLagPositions)))]],
        },
      ],
      goals: [{ text: 'p99 lag well under one second (< 500 ms)', met: p99 < 500, value: p99 }],
      headline: [
        { label: 'lag p50 ms', value: fmt.ms(med((r) => r.lag.p50)) },
        { label: 'lag p99 ms', value: fmt.ms(p99) },
      ],
      notes: [],
      rounds,
    };
  },
};
