/**
 * The stall thresholds (days per clock, DEFAULT_STALL_THRESHOLDS in the read model) may be
 * overridden per clock from the environment: `STALL_THRESHOLD_DAYS_<CLOCK>`, e.g.
 * `STALL_THRESHOLD_DAYS_PROBLEM_FRAMING=30` or `STALL_THRESHOLD_DAYS_FORMAL_STUDY_RUNNING=365`.
 * A bad value, or a variable naming no clock (a typo), stops the process at start-up with a message
 * naming it, like every other configuration error (DESIGN.md §1).
 */
import { DEFAULT_STALL_THRESHOLDS, STALL_CLOCK_KINDS, type StallClockKind, type StallThresholds } from '@trellis/projections';

export const STALL_THRESHOLDS = Symbol('STALL_THRESHOLDS');

export const STALL_THRESHOLD_ENV_PREFIX = 'STALL_THRESHOLD_DAYS_';
export const MAX_STALL_THRESHOLD_DAYS = 3650;

export const stallThresholdVariable = (kind: StallClockKind): string => `${STALL_THRESHOLD_ENV_PREFIX}${kind.toUpperCase()}`;

export function parseStallThresholds(env: Readonly<Record<string, string | undefined>>): StallThresholds {
  const thresholds: Record<string, number> = { ...DEFAULT_STALL_THRESHOLDS };
  const known = new Map(STALL_CLOCK_KINDS.map((kind) => [stallThresholdVariable(kind), kind] as const));
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(STALL_THRESHOLD_ENV_PREFIX) || raw === undefined) continue;
    const kind = known.get(name);
    if (kind === undefined) {
      problems.push(`${name} names no stall clock (use one of ${[...known.keys()].join(', ')})`);
      continue;
    }
    const value = raw.trim();
    const days = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(days) || days < 1 || days > MAX_STALL_THRESHOLD_DAYS) {
      problems.push(`${name}=${JSON.stringify(raw)} must be a whole number of days between 1 and ${MAX_STALL_THRESHOLD_DAYS}`);
      continue;
    }
    thresholds[kind] = days;
  }
  if (problems.length > 0) throw new Error(`Invalid stall thresholds: ${problems.join('; ')}`);
  return thresholds as StallThresholds;
}
