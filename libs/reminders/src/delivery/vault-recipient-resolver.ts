/**
 * Recipients from the people vault (DOMAIN.md: "people are resolved when sending; erased or departed
 * people are never contacted"). The audience (`reminderAudience`) holds only active members, so the
 * departed are already out; of those, each member linked to a living person of the vault receives
 * the reminder at the person's own address. A member whose person was erased — or whose record does
 * not authenticate — is dropped altogether: no address of theirs, and no mailbox of their
 * organization on their behalf. Members without a person (or with one the vault does not know)
 * fall back to the operator's routing table as before, as do roles no participant holds
 * (`initiator`); the routing table's `fallback` is used only when nobody at all was found.
 */
import type { PeopleVault } from '@trellis/platform';
import type { ReminderRecipientRole } from '../reminder.policies';
import type { RecipientRoutes } from './recipient-routes';
import { resolveFromRoutes, type RecipientQuery, type RecipientResolver, type ReminderRecipient } from './recipient-resolver';

export class VaultRecipientResolver implements RecipientResolver {
  constructor(
    private readonly vault: Pick<PeopleVault, 'findMany'>,
    private readonly routes: RecipientRoutes,
  ) {}

  async resolve(query: RecipientQuery): Promise<ReminderRecipient[]> {
    const linked = query.audience.filter((m) => m.personId !== undefined);
    const people = linked.length > 0 ? await this.vault.findMany(linked.map((m) => m.personId!)) : new Map();
    const byAddress = new Map<string, Set<ReminderRecipientRole>>();
    const unresolved = [];
    for (const member of query.audience) {
      const person = member.personId === undefined ? undefined : people.get(member.personId.toLowerCase());
      if (person === undefined) {
        unresolved.push(member);
        continue;
      }
      if (person.status !== 'active') continue; // erased (or unreadable): never contacted
      const address = person.email.toLowerCase();
      if (!byAddress.has(address)) byAddress.set(address, new Set());
      byAddress.get(address)!.add(member.role);
    }
    const routes = byAddress.size > 0 ? { ...this.routes, fallback: [] } : this.routes;
    for (const r of resolveFromRoutes(routes, { target: query.target, audience: unresolved })) {
      if (!byAddress.has(r.address)) byAddress.set(r.address, new Set());
      for (const role of r.roles) byAddress.get(r.address)!.add(role);
    }
    return [...byAddress.entries()].map(([address, roles]) => ({ address, roles: [...roles] }));
  }
}
