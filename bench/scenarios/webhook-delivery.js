'use strict';
/**
 * webhook-delivery and webhook-fanout (issue 4, DESIGN.md §6 and §11 "delivery"): latency from an
 * append returning to the webhook being received by a local receiver, at a steady rate of events,
 * with one subscription and with twenty (fan-out). The engine runs as `npm start` runs it (API and
 * workers in one process, `nest build api`); the reference is a bare "follow `$all` and POST"
 * loop in the bench process measured in the same rounds.
 */
const path = require('node:path');
const { benchModule } = require('../lib/build');
const { median, minMax, percentile } = require('../lib/stats');
const fmt = require('../lib/format');

const API_ENTRY = path.join(__dirname, '..', '..', 'dist', 'apps', 'api', 'main.js');
const LABELS = {
  trellis: 'Trellis (dispatcher → BullMQ → signed POST)',
  direct: 'reference: follow $all → POST',
};

function scenario({ name, short, subscriptions, title }) {
  return {
    name,
    short,
    title,
    subjects: ['direct', 'trellis'],
    buildApps: ['api'],
    defaults: { rounds: 2, seconds: 60, warmup: 5, rate: 200, writers: 1, pool: 4, subscriptions },
    timeoutMs: (options) => (options.warmup + options.seconds) * 1000 + 180_000,

    measure: ({ subject, url, schema, options }) =>
      benchModule('delivery-bench')
        .measureDelivery({
          subject,
          url,
          schema,
          applicationName: schema,
          redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          apiEntry: API_ENTRY,
          rate: options.rate,
          seconds: options.seconds,
          warmup: options.warmup,
          subscriptions: options.subscriptions,
        })
        .then((r) => {
          const lat = [...r.latencyMs].sort((a, b) => a - b);
          const append = [...r.appendMs].sort((a, b) => a - b);
          const pick = (xs) => ({ p50: percentile(xs, 0.5), p95: percentile(xs, 0.95), p99: percentile(xs, 0.99), max: xs[xs.length - 1] ?? NaN });
          return {
            events: r.events,
            eventsPerSecond: r.eventsPerSecond,
            subscriptions: r.subscriptions,
            expected: r.expected,
            received: r.received,
            lost: r.lost,
            duplicates: r.duplicates,
            latency: pick(lat),
            append: pick(append),
            samples: lat.length,
          };
        }),

    describeRound: (r) =>
      `${fmt.int(r.eventsPerSecond)} events/s × ${r.subscriptions}  latency p50 ${fmt.ms(r.latency.p50)}  p99 ${fmt.ms(r.latency.p99)}  max ${fmt.ms(r.latency.max)} ms  lost ${r.lost}  duplicates ${r.duplicates}`,

    summarize(rounds, options) {
      const med = (id, f) => median(rounds[id].map(f));
      const ratios = (f) => {
        const perRound = rounds.trellis.map((r, i) => f(r) / f(rounds.direct[i]));
        const [min, max] = minMax(perRound);
        return { perRound, median: median(perRound), min, max };
      };
      const p99 = med('trellis', (r) => r.latency.p99);
      const lost = rounds.trellis.reduce((n, r) => n + r.lost, 0);
      const duplicates = rounds.trellis.reduce((n, r) => n + r.duplicates, 0);
      const p50Ratio = ratios((r) => r.latency.p50);
      const p99Ratio = ratios((r) => r.latency.p99);
      return {
        scenario: name,
        title,
        description: [
          `The engine as \`npm start\` runs it (\`dist/apps/api/main.js\`: API and workers in one process, PostgreSQL and Redis),`,
          `${subscriptions} subscription${subscriptions > 1 ? 's' : ''} created through \`POST /subscriptions\`, each to its own path of one local`,
          'HTTP receiver that answers 204 at once. The bench process appends partnership commands (the real decider, 50',
          `partnerships in progress) through the PostgreSQL adapter, open loop at ${options.rate} events/s. Latency = append call`,
          'returned → the receiver has read the whole request, per (subscription, event). The reference, in the same rounds: a',
          'bare loop in the bench process following `$all` with the store\'s `subscribeAll` and POSTing the same signed CloudEvents',
          'body to every subscription over a keep-alive agent — no outbox, queue, retries, ordering or durability. Losses are',
          'deliveries never received after a drain of up to 30 s (warm-up events included); duplicates, a (subscription, event) received twice.',
        ].join('\n'),
        config: { rounds: options.rounds, seconds: options.seconds, warmup: options.warmup, rate: options.rate, subscriptions },
        configText: `${options.rounds} rounds × ${options.seconds} s measured after ${options.warmup} s warm-up, ${options.rate} events/s, ${subscriptions} subscription(s)`,
        tables: [
          {
            title: 'Median of rounds (ms)',
            header: ['Subject', 'p50', 'p95', 'p99', 'max (worst round)', 'p99 min–max over rounds', 'lost', 'duplicates'],
            rows: this.subjects.map((id) => {
              const [lo, hi] = minMax(rounds[id].map((r) => r.latency.p99));
              return [
                LABELS[id],
                fmt.ms(med(id, (r) => r.latency.p50)),
                fmt.ms(med(id, (r) => r.latency.p95)),
                fmt.ms(med(id, (r) => r.latency.p99)),
                fmt.ms(Math.max(...rounds[id].map((r) => r.latency.max))),
                `${fmt.ms(lo)}–${fmt.ms(hi)}`,
                fmt.int(rounds[id].reduce((n, r) => n + r.lost, 0)),
                fmt.int(rounds[id].reduce((n, r) => n + r.duplicates, 0)),
              ];
            }),
          },
          {
            title: 'Ratios (computed within each round, then the median)',
            header: ['Ratio', 'median', 'range', 'per round'],
            rows: [
              ['Trellis p50 / reference p50', fmt.fixed(p50Ratio.median, 2), `${fmt.fixed(p50Ratio.min, 2)}–${fmt.fixed(p50Ratio.max, 2)}`, p50Ratio.perRound.map((v) => fmt.fixed(v, 2)).join(' ')],
              ['Trellis p99 / reference p99', fmt.fixed(p99Ratio.median, 2), `${fmt.fixed(p99Ratio.min, 2)}–${fmt.fixed(p99Ratio.max, 2)}`, p99Ratio.perRound.map((v) => fmt.fixed(v, 2)).join(' ')],
            ],
          },
          {
            title: 'Load',
            header: ['Subject', 'events/s', 'deliveries expected per round', 'append call p99 ms'],
            rows: this.subjects.map((id) => [LABELS[id], fmt.int(med(id, (r) => r.eventsPerSecond)), fmt.int(med(id, (r) => r.expected)), fmt.ms(med(id, (r) => r.append.p99))]),
          },
        ],
        goals: [
          { text: 'p99 append → received under 250 ms', met: p99 < 250, value: p99 },
          { text: 'no losses', met: lost === 0, value: lost },
        ],
        headline: [
          { label: `delivery ×${subscriptions} p50 ms`, value: fmt.ms(med('trellis', (r) => r.latency.p50)) },
          { label: `delivery ×${subscriptions} p99 ms`, value: fmt.ms(p99) },
          { label: `delivery ×${subscriptions} lost`, value: fmt.int(lost) },
        ],
        notes: duplicates > 0 ? [`${duplicates} duplicate deliveries over the rounds (at-least-once: allowed, receivers dedupe on webhook-id).`] : [],
        rounds,
      };
    },
  };
}

module.exports = [
  scenario({ name: 'webhook-delivery', short: 'whd', subscriptions: 1, title: 'Webhook delivery: append → received, one subscription' }),
  scenario({ name: 'webhook-fanout', short: 'whf', subscriptions: 20, title: 'Webhook delivery: append → received, fan-out to 20 subscriptions' }),
];
