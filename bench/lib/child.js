'use strict';
/**
 * Runs ONE measurement (one subject, one round of one scenario) in a fresh process and sends the
 * result to the parent (bench/lib/harness.js). A process per measurement keeps subjects from
 * influencing each other through global state (driver type parsers, heap, JIT).
 */
const { Client } = require('pg');
const { scenarioByName } = require('../scenarios');

// The parent is gone (Ctrl-C, crash): stop at once; the parent side drops the schema.
process.on('disconnect', () => process.exit(1));

async function main() {
  const task = JSON.parse(process.argv[2]);
  const scenario = scenarioByName(task.scenario);
  // The bench's own session: CHECKPOINT before the measured window, and finding the subject's
  // server processes (by application_name) for the CPU accounting.
  const admin = new Client({ connectionString: task.url, application_name: 'trellis-bench-admin' });
  await admin.connect();
  const applicationName = task.schema;
  const connection = {
    url: task.url,
    schema: task.schema,
    poolSize: task.options.pool,
    applicationName,
    async beforeMeasure() {
      if (task.options.checkpoint) await admin.query('CHECKPOINT').catch(() => undefined); // not allowed: measure without
    },
    async backendPids() {
      const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
      return rows.map((r) => r.pid);
    },
  };
  try {
    // '__prepare': the scenario's once-per-run set-up (e.g. generating a log all subjects read).
    const result = task.subject === '__prepare' ? await scenario.prepare(task) : await scenario.measure({ ...task, connection });
    process.send({ ok: true, result }, () => process.exit(0));
  } finally {
    await admin.end().catch(() => undefined);
  }
}

main().catch((error) => {
  process.send({ ok: false, error: error?.stack ?? String(error) }, () => process.exit(1));
});
