/**
 * Turning a reminder's audience into e-mail addresses, when sending (DOMAIN.md: "people are resolved
 * when sending; erased or departed people are never contacted").
 *
 * Two adapters: the operator's routing table (`recipient-routes.ts`; events hold no addresses), and
 * the one the workers bind, `VaultRecipientResolver`, which maps each audience member's `personId`
 * to the vault's address (an erased person has none: their key is destroyed) and falls back to the
 * routing table for everyone else and for roles no participant holds (`initiator`).
 */
import type { PartnershipState } from '@trellis/domain';
import type { ReminderRecipientRole } from '../reminder.policies';
import type { AudienceMember, AudienceTarget } from './reminder-audience';
import type { RecipientRoutes } from './recipient-routes';

export interface ReminderRecipient {
  readonly address: string;
  /** The roles this address receives the reminder for. */
  readonly roles: readonly ReminderRecipientRole[];
}

export interface RecipientQuery {
  readonly target: AudienceTarget;
  /** Active members holding the roles (`reminderAudience`). */
  readonly audience: readonly AudienceMember[];
  readonly partnership: PartnershipState;
}

export interface RecipientResolver {
  resolve(query: RecipientQuery): Promise<ReminderRecipient[]>;
}

export const RECIPIENT_RESOLVER = Symbol('RECIPIENT_RESOLVER');

/**
 * Role mailboxes from the routing table. For each recipient role: the mailboxes of each organization
 * with an active member in that role (`organizations[org][role]`, else `organizations[org]['*']`),
 * and the role's own mailboxes (`roles[role]`). A reminder that matched nothing goes to `fallback`.
 * An organization's mailboxes are never used for an organization without an active member in the
 * role — after it withdrew, or its last such member departed.
 */
export class RoutingTableRecipientResolver implements RecipientResolver {
  constructor(private readonly routes: RecipientRoutes) {}

  async resolve(query: RecipientQuery): Promise<ReminderRecipient[]> {
    return resolveFromRoutes(this.routes, query);
  }
}

export function resolveFromRoutes(routes: RecipientRoutes, query: Pick<RecipientQuery, 'target' | 'audience'>): ReminderRecipient[] {
  const byAddress = new Map<string, Set<ReminderRecipientRole>>();
  const add = (addresses: readonly string[] | undefined, role: ReminderRecipientRole) => {
    for (const a of addresses ?? []) {
      const key = a.toLowerCase();
      if (!byAddress.has(key)) byAddress.set(key, new Set());
      byAddress.get(key)!.add(role);
    }
  };
  for (const role of query.target.recipientRoles) {
    const organizations = [...new Set(query.audience.filter((m) => m.role === role).map((m) => m.organizationId))].sort();
    for (const org of organizations) {
      const forOrg = Object.hasOwn(routes.organizations, org) ? routes.organizations[org] : undefined;
      add(forOrg?.[role] ?? forOrg?.['*'], role);
    }
    add(routes.roles[role], role);
  }
  if (byAddress.size === 0) for (const role of query.target.recipientRoles) add(routes.fallback, role);
  return [...byAddress.entries()].map(([address, roles]) => ({ address, roles: [...roles] }));
}
