#!/usr/bin/env node
'use strict';
/**
 * Trellis benchmarks (DESIGN.md §11). `npm run bench` builds the libraries into bench/.build/,
 * runs every registered scenario (bench/scenarios/) and rewrites the generated part of
 * docs/benchmarks.md; raw results go to bench/results/. `npm run bench -- --help` for options.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { BenchDatabase, DEFAULT_URL } = require('./lib/database');
const { machineInfo } = require('./lib/machine');
const { runRounds, killCurrentChild } = require('./lib/harness');
const { writeReport } = require('./lib/report');
const { SCENARIOS, scenarioByName } = require('./scenarios');
const { lib } = require('./lib/build');

const ROOT = path.join(__dirname, '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const RESULTS = path.join(__dirname, 'results');

const HELP = `Usage: npm run bench -- [scenario…] [options]

Scenarios (default: all, in this order):
${SCENARIOS.map((s) => `  ${s.name.padEnd(20)} ${s.title}`).join('\n')}

Options (defaults are each scenario's; all subjects of a scenario get the same):
  --rounds N        interleaved rounds; the report gives the median of rounds
  --seconds S       measured seconds per subject per round
  --warmup S        warm-up seconds before each measured window
  --writers N       concurrent writers
  --pool N          connections per subject
  --events N        rebuild: events in the generated log (default 1,000,000); history-asof: events in the partnership
  --batch N         rebuild: events per rebuild batch (default 10,000, the worker's)
  --rate N          projection-lag: appends per second; webhook-*: events per second
  --subscriptions N webhook-*: subscriptions (default 1 for webhook-delivery, 20 for webhook-fanout)
  --url URL         PostgreSQL (default $BENCH_DATABASE_URL, $DATABASE_URL or ${DEFAULT_URL})
  --no-checkpoint   do not CHECKPOINT before each measured window
  --no-build        use the existing bench/.build (skip tsc)
  --no-docs         do not touch docs/benchmarks.md (results still go to bench/results/)
  --list            list scenarios and exit`;

const NUMERIC = { rounds: 'int', seconds: 'num', warmup: 'num', writers: 'int', pool: 'int', events: 'int', batch: 'int', rate: 'int', subscriptions: 'int' };

/** A mistake on the command line: reported without a stack trace. */
class UsageError extends Error {}

