'use strict';
/**
 * CPU accounting for a measured window (Linux /proc; every function degrades to null elsewhere):
 * the benchmark process itself, the PostgreSQL backends serving the subject's pool, all PostgreSQL
 * processes (WAL writer, checkpointer … and other people's sessions: a noisy upper bound), and the
 * whole machine (busy and steal share of all cores). On a 2-core machine this tells which side —
 * client or database — a subject spends its appends on.
 */
const fs = require('node:fs');

const TICK_MS = 10; // USER_HZ is 100 on Linux

function readMachine() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
    return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** utime + stime of a process in ms, or null if it is gone. */
function processCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

function postgresPids() {
  try {
    return fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

function cpuOf(pids) {
  const out = new Map();
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms !== null) out.set(pid, ms);
  }
  return out;
}

/** CPU used between two snapshots by processes alive at the end (new ones count from 0). */
function delta(before, after) {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

/**
 * start(backendPids) → stop(backendPidsAtEnd) → { clientMs, backendsMs, postgresMs, machineBusy, machineSteal }.
 * backendPids: the subject's own server processes (from pg_stat_activity by application_name).
 */
function startCpuWindow(backendPids) {
  const t0 = { client: process.cpuUsage(), backends: cpuOf(backendPids), postgres: cpuOf(postgresPids()), machine: readMachine() };
  return (backendPidsAtEnd) => {
    const client = process.cpuUsage(t0.client);
    const machine = readMachine();
    const total = machine && t0.machine ? machine.total - t0.machine.total : 0;
    return {
      clientMs: (client.user + client.system) / 1000,
      backendsMs: delta(t0.backends, cpuOf(backendPidsAtEnd)),
      postgresMs: delta(t0.postgres, cpuOf(postgresPids())),
      machineBusy: total > 0 ? (machine.busy - t0.machine.busy) / total : null,
      machineSteal: total > 0 ? (machine.steal - t0.machine.steal) / total : null,
    };
  };
}

module.exports = { startCpuWindow };
