'use strict';
/**
 * http-commands (issue 8, DESIGN.md §11 "commands over HTTP"): sustained commands/s and latency of
 * a realistic command mix sent by autocannon to the engine as `npm start` runs it, against the
 * ceiling measured in the same rounds: the same commands decided in-process and appended straight
 * to the PostgreSQL store by as many writers. See bench/src/http-bench.ts for the mix.
 */
const path = require('node:path');
const { benchModule } = require('../lib/build');
const { median, minMax, percentile } = require('../lib/stats');
const fmt = require('../lib/format');

const API_ENTRY = path.join(__dirname, '..', '..', 'dist', 'apps', 'api', 'main.js');
const LABELS = {
  trellis: 'Trellis over HTTP (autocannon → engine as `npm start` runs it)',
  store: 'reference: decide + append to the store, no HTTP (ceiling)',
};
const KINDS = ['command', 'read'];

const sum = (counts) => Object.values(counts).reduce((n, c) => n + c, 0);
const ok = (counts) => Object.entries(counts).reduce((n, [code, c]) => n + (code.startsWith('2') ? c : 0), 0);
const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 1000) / 10}%` : '–');

module.exports = {
  name: 'http-commands',
  short: 'http',
  title: 'Commands over HTTP: a realistic command mix with autocannon',
  subjects: ['store', 'trellis'],
  buildApps: ['api'],
  // writers = autocannon connections (and store writers); pool = the engine's DATABASE_POOL_SIZE and the store's pool.
  defaults: { rounds: 2, seconds: 10, warmup: 3, writers: 16, pool: 10 },
  timeoutMs: (options) => (options.warmup + options.seconds) * 2000 + 120_000,

  measure: ({ subject, url, schema, options, connection }) =>
    benchModule('http-bench')
      .measureHttp({
        subject,
        url,
        schema,
        applicationName: schema,
        redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        apiEntry: API_ENTRY,
        connections: options.writers,
        pool: options.pool,
        seconds: options.seconds,
        warmup: options.warmup,
        healthSeconds: Math.min(5, options.seconds),
        beforeMeasure: () => connection.beforeMeasure(),
      })
      .then((r) => {
        // Percentiles in the child: the parent gets figures, not every sample.
        const pick = (xs) => {
          const s = Float64Array.from(xs).sort();
          return { count: s.length, p50: percentile(s, 0.5), p95: percentile(s, 0.95), p99: percentile(s, 0.99), max: s.length ? s[s.length - 1] : NaN };
        };
        const commands = ok(r.statuses.command);
        const reads = ok(r.statuses.read);
        return {
          seconds: r.seconds,
          commandsPerSecond: commands / r.seconds,
          readsPerSecond: reads / r.seconds,
          requestsPerSecond: (sum(r.statuses.command) + sum(r.statuses.read)) / r.seconds,
          eventsPerSecond: r.events === undefined ? undefined : r.events / r.seconds,
          partnerships: r.partnerships,
          statuses: r.statuses,
          non2xx: sum(r.statuses.command) - commands + sum(r.statuses.read) - reads,
          latency: { command: pick(r.latencyMs.command), read: pick(r.latencyMs.read), all: pick([...r.latencyMs.command, ...r.latencyMs.read]) },
          autocannon: r.autocannon,
          health: r.health,
        };
      }),

  describeRound: (r) =>
    `${fmt.int(r.commandsPerSecond)} commands/s` +
    (r.readsPerSecond > 0 ? ` + ${fmt.int(r.readsPerSecond)} reads/s` : '') +
    `  command p50 ${fmt.ms(r.latency.command.p50)}  p99 ${fmt.ms(r.latency.command.p99)} ms` +
    (r.readsPerSecond > 0 ? `  read p99 ${fmt.ms(r.latency.read.p99)} ms` : '') +
    `  non-2xx ${r.non2xx}` +
    (r.autocannon ? `  errors ${r.autocannon.errors}` : '') +
    (r.health ? `  | GET /health ${fmt.int(r.health.requestsPerSecond)}/s p99 ${fmt.ms(r.health.p99)} ms` : ''),

  summarize(rounds, options) {
    const med = (id, f) => median(rounds[id].map(f));
    const perRound = (f) => rounds.trellis.map((r) => f(r, rounds.store.find((o) => o.round === r.round) ?? rounds.store[0]));
    const ratio = (f) => {
      const values = perRound(f);
      const [min, max] = minMax(values);
      return { perRound: values, median: median(values), min, max };
    };
    const ofCeiling = ratio((t, s) => t.commandsPerSecond / s.commandsPerSecond);
    const p99Ratio = ratio((t, s) => t.latency.command.p99 / s.latency.command.p99);
    const ofHealth = ratio((t) => t.requestsPerSecond / (t.health?.requestsPerSecond ?? NaN));
    const trellisNon2xx = rounds.trellis.reduce((n, r) => n + r.non2xx, 0);
    const errors = rounds.trellis.reduce((n, r) => n + (r.autocannon?.errors ?? 0), 0);
    const statusTotals = {};
    for (const r of rounds.trellis) {
      for (const kind of KINDS) for (const [code, c] of Object.entries(r.statuses[kind])) statusTotals[`${kind} ${code}`] = (statusTotals[`${kind} ${code}`] ?? 0) + c;
    }
    const p99 = med('trellis', (r) => r.latency.command.p99);
    const ratioRow = (label, r, format) => [label, format(r.median), `${format(r.min)} – ${format(r.max)}`, r.perRound.map(format).join(' ')];
    return {
      scenario: 'http-commands',
      title: this.title,
      description: [
        `**The mix.** Each of ${options.writers} autocannon connections (one request in flight each) drives its own partnerships`,
        'through the two seed scenarios of `test/support/seed-scenarios.ts` in turn: the district tool path (ProposePartnership',
        'and 33 commands: organizations, participants, the MOU, one workstream from problem of practice through pilot, input,',
        'revision, DSA, formal study and joint interpretation to research use) and the state-agency path (ProposePartnership',
        'and 18 commands), then starts over on two new partnerships. Every command carries its back-dated `occurredAt` and a',
        'unique `Idempotency-Key`. After every third command the connection reads the partnership (`GET /partnerships/:id`),',
        'and after the last one its history (`GET …/history?limit=100`) and its state as of the middle of its history',
        '(`?asOf=…&time=occurred`): 53 commands and 21 reads per loop (~72% commands), all on partnerships of ~20–50 events.',
        '',
        '- **Trellis over HTTP**: `dist/apps/api/main.js` (built by `nest build api`) as `npm start` runs it — API and workers',
        `  (projections, webhook dispatcher, reminders) in one process on PostgreSQL (pool of ${options.pool}) and Redis —`,
        '  driven by autocannon 8\'s programmatic API with a `member` API key. The rate limiter stays on (a Redis round trip per',
        '  request) but with an allowance of 10,000,000/min and a burst of 1,000,000 (`RATE_LIMIT_PER_MINUTE`,',
        '  `RATE_LIMIT_BURST`) so that it never refuses; reminder policies whose clocks the back-dated histories would find',
        '  long overdue are switched off (`REMINDER_DISABLED_POLICIES`, as in webhook-delivery). Latency is autocannon\'s',
        '  per response (send → last byte), split by kind. Right after the mix, the same process answers `GET /health` with the',
        '  same connections (middleware, routing, `SELECT 1`, a store ping and a Redis PING): the floor of a request to this',
        '  process, for context.',
        `- **reference: decide + append (ceiling)**: the same commands, decided by the real decider in the bench process`,
        `  (state kept in memory) and appended through the PostgreSQL adapter with the exact expected revision by ${options.writers}`,
        `  concurrent writers on a pool of ${options.pool} — what the store takes of these commands with nothing in front of it: no HTTP,`,
        '  authentication, validation, idempotency record, stream load, response or workers. Its ratio is the share of the',
        '  append ceiling reached over HTTP.',
      ].join('\n'),
      config: { rounds: options.rounds, seconds: options.seconds, warmup: options.warmup, connections: options.writers, pool: options.pool },
      configText: `${options.rounds} rounds × ${options.seconds} s measured after ${options.warmup} s warm-up, ${options.writers} connections / writers, pool of ${options.pool}, subjects interleaved (order rotated every round)`,
      tables: [
        {
          title: 'Median of rounds',
          header: ['Subject', 'commands/s', 'min–max over rounds', 'reads/s', 'command p50 ms', 'command p95 ms', 'command p99 ms', 'read p50 ms', 'read p99 ms', 'non-2xx'],
          rows: this.subjects.map((id) => {
            const [lo, hi] = minMax(rounds[id].map((r) => r.commandsPerSecond));
            const hasReads = rounds[id].some((r) => r.readsPerSecond > 0);
            return [
              LABELS[id],
              fmt.int(med(id, (r) => r.commandsPerSecond)),
              `${fmt.int(lo)}–${fmt.int(hi)}`,
              hasReads ? fmt.int(med(id, (r) => r.readsPerSecond)) : '–',
              fmt.ms(med(id, (r) => r.latency.command.p50)),
              fmt.ms(med(id, (r) => r.latency.command.p95)),
              fmt.ms(med(id, (r) => r.latency.command.p99)),
              hasReads ? fmt.ms(med(id, (r) => r.latency.read.p50)) : '–',
              hasReads ? fmt.ms(med(id, (r) => r.latency.read.p99)) : '–',
              fmt.int(rounds[id].reduce((n, r) => n + r.non2xx, 0)),
            ];
          }),
        },
        {
          title: 'Ratios (computed within each round, then the median)',
          header: ['Ratio', 'median', 'range', 'per round'],
          rows: [
            ratioRow('Trellis commands/s over HTTP / decide + append ceiling', ofCeiling, pct),
            ratioRow('Trellis command p99 / ceiling append p99', p99Ratio, (v) => fmt.fixed(v, 2)),
            ratioRow('Trellis mix requests/s / `GET /health` requests/s, same process (info)', ofHealth, pct),
          ],
        },
        {
          title: 'Trellis: every request of the mix, and the `GET /health` floor (median of rounds)',
          header: ['', 'requests/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms (worst round)', 'errors + timeouts'],
          rows: [
            [
              'the mix (autocannon\'s histogram)',
              fmt.int(med('trellis', (r) => r.requestsPerSecond)),
              fmt.ms(med('trellis', (r) => r.autocannon.p50)),
              fmt.ms(med('trellis', (r) => r.autocannon.p99)),
              fmt.ms(med('trellis', (r) => r.autocannon.p99_9)),
              fmt.ms(Math.max(...rounds.trellis.map((r) => r.autocannon.max))),
              fmt.int(errors),
            ],
            [
              '`GET /health`',
              fmt.int(med('trellis', (r) => r.health?.requestsPerSecond ?? NaN)),
              fmt.ms(med('trellis', (r) => r.health?.p50 ?? NaN)),
              fmt.ms(med('trellis', (r) => r.health?.p99 ?? NaN)),
              '–',
              '–',
              fmt.int(rounds.trellis.reduce((n, r) => n + (r.health?.errors ?? 0), 0)),
            ],
          ],
        },
        {
          title: 'Trellis: responses by kind and status over all rounds',
          header: ['Kind and status', 'responses'],
          rows: Object.entries(statusTotals)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, n]) => [k, fmt.int(n)]),
        },
      ],
      goals: [{ text: 'no non-2xx responses and no errors in the mix', met: trellisNon2xx === 0 && errors === 0, value: trellisNon2xx + errors }],
      headline: [
        { label: 'commands/s over HTTP', value: fmt.int(med('trellis', (r) => r.commandsPerSecond)) },
        { label: 'command p99 ms', value: fmt.ms(p99) },
        { label: 'share of the append ceiling', value: pct(ofCeiling.median) },
      ],
      notes: [
        `Throughput counts 2xx responses inside the measured window; the ceiling counts appends that returned inside it. Events per command in the mix: ${fmt.fixed(med('store', (r) => r.eventsPerSecond / r.commandsPerSecond), 2)} (phase transitions ride along with the commands that trigger them).`,
      ],
      rounds,
    };
  },
};
