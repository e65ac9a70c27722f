/**
 * Reminder recipients from the real people vault (PostgreSQL and PGlite): living people at their own
 * address, erased and departed people never, everyone else through the routing table.
 */
import { randomBytes } from 'node:crypto';
import { PartnershipFixtures } from '@trellis/domain';
import { createSqlEventStore, type EventStore } from '@trellis/event-store';
import { masterKeyFrom, PeopleVault } from '@trellis/platform';
import { SQL_BACKENDS, type SqlBackend } from '../../../platform/src/testing/sql-backends';
import { reminderAudience, type AudienceTarget } from './reminder-audience';
import type { RecipientRoutes } from './recipient-routes';
import { VaultRecipientResolver } from './vault-recipient-resolver';

const { P, ORG, PartnershipHistory } = PartnershipFixtures;
const REQUEST = { recordedBy: { apiKeyId: 'key-1' }, correlationId: 'corr-1' };

const ROUTES: RecipientRoutes = {
  roles: { co_leads: ['co-leads@ops.example'] },
  organizations: {
    [ORG.schoolA]: { '*': ['office@lincoln.example'] },
    [ORG.research]: { brokers: ['lab-brokers@lab.example'] },
  },
  fallback: ['ops@ops.example'],
};

describe.each(SQL_BACKENDS)('VaultRecipientResolver on %s', (_name, openBackend) => {
  let backend: SqlBackend;
  let store: EventStore;
  let vault: PeopleVault;

  beforeAll(async () => {
    backend = await openBackend();
    const schema = backend.schema('reminder_vault');
    store = await createSqlEventStore({ sql: backend.sql, schema });
    vault = new PeopleVault(backend.sql, schema, masterKeyFrom(randomBytes(32)), store);
    await vault.migrate();
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await backend?.close();
  }, 30_000);

  /** Brokers: Ana (living), Bo (erased, the only broker of Lincoln), Dee (living but departed), and the fixture's broker (no person). */
  async function brokers() {
    const ana = await vault.register({ displayName: 'Ana Pérez', email: 'Ana.Perez@District.example' });
    const bo = await vault.register({ displayName: 'Bo Lindqvist', email: 'bo@lincoln.example' });
    const dee = await vault.register({ displayName: 'Dee Okafor', email: 'dee@lab.example' });
    await vault.erase(bo.personId, REQUEST);
    const state = new PartnershipHistory()
      .proposed()
      .members()
      .formalized()
      .add('ParticipantJoined', { participantId: 'p-ana', organizationId: ORG.district, roles: ['practitioner', 'broker'], personId: ana.personId })
      .add('ParticipantJoined', { participantId: 'p-bo', organizationId: ORG.schoolA, roles: ['broker'], personId: bo.personId })
      .add('ParticipantJoined', { participantId: 'p-dee', organizationId: ORG.research, roles: ['broker'], personId: dee.personId })
      .add('ParticipantDeparted', { participantId: 'p-dee', reason: 'moved on', organizationId: ORG.research })
      .state();
    return { state, ana, bo, dee };
  }

  it('mails living people at their own address, never the erased or the departed, and routes everyone else', async () => {
    const { state } = await brokers();
    const target: AudienceTarget = { recipientRoles: ['brokers'] };
    const audience = reminderAudience(state, target);
    expect(audience.map((m) => m.participantId).sort()).toEqual(['p-ana', 'p-bo', P.broker].sort()); // p-dee departed

    const recipients = await new VaultRecipientResolver(vault, ROUTES).resolve({ target, audience, partnership: state });
    const addresses = recipients.map((r) => r.address).sort();
    expect(addresses).toContain('ana.perez@district.example');
    expect(addresses).not.toContain('bo@lincoln.example');
    expect(addresses).not.toContain('dee@lab.example');
    // Bo was Lincoln's only broker: Lincoln's office is not written to on behalf of an erased person.
    expect(addresses).not.toContain('office@lincoln.example');
    expect(addresses).not.toContain('ops@ops.example'); // somebody was found: no fallback
    expect(recipients.find((r) => r.address === 'ana.perez@district.example')!.roles).toEqual(['brokers']);
  });

  it('falls back to the routing table when every linked person was erased', async () => {
    const { state, ana } = await brokers();
    await vault.erase(ana.personId, REQUEST);
    const target: AudienceTarget = { recipientRoles: ['brokers'] };
    const audience = reminderAudience(state, target).filter((m) => m.participantId !== P.broker);
    const recipients = await new VaultRecipientResolver(vault, ROUTES).resolve({ target, audience, partnership: state });
    expect(recipients).toEqual([{ address: 'ops@ops.example', roles: ['brokers'] }]);
  });

  it('merges a role mailbox with people, one message per address', async () => {
    const { state } = await brokers();
    const target: AudienceTarget = { recipientRoles: ['co_leads', 'brokers'] };
    const recipients = await new VaultRecipientResolver(vault, ROUTES).resolve({ target, audience: reminderAudience(state, target), partnership: state });
    const addresses = recipients.map((r) => r.address);
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(addresses).toEqual(expect.arrayContaining(['ana.perez@district.example', 'co-leads@ops.example']));
    expect(addresses).not.toContain('bo@lincoln.example');
  });
});
