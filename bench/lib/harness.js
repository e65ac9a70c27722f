'use strict';
/**
 * Interleaved rounds. Every round measures every subject once, each in its own child process and
 * its own fresh schema, with the same warm-up, duration, writers and pool size; the order rotates
 * from round to round (A B C, B C A, C A B, …) so that a burst of noise on this shared machine, or
 * a drift over the run, hits all subjects alike. The parent creates and drops the schemas, so
 * nothing is left behind even when a child fails.
 */
const { fork } = require('node:child_process');
const path = require('node:path');

const CHILD = path.join(__dirname, 'child.js');

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

let current = null;

/** Ends the measurement in progress, if any (on Ctrl-C, before the parent drops the schemas). */
function killCurrentChild() {
  current?.kill('SIGKILL');
}

function runChild(task, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(task)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--expose-gc'],
    });
    current = child;
    child.once('exit', () => {
      if (current === child) current = null;
    });
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${task.scenario}/${task.subject} round ${task.round} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (message) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (message.ok) resolve(message.result);
      else reject(new Error(`${task.scenario}/${task.subject} round ${task.round} failed:\n${message.error}`));
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${task.scenario}/${task.subject} round ${task.round}: child exited with code ${code}`));
    });
  });
}

/**
 * Returns { [subject]: [roundResult, …] } in round order.
 * `options`: { rounds, seconds, warmup, writers, pool, checkpoint }.
 */
async function runRounds({ scenario, subjects, options, db, log }) {
  const results = Object.fromEntries(subjects.map((s) => [s, []]));
  const timeoutMs = scenario.timeoutMs?.(options) ?? (options.warmup + options.seconds) * 1000 + 90_000;
  // A scenario may prepare something once per run (in a child, in a schema of its own that every
  // measurement may read, dropped at the end): `shared` is what `prepare` returned, plus the schema.
  let shared;
  if (scenario.prepare) {
    const schema = db.schemaName(`${scenario.short}_shared`);
    await db.createSchema(schema);
    const prepared = await runChild({ scenario: scenario.name, subject: '__prepare', round: 0, url: db.url, schema, options, tag: 'prep' }, timeoutMs);
    shared = { ...prepared, schema };
    log(`  prepared: ${scenario.describePrepare?.(prepared) ?? JSON.stringify(prepared)}`);
  }
  try {
    return await measureRounds({ scenario, subjects, options, db, log, results, timeoutMs, shared });
  } finally {
    if (shared) await db.dropSchema(shared.schema);
  }
}

async function measureRounds({ scenario, subjects, options, db, log, results, timeoutMs, shared }) {
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const subject of rotate(subjects, round - 1)) {
      const schema = db.schemaName(`${scenario.short}_${subject}`);
      await db.createSchema(schema);
      try {
        const result = await runChild(
          { scenario: scenario.name, subject, round, url: db.url, schema, options, tag: `r${round}`, shared },
          timeoutMs,
        );
        results[subject].push({ round, ...result });
        log(`  round ${round}/${options.rounds}  ${subject.padEnd(12)} ${scenario.describeRound(result)}`);
      } finally {
        await db.dropSchema(schema);
      }
    }
  }
  return { results, shared };
}

module.exports = { runRounds, rotate, killCurrentChild };
