'use strict';
/**
 * Shared definition of the append scenarios: the child-side measurement (one subject, one round)
 * and the parent-side summary (medians over rounds, ratios computed round by round, goals).
 */
const { SUBJECTS } = require('./append-subjects');
const { measureAppends } = require('./append-workloads');
const { median, minMax } = require('./stats');
const fmt = require('./format');

/**
 * spec: { name, short, title, workload: 'distinct' | 'hot', subjects: [ids], description: md,
 *         ratios: [{ label, of, to, metric, goal?, goalText?, lowerIsBetter? }], notes?: [md] }
 * `metric` is a key of the per-round result or 'p50' | 'p95' | 'p99'.
 */
function defineAppendScenario(spec) {
  return {
    name: spec.name,
    short: spec.short,
    title: spec.title,
    subjects: spec.subjects,
    defaults: { rounds: 5, seconds: 5, warmup: 1.5, writers: 16, pool: 16, ...(spec.defaults ?? {}) },

    /** Child side: one subject, one round. */
    measure: ({ subject, options, connection, tag }) =>
      measureAppends({
        subjectDef: SUBJECTS[subject],
        connection,
        workloadKind: spec.workload,
        writers: options.writers,
        seconds: options.seconds,
        warmup: options.warmup,
        tag,
      }),

    describeRound: (r) =>
      `${fmt.int(r.appendsPerSec).padStart(7)} appends/s  p50 ${fmt.ms(r.latency.p50)}  p99 ${fmt.ms(r.latency.p99)} ms` +
      (spec.workload === 'hot' ? `  ${fmt.int(r.conflictsPerSec)} conflicts/s` : '') +
      (r.appendsPerCommit && r.appendsPerCommit !== 1 ? `  ${fmt.fixed(r.appendsPerCommit)} appends/commit` : ''),

    /** Parent side: medians over rounds, paired per-round ratios, goals, display tables. */
    summarize(rounds, options) {
      const value = (r, metric) => (metric in r.latency ? r.latency[metric] : r[metric]);
      const subjects = spec.subjects.map((id) => {
        const rs = rounds[id];
        const med = (metric) => median(rs.map((r) => value(r, metric)));
        return {
          id,
          label: spec.labels?.[id] ?? SUBJECTS[id].label,
          role: SUBJECTS[id].role,
          median: {
            appendsPerSec: med('appendsPerSec'),
            eventsPerSec: med('eventsPerSec'),
            conflictsPerSec: med('conflictsPerSec'),
            p50: med('p50'),
            p95: med('p95'),
            p99: med('p99'),
            appendsPerCommit: med('appendsPerCommit'),
          },
          appendsPerSecRange: minMax(rs.map((r) => r.appendsPerSec)),
          cpu: {
            clientUsPerAppend: median(rs.map((r) => r.cpu?.clientUsPerAppend)),
            backendsUsPerAppend: median(rs.map((r) => r.cpu?.backendsUsPerAppend)),
            postgresUsPerAppend: median(rs.map((r) => r.cpu?.postgresUsPerAppend)),
            machineBusy: median(rs.map((r) => r.cpu?.machineBusy)),
            machineSteal: median(rs.map((r) => r.cpu?.machineSteal)),
          },
          gaveUp: rs.reduce((n, r) => n + (r.gaveUp ?? 0), 0),
        };
      });

      const ratios = spec.ratios.map((def) => {
        const perRound = rounds[def.of].map((r, i) => {
          const other = rounds[def.to].find((o) => o.round === r.round) ?? rounds[def.to][i];
          return value(r, def.metric) / value(other, def.metric);
        });
        const med = median(perRound);
        const [min, max] = minMax(perRound);
        const met = def.goal === undefined ? undefined : def.lowerIsBetter ? med <= def.goal : med >= def.goal;
        return { ...def, perRound, median: med, min, max, met };
      });

      const hot = spec.workload === 'hot';
      const header = [
        'Subject',
        hot ? 'successful appends/s' : 'appends/s',
        'min–max over rounds',
        'events/s',
        ...(hot ? ['conflicts/s'] : []),
        'p50 ms',
        'p95 ms',
        'p99 ms',
        spec.workload === 'hot' ? 'attempts per commit' : 'appends per commit',
      ];
      const rows = subjects.map((s) => [
        s.label,
        fmt.int(s.median.appendsPerSec),
        `${fmt.int(s.appendsPerSecRange[0])}–${fmt.int(s.appendsPerSecRange[1])}`,
        fmt.int(s.median.eventsPerSec),
        ...(hot ? [fmt.int(s.median.conflictsPerSec)] : []),
        fmt.ms(s.median.p50),
        fmt.ms(s.median.p95),
        fmt.ms(s.median.p99),
        s.median.appendsPerCommit === null || !Number.isFinite(s.median.appendsPerCommit) ? '–' : fmt.fixed(s.median.appendsPerCommit),
      ]);
      const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');
      const cpuRows = subjects.map((s) => [
        s.label,
        fmt.int(s.cpu.clientUsPerAppend),
        fmt.int(s.cpu.backendsUsPerAppend),
        fmt.int(s.cpu.postgresUsPerAppend),
        pct(s.cpu.machineBusy),
        pct(s.cpu.machineSteal),
      ]);
      const ratioRows = ratios.map((r) => [
        r.label,
        fmt.ratio(r.median),
        `${fmt.ratio(r.min)} – ${fmt.ratio(r.max)}`,
        r.perRound.map(fmt.ratio).join(' '),
        r.goalText ?? '–',
        r.met === undefined ? '–' : r.met ? '**met**' : '**missed**',
      ]);

      return {
        scenario: spec.name,
        title: spec.title,
        description: spec.description,
        config: {
          rounds: options.rounds,
          seconds: options.seconds,
          warmup: options.warmup,
          writers: options.writers,
          pool: options.pool,
          checkpoint: options.checkpoint,
        },
        configText:
          `${options.writers} writers, pool of ${options.pool} connections per subject, ${options.rounds} rounds × ` +
          `${options.seconds} s measured after ${options.warmup} s warm-up, subjects interleaved (order rotated every round)` +
          (options.checkpoint ? ', CHECKPOINT before each measured window' : ''),
        tables: [
          { title: 'Median of rounds', header, rows },
          {
            title: 'Ratios (computed within each round, then the median)',
            header: ['Ratio', 'median', 'range', 'per round', 'goal', ''],
            rows: ratioRows,
          },
          {
            title:
              'CPU per successful append, µs (median of rounds; diagnostic: "benchmark process" is the client ' +
              'library plus the harness, "its backends" the server processes of the subject\'s pool, "all ' +
              'PostgreSQL" adds WAL writer, checkpointer and any other session on the server)',
            header: ['Subject', 'benchmark process', 'its backends', 'all PostgreSQL', 'machine busy', 'steal'],
            rows: cpuRows,
          },
        ],
        goals: ratios.filter((r) => r.goal !== undefined).map((r) => ({ text: `${r.label} ${r.goalText}`, met: r.met, value: r.median })),
        headline: [
          { label: 'Trellis appends/s', value: fmt.int(subjects.find((s) => s.id === 'trellis').median.appendsPerSec) },
          ...ratios.filter((r) => r.headline).map((r) => ({ label: r.label, value: fmt.ratio(r.median) })),
        ],
        notes: [
          ...(spec.notes ?? []),
          noiseNote(rounds, spec.subjects, options.rounds),
          ...subjects
            .filter((s) => s.gaveUp > 0)
            .map((s) => `${s.label}: ${s.gaveUp} appends gave up (still conflicting 5 s after the window closed).`),
        ],
        subjects,
        ratios: ratios.map(({ label, of, to, metric, goal, perRound, median: m, min, max, met }) => ({
          label, of, to, metric, goal, perRound, median: m, min, max, met,
        })),
        rounds,
      };
    },
  };
}

/**
 * Per round, the worst hypervisor steal and the busiest machine seen in any subject's window: a
 * round with a lot of steal was measured on a machine that lost CPU mid-way; its ratios deserve
 * less trust (they are still reported; the median is what absorbs them).
 */
function noiseNote(rounds, subjects, count) {
  const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '?');
  const perRound = [];
  for (let round = 1; round <= count; round += 1) {
    const windows = subjects.map((s) => rounds[s].find((r) => r.round === round)).filter(Boolean);
    const steal = Math.max(...windows.map((w) => w.cpu?.machineSteal ?? Number.NaN));
    perRound.push(pct(steal));
  }
  return `Noise: the highest hypervisor steal in any window of each round was ${perRound.join(', ')} (round 1 first); rounds with high steal were measured while the VM lost CPU to its host.`;
}

module.exports = { defineAppendScenario };
