/**
 * Reminder durations from the environment (DOMAIN.md: "defaults; each configurable"). Parsed once at
 * start-up by a pure function; a bad value stops the process with a message naming the variable and
 * what it accepts, as `loadConfig` does for the rest of the configuration.
 *
 * - `REMINDER_TIME_SCALE` — a factor (> 0, at most 100; default 1) applied to every duration, so that
 *   demos and tests can run a 21-day policy in seconds: `REMINDER_TIME_SCALE=1/86400` makes a day last
 *   one second. A decimal (`0.001`) or a fraction (`1/86400`).
 * - `REMINDER_R<nn>_DAYS` — the days of policy R-<nn>, e.g. `REMINDER_R07_DAYS=0,30` or
 *   `REMINDER_R13_DAYS=60,14`. Multi-step policies take a comma-separated list (one step each); the
 *   others exactly one value. What the days mean per policy: `REMINDER_POLICIES[id].basis`.
 * - `REMINDER_DISABLED_POLICIES` — policies that issue nothing, e.g. `R-13,R-17` (`R13` works too).
 *
 * A `REMINDER_R<nn>_…` variable that names no policy or setting (a typo, R-02) is an error too.
 */
import { REMINDER_POLICIES, REMINDER_POLICY_IDS, type ReminderPolicyId } from './reminder.policies';

export interface PolicySettings {
  readonly enabled: boolean;
  /** The policy's days (see its `basis`); `before_date` lists are kept as configured. */
  readonly days: readonly number[];
}

export interface ReminderSettings {
  /** Factor applied to every duration (1 = real time). */
  readonly timeScale: number;
  readonly policies: Readonly<Record<ReminderPolicyId, PolicySettings>>;
}

export const REMINDER_TIME_SCALE_VARIABLE = 'REMINDER_TIME_SCALE';
export const REMINDER_DISABLED_POLICIES_VARIABLE = 'REMINDER_DISABLED_POLICIES';
export const MAX_REMINDER_DAYS = 3650;
export const MAX_REMINDER_STEPS = 6;
export const MAX_REMINDER_TIME_SCALE = 100;

/** `R-07` → `REMINDER_R07_DAYS`. */
export const reminderDaysVariable = (policy: ReminderPolicyId): string => `REMINDER_${policy.replace('-', '')}_DAYS`;

export class ReminderSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid reminder configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ReminderSettingsError';
  }
}

export function defaultReminderSettings(): ReminderSettings {
  return {
    timeScale: 1,
    policies: Object.fromEntries(
      REMINDER_POLICY_IDS.map((id): [ReminderPolicyId, PolicySettings] => [id, { enabled: true, days: [...REMINDER_POLICIES[id].defaultDays] }]),
    ) as Record<ReminderPolicyId, PolicySettings>,
  };
}

type Env = Readonly<Record<string, string | undefined>>;

export function parseReminderSettings(env: Env): ReminderSettings {
  const problems: string[] = [];
  const timeScale = parseTimeScale(env[REMINDER_TIME_SCALE_VARIABLE], problems);
  const disabled = parseDisabled(env[REMINDER_DISABLED_POLICIES_VARIABLE], problems);

  const byVariable = new Map(REMINDER_POLICY_IDS.map((id) => [reminderDaysVariable(id), id] as const));
  const days = new Map<ReminderPolicyId, number[]>();
  for (const [name, raw] of Object.entries(env)) {
    if (!/^REMINDER_R\d/.test(name) || raw === undefined) continue;
    const policy = byVariable.get(name);
    if (policy === undefined) {
      problems.push(`${name} names no reminder policy setting (use REMINDER_R<nn>_DAYS with one of ${REMINDER_POLICY_IDS.join(', ')})`);
      continue;
    }
    if (raw.trim() === '') continue;
    const parsed = parseDays(name, raw, policy, problems);
    if (parsed) days.set(policy, parsed);
  }
  if (problems.length > 0) throw new ReminderSettingsError(problems);

  const defaults = defaultReminderSettings();
  return {
    timeScale,
    policies: Object.fromEntries(
      REMINDER_POLICY_IDS.map((id) => [
        id,
        { enabled: !disabled.has(id), days: days.get(id) ?? defaults.policies[id].days },
      ]),
    ) as Record<ReminderPolicyId, PolicySettings>,
  };
}

function parseTimeScale(raw: string | undefined, problems: string[]): number {
  const value = raw?.trim();
  if (value === undefined || value === '') return 1;
  const fraction = /^(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(value);
  const n = fraction ? Number(fraction[1]) / Number(fraction[2]) : /^\d+(?:\.\d+)?(?:e-?\d+)?$/i.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > MAX_REMINDER_TIME_SCALE) {
    problems.push(
      `${REMINDER_TIME_SCALE_VARIABLE}=${JSON.stringify(raw)} must be a factor greater than 0 and at most ${MAX_REMINDER_TIME_SCALE} (a decimal such as 0.001, or a fraction such as 1/86400)`,
    );
    return 1;
  }
  return n;
}

function parseDisabled(raw: string | undefined, problems: string[]): Set<ReminderPolicyId> {
  const disabled = new Set<ReminderPolicyId>();
  for (const item of (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const normalised = /^R-?\d{2}$/i.test(item) ? `R-${item.slice(-2)}` : item;
    if ((REMINDER_POLICY_IDS as readonly string[]).includes(normalised)) disabled.add(normalised as ReminderPolicyId);
    else problems.push(`${REMINDER_DISABLED_POLICIES_VARIABLE} names ${JSON.stringify(item)}, which is not a reminder policy (${REMINDER_POLICY_IDS.join(', ')})`);
  }
  return disabled;
}

function parseDays(name: string, raw: string, policy: ReminderPolicyId, problems: string[]): number[] | undefined {
  const { multiStep, minDays } = REMINDER_POLICIES[policy];
  const items = raw.split(',').map((s) => s.trim());
  const shape = multiStep ? `a comma-separated list of 1 to ${MAX_REMINDER_STEPS} distinct whole numbers of days` : 'one whole number of days';
  const expectation = `${name}=${JSON.stringify(raw)} must be ${shape} between ${minDays} and ${MAX_REMINDER_DAYS}`;
  if (items.length === 0 || (!multiStep && items.length !== 1) || items.length > MAX_REMINDER_STEPS) {
    problems.push(expectation);
    return undefined;
  }
  const values = items.map((s) => (/^\d{1,4}$/.test(s) ? Number(s) : NaN));
  if (values.some((n) => !Number.isInteger(n) || n < minDays || n > MAX_REMINDER_DAYS) || new Set(values).size !== values.length) {
    problems.push(expectation);
    return undefined;
  }
  return values;
}
