/** The reminder configuration: defaults, each variable, and every bad value named in one ConfigError. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@trellis/platform';
import { DEFAULT_SMTP_FROM, loadReminderConfig } from './reminder-config';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadReminderConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadReminderConfig', () => {
  it('defaults: real time, no e-mail, no routes, a 15 s lease, a 200 ms linger', () => {
    const c = loadReminderConfig({});
    expect(c.settings.timeScale).toBe(1);
    expect(c.smtp).toBeUndefined();
    expect(c.routes).toEqual({ roles: {}, organizations: {}, fallback: [] });
    expect(c.schedulerLeaseMs).toBe(15_000);
    expect(c.schedulerLingerMs).toBe(200);
  });

  it('reads SMTP, the time scale, a policy’s days, routes and the fallback', () => {
    const c = loadReminderConfig({
      SMTP_URL: 'smtp://mail.example:587',
      SMTP_FROM: 'RPP office <rpp@district.example>',
      REMINDER_TIME_SCALE: '1/86400',
      REMINDER_R10_DAYS: '14,28',
      REMINDER_RECIPIENTS: JSON.stringify({ roles: { co_leads: 'Leads@District.example' }, organizations: { 'org-1': { '*': ['o@x.example'] } } }),
      REMINDER_FALLBACK_EMAIL: 'ops@x.example, ops2@x.example',
      REMINDER_SCHEDULER_LEASE_MS: '5000',
      REMINDER_SCHEDULER_LINGER_MS: '0',
    });
    expect(c.smtp).toEqual({ url: 'smtp://mail.example:587', from: 'RPP office <rpp@district.example>' });
    expect(c.settings.timeScale).toBeCloseTo(1 / 86400);
    expect(c.settings.policies['R-10'].days).toEqual([14, 28]);
    expect(c.routes).toEqual({ roles: { co_leads: ['leads@district.example'] }, organizations: { 'org-1': { '*': ['o@x.example'] } }, fallback: ['ops@x.example', 'ops2@x.example'] });
    expect(c.schedulerLeaseMs).toBe(5_000);
    expect(c.schedulerLingerMs).toBe(0);
    expect(loadReminderConfig({ SMTP_URL: 'smtps://mail.example' }).smtp?.from).toBe(DEFAULT_SMTP_FROM);
  });

  it('reads the routing table from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-routes-'));
    const file = join(dir, 'routes.json');
    writeFileSync(file, JSON.stringify({ fallback: 'ops@x.example' }));
    expect(loadReminderConfig({ REMINDER_RECIPIENTS_FILE: file }).routes.fallback).toEqual(['ops@x.example']);
  });

  it('names every bad value at once', () => {
    const problems = problemsOf({
      SMTP_URL: 'http://mail.example',
      SMTP_FROM: 'not an address',
      REMINDER_TIME_SCALE: '0',
      REMINDER_R02_DAYS: '3',
      REMINDER_RECIPIENTS: JSON.stringify({ roles: { chair: ['a@x.example'], co_leads: ['nope'] }, extra: 1 }),
      REMINDER_FALLBACK_EMAIL: 'bad',
      REMINDER_SCHEDULER_LEASE_MS: '10',
      REMINDER_SCHEDULER_LINGER_MS: '-5',
    });
    expect(problems).toEqual([
      expect.stringContaining('REMINDER_TIME_SCALE'),
      expect.stringContaining('REMINDER_R02_DAYS names no reminder policy'),
      'SMTP_URL must be an smtp:// or smtps:// URL, got http://…',
      expect.stringContaining('SMTP_FROM="not an address"'),
      expect.stringContaining('unknown member "extra"'),
      expect.stringContaining('REMINDER_RECIPIENTS.roles names "chair"'),
      expect.stringContaining('REMINDER_RECIPIENTS.roles.co_leads holds "nope"'),
      expect.stringContaining('REMINDER_FALLBACK_EMAIL names "bad"'),
      expect.stringContaining('REMINDER_SCHEDULER_LEASE_MS="10"'),
      expect.stringContaining('REMINDER_SCHEDULER_LINGER_MS="-5"'),
    ]);
  });

  it('refuses malformed JSON, a missing file, and both sources at once', () => {
    expect(problemsOf({ REMINDER_RECIPIENTS: '{roles:' })).toEqual([expect.stringContaining('REMINDER_RECIPIENTS is not valid JSON')]);
    expect(problemsOf({ REMINDER_RECIPIENTS_FILE: '/nonexistent/routes.json' })).toEqual([expect.stringContaining('cannot be read')]);
    expect(problemsOf({ REMINDER_RECIPIENTS: '{}', REMINDER_RECIPIENTS_FILE: '/x' })).toEqual(['Set REMINDER_RECIPIENTS or REMINDER_RECIPIENTS_FILE, not both']);
    expect(problemsOf({ REMINDER_RECIPIENTS: '[]' })).toEqual([expect.stringContaining('must be a JSON object')]);
    expect(problemsOf({ REMINDER_RECIPIENTS: JSON.stringify({ fallback: [] }) })).toEqual([expect.stringContaining('fallback must be an e-mail address or a list of 1 to 50')]);
  });
});
