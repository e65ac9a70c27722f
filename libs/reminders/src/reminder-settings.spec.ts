import { REMINDER_POLICIES, REMINDER_POLICY_IDS } from './reminder.policies';
import {
  defaultReminderSettings,
  parseReminderSettings,
  reminderDaysVariable,
  ReminderSettingsError,
} from './reminder-settings';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    parseReminderSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ReminderSettingsError);
    return (error as ReminderSettingsError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
};

describe('reminder settings from the environment', () => {
  it('defaults to DOMAIN.md’s durations, every policy enabled, real time', () => {
    const settings = parseReminderSettings({});
    expect(settings).toEqual(defaultReminderSettings());
    expect(settings.timeScale).toBe(1);
    expect(settings.policies['R-01']).toEqual({ enabled: true, days: [90] });
    expect(settings.policies['R-07'].days).toEqual([0, 30]);
    expect(settings.policies['R-10'].days).toEqual([21, 42]);
    expect(settings.policies['R-13'].days).toEqual([90, 30, 7]);
    expect(settings.policies['R-14'].days).toEqual([14]);
    expect(settings.policies['R-17'].days).toEqual([90]);
    expect(settings.policies['R-18'].days).toEqual([120, 30]);
    expect(Object.keys(settings.policies)).toEqual([...REMINDER_POLICY_IDS]);
  });

  it('names one variable per policy, REMINDER_R<nn>_DAYS', () => {
    expect(reminderDaysVariable('R-07')).toBe('REMINDER_R07_DAYS');
    expect(REMINDER_POLICY_IDS.map(reminderDaysVariable)).toContain('REMINDER_R18_DAYS');
  });

  it('reads REMINDER_TIME_SCALE as a decimal or a fraction', () => {
    expect(parseReminderSettings({ REMINDER_TIME_SCALE: '0.001' }).timeScale).toBe(0.001);
    expect(parseReminderSettings({ REMINDER_TIME_SCALE: '1/86400' }).timeScale).toBeCloseTo(1 / 86400, 15);
    expect(parseReminderSettings({ REMINDER_TIME_SCALE: ' 2 ' }).timeScale).toBe(2);
    expect(parseReminderSettings({ REMINDER_TIME_SCALE: '1e-5' }).timeScale).toBe(0.00001);
    expect(parseReminderSettings({ REMINDER_TIME_SCALE: '' }).timeScale).toBe(1);
  });

  it.each(['0', '-1', 'fast', '1/0', '101', 'NaN', 'Infinity', '0/5'])('refuses REMINDER_TIME_SCALE=%s, naming it', (value) => {
    const problems = problemsOf({ REMINDER_TIME_SCALE: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`REMINDER_TIME_SCALE=${JSON.stringify(value)}`);
    expect(problems[0]).toContain('greater than 0');
  });

  it('overrides one policy’s days and leaves the others at their defaults', () => {
    const settings = parseReminderSettings({ REMINDER_R07_DAYS: '14', REMINDER_R13_DAYS: '60, 14,3', REMINDER_R03_DAYS: '10' });
    expect(settings.policies['R-07'].days).toEqual([14]);
    expect(settings.policies['R-13'].days).toEqual([60, 14, 3]);
    expect(settings.policies['R-03'].days).toEqual([10]);
    expect(settings.policies['R-04'].days).toEqual(REMINDER_POLICIES['R-04'].defaultDays);
  });

  it('treats an empty value as unset', () => {
    expect(parseReminderSettings({ REMINDER_R03_DAYS: ' ' }).policies['R-03'].days).toEqual([45]);
  });

  it.each([
    ['REMINDER_R03_DAYS', '45.5', 'one whole number of days between 1 and 3650'],
    ['REMINDER_R03_DAYS', '0', 'between 1 and 3650'],
    ['REMINDER_R03_DAYS', '30,60', 'one whole number of days'],
    ['REMINDER_R03_DAYS', 'soon', 'one whole number'],
    ['REMINDER_R03_DAYS', '99999', 'between 1 and 3650'],
    ['REMINDER_R10_DAYS', '21,21', 'distinct whole numbers'],
    ['REMINDER_R13_DAYS', '90,,7', 'comma-separated list'],
    ['REMINDER_R13_DAYS', '1,2,3,4,5,6,7', '1 to 6'],
    ['REMINDER_R17_DAYS', '0', 'between 1 and 3650'],
  ])('refuses %s=%s, saying what it accepts', (name, value, expected) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toEqual([expect.stringContaining(`${name}=${JSON.stringify(value)}`)]);
    expect(problems[0]).toContain(expected);
  });

  it('accepts 0 days where a date is the reference (R-07 at plannedEnd, R-13 on the expiry day)', () => {
    expect(parseReminderSettings({ REMINDER_R07_DAYS: '0', REMINDER_R13_DAYS: '0' }).policies['R-13'].days).toEqual([0]);
  });

  it.each(['REMINDER_R02_DAYS', 'REMINDER_R7_DAYS', 'REMINDER_R07_HOURS', 'REMINDER_R16_DAYS'])(
    'refuses %s, which names no policy setting (a typo or a policy not in DOMAIN.md)',
    (name) => {
      expect(problemsOf({ [name]: '10' })).toEqual([expect.stringContaining(`${name} names no reminder policy setting`)]);
    },
  );

  it('ignores other variables, including other REMINDER_ ones', () => {
    expect(parseReminderSettings({ REMINDER_QUEUE: 'x', STALL_THRESHOLD_DAYS_PILOT: '3', PATH: '/bin' })).toEqual(defaultReminderSettings());
  });

  it('disables policies listed in REMINDER_DISABLED_POLICIES (R-13 or R13)', () => {
    const settings = parseReminderSettings({ REMINDER_DISABLED_POLICIES: 'R-13, r17,,R01' });
    expect(settings.policies['R-13'].enabled).toBe(false);
    expect(settings.policies['R-17'].enabled).toBe(false);
    expect(settings.policies['R-01'].enabled).toBe(false);
    expect(settings.policies['R-03'].enabled).toBe(true);
  });

  it('refuses an unknown policy in REMINDER_DISABLED_POLICIES', () => {
    expect(problemsOf({ REMINDER_DISABLED_POLICIES: 'R-13,R-02' })).toEqual([
      expect.stringContaining('REMINDER_DISABLED_POLICIES names "R-02", which is not a reminder policy'),
    ]);
  });

  it('reports every problem at once, in a message naming each variable', () => {
    let error: unknown;
    try {
      parseReminderSettings({ REMINDER_TIME_SCALE: '0', REMINDER_R05_DAYS: 'x', REMINDER_R99_DAYS: '1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReminderSettingsError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid reminder configuration:/);
    expect(message).toContain('REMINDER_TIME_SCALE');
    expect(message).toContain('REMINDER_R05_DAYS');
    expect(message).toContain('REMINDER_R99_DAYS');
    expect((error as ReminderSettingsError).problems).toHaveLength(3);
  });
});
