/**
 * The reminder scheduler's configuration, read from the environment once at start-up by every process
 * that serves or runs reminders (DESIGN.md §8). It lives beside the reminders rather than in
 * `TrellisConfig` so the policies' settings stay with the policies; a bad value stops start-up with a
 * `ConfigError` naming each variable, like `loadConfig` does.
 *
 * - the policies' durations and time scale: `REMINDER_TIME_SCALE`, `REMINDER_R<nn>_DAYS`,
 *   `REMINDER_DISABLED_POLICIES` (`parseReminderSettings`);
 * - e-mail: `SMTP_URL` (`smtp://` or `smtps://`; unset: no e-mail, reminders are still issued as
 *   events) and `SMTP_FROM`;
 * - recipients: participants who reference a person of the people vault are e-mailed at their own
 *   address; the routing table covers everyone else: `REMINDER_RECIPIENTS` (JSON) or
 *   `REMINDER_RECIPIENTS_FILE` (a JSON file), and `REMINDER_FALLBACK_EMAIL` (see `recipient-routes.ts`);
 * - `REMINDER_SCHEDULER_LEASE_MS`: how soon another worker takes over the scheduler of a dead one.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '@trellis/platform';
import { parseReminderSettings, ReminderSettingsError, type ReminderSettings } from '../reminder-settings';
import { EMPTY_ROUTES, parseRecipientRoutes, isEmailAddress, type RecipientRoutes } from '../delivery/recipient-routes';

export interface SmtpConfig {
  /** nodemailer connection URL, e.g. `smtp://user:pass@mail.example:587` or `smtps://mail.example`. */
  readonly url: string;
  /** The From header of reminder e-mails. */
  readonly from: string;
}

export interface ReminderConfig {
  readonly settings: ReminderSettings;
  /** Unset: reminders are issued (events) but no e-mail is sent. */
  readonly smtp?: SmtpConfig;
  readonly routes: RecipientRoutes;
  /** The scheduler's lease (renewed at a third of it). */
  readonly schedulerLeaseMs: number;
  /** Under a steady stream of appends, at most one scheduler batch per this long (0: none). */
  readonly schedulerLingerMs: number;
}

export const REMINDER_CONFIG = Symbol('REMINDER_CONFIG');
export const DEFAULT_SMTP_FROM = 'Trellis reminders <trellis-reminders@localhost>';

type Env = Readonly<Record<string, string | undefined>>;

export function loadReminderConfig(env: Env = process.env): ReminderConfig {
  const problems: string[] = [];

  let settings: ReminderSettings | undefined;
  try {
    settings = parseReminderSettings(env);
  } catch (error) {
    if (error instanceof ReminderSettingsError) problems.push(...error.problems);
    else throw error;
  }

  let smtp: SmtpConfig | undefined;
  const smtpUrl = env['SMTP_URL']?.trim();
  const from = env['SMTP_FROM']?.trim() || DEFAULT_SMTP_FROM;
  if (smtpUrl) {
    try {
      const u = new URL(smtpUrl);
      if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') problems.push(`SMTP_URL must be an smtp:// or smtps:// URL, got ${u.protocol}//…`);
      else if (!u.hostname) problems.push('SMTP_URL names no host');
    } catch {
      problems.push('SMTP_URL is not a valid URL (e.g. smtp://user:password@mail.example.org:587)');
    }
    smtp = { url: smtpUrl, from };
  }
  const fromAddress = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  if (!isEmailAddress(fromAddress)) problems.push(`SMTP_FROM=${JSON.stringify(from)} must be an address (trellis@example.org) or "Name <trellis@example.org>"`);

  let routes: RecipientRoutes = EMPTY_ROUTES;
  const inline = env['REMINDER_RECIPIENTS']?.trim();
  const file = env['REMINDER_RECIPIENTS_FILE']?.trim();
  if (inline && file) problems.push('Set REMINDER_RECIPIENTS or REMINDER_RECIPIENTS_FILE, not both');
  else if (inline || file) {
    let text = inline ?? '';
    const where = inline ? 'REMINDER_RECIPIENTS' : `REMINDER_RECIPIENTS_FILE (${file})`;
    if (file) {
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        problems.push(`REMINDER_RECIPIENTS_FILE=${JSON.stringify(file)} cannot be read: ${(error as Error).message}`);
        text = '';
      }
    }
    if (text !== '') {
      try {
        routes = parseRecipientRoutes(JSON.parse(text), where, problems);
      } catch (error) {
        problems.push(`${where} is not valid JSON: ${(error as Error).message}`);
      }
    }
  }
  const fallback = (env['REMINDER_FALLBACK_EMAIL'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const address of fallback) if (!isEmailAddress(address)) problems.push(`REMINDER_FALLBACK_EMAIL names ${JSON.stringify(address)}, which is not an e-mail address`);
  if (fallback.length > 0) routes = { ...routes, fallback: [...new Set([...routes.fallback, ...fallback.map((a) => a.toLowerCase())])] };

  const schedulerLeaseMs = intSetting(env, 'REMINDER_SCHEDULER_LEASE_MS', 15_000, 1_000, 600_000, problems);
  const schedulerLingerMs = intSetting(env, 'REMINDER_SCHEDULER_LINGER_MS', 200, 0, 60_000, problems);

  if (problems.length > 0 || settings === undefined) throw new ConfigError(problems);
  return { settings, ...(smtp ? { smtp } : {}), routes, schedulerLeaseMs, schedulerLingerMs };
}

/** An integer setting in [min, max]; the default when unset, and a problem (not a guess) when malformed. */
function intSetting(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  problems.push(`${name}=${JSON.stringify(raw)} must be an integer between ${min} and ${max}`);
  return fallback;
}
