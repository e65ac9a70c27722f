'use strict';
/**
 * The writer loops of the append scenarios, identical for every subject. A measurement is a warm-up
 * window (same loops, not recorded: connections opened, plans cached, code optimised) followed by
 * the measured window. Writers keep their state (stream head) from one window to the next.
 */
const { partnershipEvent } = require('./payload');
const { latencySummary, nowMs } = require('./stats');
const { startCpuWindow } = require('./cpu');

/** Each writer appends single-event appends to its own stream, with the exact expected revision. */
function distinctStreams(tag) {
  return {
    init: (writer) => ({ stream: `partnership-${tag}-${writer}`, head: -1 }),
    async step(subject, writer, state, record) {
      const event = partnershipEvent(writer);
      const t0 = nowMs();
      state.head = await subject.append(state.stream, event, state.head);
      record.success(nowMs() - t0);
    },
  };
}

/**
 * Every writer appends to ONE stream: read the head, append with exactly that revision, and on a
 * conflict read the head again and retry (no back-off). Latency runs from the first read to the
 * successful append, retries included. The same event (id) is retried: a refused append wrote nothing.
 */
function hotStream(tag, giveUpAt) {
  return {
    init: () => ({ stream: `partnership-${tag}-hot`, lastSeen: -1 }),
    async step(subject, writer, state, record) {
      const event = partnershipEvent(writer);
      const t0 = nowMs();
      for (;;) {
        const head = await subject.readHead(state.stream, state.lastSeen);
        state.lastSeen = head;
        try {
          state.lastSeen = await subject.append(state.stream, event, head);
          record.success(nowMs() - t0);
          return;
        } catch (error) {
          if (!subject.isConflict(error)) throw error;
          record.conflict();
          if (nowMs() > giveUpAt()) {
            record.gaveUp();
            return;
          }
        }
      }
    },
  };
}

/**
 * Runs the writer loops until `seconds` have passed. Throughput counts the appends (and conflicts)
 * completed inside the window, divided by its length; an append still running at the deadline
 * finishes (its latency is recorded, so long tails stay visible) but does not count as throughput.
 */
async function runWindow(subject, workload, states, seconds) {
  const latencies = [];
  let completed = 0;
  let conflicts = 0;
  let gaveUp = 0;
  const start = nowMs();
  const deadline = start + seconds * 1000;
  const record = {
    success: (ms) => {
      latencies.push(ms);
      if (nowMs() <= deadline) completed += 1;
    },
    conflict: () => {
      if (nowMs() <= deadline) conflicts += 1;
    },
    gaveUp: () => {
      gaveUp += 1;
    },
  };
  await Promise.all(
    states.map(async (state, writer) => {
      while (nowMs() < deadline) await workload.step(subject, writer, state, record);
    }),
  );
  return { windowMs: deadline - start, tailMs: nowMs() - deadline, completed, latencies, conflicts, gaveUp };
}

/**
 * One subject, one round: open, warm up, measure, close. Returns per-second rates and latency
 * percentiles of the measured window only.
 */
async function measureAppends({ subjectDef, connection, workloadKind, writers, seconds, warmup, tag, eventsPerAppend = 1 }) {
  const subject = await subjectDef.open(connection);
  let measuredWindowEnd = Number.POSITIVE_INFINITY;
  // Conflicting writers give up on an append 5 s after the window closed (a starving writer must not hold the run).
  const giveUpAt = () => measuredWindowEnd + 5_000;
  const workload = workloadKind === 'hot' ? hotStream(tag, giveUpAt) : distinctStreams(tag);
  const states = Array.from({ length: writers }, (_, w) => workload.init(w));
  try {
    if (warmup > 0) {
      measuredWindowEnd = nowMs() + warmup * 1000;
      await runWindow(subject, workload, states, warmup);
    }
    if (typeof global.gc === 'function') global.gc();
    await connection.beforeMeasure();
    subject.resetStats();
    const stopCpu = startCpuWindow(await connection.backendPids());
    measuredWindowEnd = nowMs() + seconds * 1000;
    const window = await runWindow(subject, workload, states, seconds);
    const cpu = stopCpu(await connection.backendPids());
    const appends = window.completed;
    const perSecond = (n) => (n * 1000) / window.windowMs;
    // CPU is measured until the last writer stopped, so it is divided by every append that finished.
    const finished = window.latencies.length;
    const perAppendUs = (ms) => (finished ? (ms * 1000) / finished : null);
    return {
      appends,
      windowMs: window.windowMs,
      tailMs: window.tailMs,
      appendsPerSec: perSecond(appends),
      eventsPerSec: perSecond(appends * eventsPerAppend),
      conflicts: window.conflicts,
      conflictsPerSec: perSecond(window.conflicts),
      gaveUp: window.gaveUp,
      latency: latencySummary(window.latencies),
      cpu: {
        ...cpu,
        clientUsPerAppend: perAppendUs(cpu.clientMs),
        backendsUsPerAppend: perAppendUs(cpu.backendsMs),
        postgresUsPerAppend: perAppendUs(cpu.postgresMs),
      },
      ...subject.stats(),
    };
  } finally {
    await subject.close();
  }
}

module.exports = { measureAppends };
