/**
 * The operator's routing table: which mailboxes receive the reminders addressed to a role, until the
 * people vault (DESIGN.md §9) can resolve people. Events never carry e-mail addresses (DOMAIN.md
 * "Personal data"), so without the vault Trellis knows no person's address: the operator names role
 * mailboxes instead — per role, per organization and role, and a fallback.
 *
 * `REMINDER_RECIPIENTS` (or the file `REMINDER_RECIPIENTS_FILE`) holds:
 * ```json
 * {
 *   "roles": { "co_leads": ["rpp-office@district.example"], "workstream_leads": ["leads@district.example"] },
 *   "organizations": {
 *     "<organizationId>": { "practice_side_leads": ["principal@school.example"], "*": ["office@school.example"] }
 *   },
 *   "fallback": ["trellis-ops@district.example"]
 * }
 * ```
 * `REMINDER_FALLBACK_EMAIL` (comma-separated) adds to `fallback`.
 */
import { REMINDER_RECIPIENT_ROLES, type ReminderRecipientRole } from '../reminder.policies';

export type RoleRoutes = Readonly<Partial<Record<ReminderRecipientRole | '*', readonly string[]>>>;

export interface RecipientRoutes {
  /** Mailboxes for a role, in every partnership. */
  readonly roles: RoleRoutes;
  /** Mailboxes for a role (or `*`: any role) of one organization: used only while it has an active member in that role. */
  readonly organizations: Readonly<Record<string, RoleRoutes>>;
  /** Used when nothing else matched a reminder. */
  readonly fallback: readonly string[];
}

export const EMPTY_ROUTES: RecipientRoutes = { roles: {}, organizations: {}, fallback: [] };

export const MAX_ROUTE_ADDRESSES = 50;

// Deliberately plain: a local part and a domain with a dot, no spaces, no angle brackets.
const EMAIL = /^[^\s@<>(),;:"[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
export const isEmailAddress = (value: unknown): value is string => typeof value === 'string' && value.length <= 254 && EMAIL.test(value);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function addresses(value: unknown, where: string, problems: string[]): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ROUTE_ADDRESSES) {
    problems.push(`${where} must be an e-mail address or a list of 1 to ${MAX_ROUTE_ADDRESSES} of them`);
    return [];
  }
  const out: string[] = [];
  for (const a of list) {
    if (isEmailAddress(a)) out.push(a.toLowerCase());
    else problems.push(`${where} holds ${JSON.stringify(a)}, which is not an e-mail address`);
  }
  return [...new Set(out)];
}

function roleRoutes(value: unknown, where: string, problems: string[], allowAny: boolean): RoleRoutes {
  if (!isObject(value)) {
    problems.push(`${where} must be an object of role → addresses`);
    return {};
  }
  const out: Record<string, string[]> = {};
  for (const [role, list] of Object.entries(value)) {
    if (!(REMINDER_RECIPIENT_ROLES as readonly string[]).includes(role) && !(allowAny && role === '*')) {
      problems.push(`${where} names ${JSON.stringify(role)}, which is not a reminder recipient role (${REMINDER_RECIPIENT_ROLES.join(', ')}${allowAny ? ', or *' : ''})`);
      continue;
    }
    out[role] = addresses(list, `${where}.${role}`, problems);
  }
  return out;
}

/** Validates a routing table; every problem is appended to `problems` with `where` in it. */
export function parseRecipientRoutes(value: unknown, where: string, problems: string[]): RecipientRoutes {
  if (!isObject(value)) {
    problems.push(`${where} must be a JSON object with "roles", "organizations" and/or "fallback"`);
    return EMPTY_ROUTES;
  }
  for (const key of Object.keys(value)) {
    if (!['roles', 'organizations', 'fallback'].includes(key)) problems.push(`${where} has an unknown member ${JSON.stringify(key)} (use roles, organizations, fallback)`);
  }
  const roles = value['roles'] === undefined ? {} : roleRoutes(value['roles'], `${where}.roles`, problems, false);
  const organizations: Record<string, RoleRoutes> = {};
  if (value['organizations'] !== undefined) {
    if (!isObject(value['organizations'])) problems.push(`${where}.organizations must be an object of organizationId → role routes`);
    else {
      for (const [org, routes] of Object.entries(value['organizations'])) {
        Object.defineProperty(organizations, org, {
          value: roleRoutes(routes, `${where}.organizations.${org}`, problems, true),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
  }
  const fallback = value['fallback'] === undefined ? [] : addresses(value['fallback'], `${where}.fallback`, problems);
  return { roles, organizations, fallback };
}
