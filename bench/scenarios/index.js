'use strict';
/**
 * The scenario registry: `npm run bench` runs them in this order; `npm run bench -- <name>…` runs
 * some. A scenario module exports { name, short, title, subjects, defaults, measure(task) (runs in a
 * child process, one subject and round), describeRound(result), summarize(roundsBySubject, options)
 * → result } and the result is rendered into docs/benchmarks.md by bench/lib/report.js
 * (see bench/README.md for the result object).
 */
const SCENARIOS = [
  require('./append-distinct'),
  require('./append-hot-stream'),
  require('./rebuild'),
  require('./projection-lag'),
  ...require('./webhook-delivery'),
  require('./http-commands'),
  require('./history-asof'),
];

function scenarioByName(name) {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`Unknown scenario ${JSON.stringify(name)}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return scenario;
}

module.exports = { SCENARIOS, scenarioByName };