function parseArgs(argv) {
  const args = { scenarios: [], overrides: {}, flags: [], build: true, docs: true, checkpoint: true, url: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined];
    if (flag === undefined) {
      if (!SCENARIOS.some((s) => s.name === arg)) {
        throw new UsageError(`Unknown scenario ${JSON.stringify(arg)}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
      }
      args.scenarios.push(arg);
      continue;
    }
    const takeValue = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`--${flag} needs a value`);
      return v;
    };
    if (flag in NUMERIC) {
      const raw = takeValue();
      const v = Number(raw);
      if (!Number.isFinite(v) || v < 0 || (NUMERIC[flag] === 'int' && (!Number.isInteger(v) || v < 1))) {
        throw new UsageError(`--${flag} must be a ${NUMERIC[flag] === 'int' ? 'positive integer' : 'non-negative number'}, got ${raw}`);
      }
      args.overrides[flag] = v;
      args.flags.push(`--${flag} ${raw}`);
    } else if (flag === 'url') args.url = takeValue();
    else if (flag === 'no-build') args.build = false;
    else if (flag === 'no-docs') args.docs = false;
    else if (flag === 'no-checkpoint') {
      args.checkpoint = false;
      args.flags.push('--no-checkpoint');
    } else if (flag === 'list') args.list = true;
    else if (flag === 'help' || flag === 'h') args.help = true;
    else throw new UsageError(`Unknown option --${flag}\n\n${HELP}`);
  }
  return args;
}

function build(scenarios) {
  // Apps a scenario runs as built (e.g. the worker): `nest build <app>` into dist/.
  for (const app of new Set(scenarios.flatMap((s) => s.buildApps ?? []))) {
    const nest = require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] });
    const built = spawnSync(process.execPath, [nest, 'build', app], { stdio: 'inherit', cwd: ROOT });
    if (built.status !== 0) throw new Error(`nest build ${app} failed`);
  }
  const out = path.join(__dirname, '.build');
  fs.rmSync(out, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const started = Date.now();
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'tsconfig.json')], { stdio: 'inherit', cwd: ROOT });
  if (result.status !== 0) throw new Error('tsc failed to build the libraries for the benchmark');
  console.log(`built the libraries and bench/src into bench/.build/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const redact = (url) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) return console.log(HELP);
  if (args.list) return SCENARIOS.forEach((s) => console.log(`${s.name}\t${s.title}`));

  const url = args.url ?? process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_URL;
  const urlFlag = args.url ? [`--url ${redact(args.url)}`] : [];
  const selected = args.scenarios.length ? args.scenarios.map(scenarioByName) : SCENARIOS;
  const tail = [...args.scenarios, ...args.flags, ...urlFlag];
  const command = `npm run bench${tail.length ? ` -- ${tail.join(' ')}` : ''}`;

  if (args.build) build(selected);
  else if (!fs.existsSync(lib('event-store')) || !fs.existsSync(path.join(__dirname, '.build', 'bench', 'src'))) {
    throw new UsageError('--no-build, but bench/.build/ is empty: run once without it');
  }
  const db = new BenchDatabase(url);
  await db.connect();
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    console.error('\ninterrupted: dropping the schemas this run created');
    killCurrentChild();
    db.dropAll().finally(() => process.exit(130));
  });

  const run = {
    startedAt: new Date().toISOString(),
    command,
    machine: machineInfo(ROOT),
    postgres: await db.settings(),
    database: redact(url),
  };
  console.log(`${command}\n${run.machine.cpu}, ${run.machine.cores} cores; PostgreSQL ${run.postgres.server_version}; load ${run.machine.loadAverage.join(' ')}`);

  const results = [];
  try {
    for (const scenario of selected) {
      const options = { ...scenario.defaults, ...args.overrides, checkpoint: args.checkpoint };
      console.log(`\n${scenario.name}: ${scenario.title}`);
      const { results: rounds, shared } = await runRounds({ scenario, subjects: scenario.subjects, options, db, log: console.log });
      const result = scenario.summarize(rounds, options, shared);
      result.reproduce = `npm run bench -- ${[scenario.name, ...args.flags, ...urlFlag].join(' ')}`;
      results.push(result);
      printSummary(result);
    }
  } finally {
    if (!interrupted) {
      await db.dropAll();
      await db.close();
    }
  }
  run.finishedAt = new Date().toISOString();
  run.loadAverageAtEnd = require('node:os').loadavg().map((x) => Math.round(x * 100) / 100);

  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${run.startedAt.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ run, results }, null, 2)}\n`);
  console.log(`\nraw results: ${path.relative(ROOT, file)}`);
  if (args.docs) {
    writeReport(DOC, run, results, SCENARIOS.map((s) => s.name));
    console.log(`updated ${path.relative(ROOT, DOC)}`);
  }
}

function printSummary(result) {
  for (const t of result.tables) {
    console.log(`\n${t.title}`);
    const widths = t.header.map((h, i) => Math.max(String(h).length, ...t.rows.map((r) => String(r[i]).length)));
    const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
    console.log(line(t.header));
    for (const row of t.rows) console.log(line(row));
  }
  for (const note of result.notes) console.log(note);
  for (const g of result.goals) console.log(`goal ${g.text}: ${g.met ? 'met' : 'MISSED'}`);
  console.log(`reproduce: ${result.reproduce}`);
}

main().catch((error) => {
  console.error(error instanceof UsageError ? error.message : (error?.stack ?? error));
  process.exit(1);
});
