/**
 * The membership index over a real (embedded) store: who became a member when, withdrawal, and that a
 * refresh always covers what was committed before it was called, even while another one runs.
 */
import { v7 as uuidv7 } from 'uuid';
import { createEmbeddedEventStore, type EventStore, type JsonObject } from '@trellis/event-store';
import { OrganizationMembership } from './organization-membership';

let store: EventStore;

beforeAll(async () => {
  store = await createEmbeddedEventStore();
}, 60_000);
afterAll(async () => store?.close());

async function append(partnershipId: string, type: string, data: JsonObject, organizationId?: string): Promise<bigint> {
  const result = await store.append(
    `partnership-${partnershipId}`,
    [{ eventId: uuidv7(), type, schemaVersion: 1, data, metadata: { partnershipId, recordedBy: { apiKeyId: 'k', ...(organizationId ? { organizationId } : {}) } } }],
    { expectedRevision: 'any' },
  );
  return result.events[0]!.position;
}

it('makes the proposer’s organization and every joined one members, from their events’ positions; withdrawal keeps read access', async () => {
  const index = new OrganizationMembership(store);
  const p = uuidv7();
  const proposed = await append(p, 'PartnershipProposed', { partnershipId: p, name: 'P' }, 'org-a');
  const joined = await append(p, 'OrganizationJoined', { organizationId: 'org-b' });
  await append(p, 'OrganizationJoined', { organizationId: 'org-a' });
  const unrelated = await append(p, 'ParticipantJoined', { organizationId: 'org-c', participantId: 'x' });

  expect(await index.status('org-a', p, 'write')).toBe('member');
  expect(await index.status('org-b', p.toUpperCase(), 'read')).toBe('member');
  expect(await index.status('org-c', p, 'read')).toBe('none');
  expect(await index.memberAt('org-a', p, proposed)).toBe(true);
  expect(await index.memberAt('org-b', p, proposed)).toBe(false);
  expect(await index.memberAt('org-b', p, joined)).toBe(true);
  expect(await index.memberAt('org-c', p, unrelated)).toBe(false);

  await append(p, 'OrganizationWithdrew', { organizationId: 'org-b', reason: 'left' });
  expect(await index.status('org-b', p, 'read')).toBe('member'); // a read that hits the index does not refresh…
  expect(await index.status('org-b', p, 'write')).toBe('former'); // …a write always does
  expect(await index.status('org-b', p, 'read')).toBe('former');
  expect(await index.partnershipsOf('org-b')).toContain(p);
});

it('a proposal by an unbound key makes no organization a member', async () => {
  const index = new OrganizationMembership(store);
  const p = uuidv7();
  await append(p, 'PartnershipProposed', { partnershipId: p, name: 'P' });
  expect(await index.partnershipsOf('org-a')).not.toContain(p);
});

it('a refresh requested while another runs still covers appends made before it was requested', async () => {
  const index = new OrganizationMembership(store);
  await index.refresh();
  const ids = Array.from({ length: 20 }, () => uuidv7());
  // Each call appends, then asks at once: every answer must see its own append.
  const answers = await Promise.all(
    ids.map(async (p, i) => {
      await append(p, 'PartnershipProposed', { partnershipId: p, name: `P${i}` }, 'org-z');
      return index.status('org-z', p, 'read');
    }),
  );
  expect(answers).toEqual(ids.map(() => 'member'));
  expect(index.checkpoint).toBe(await store.headPosition());
});

it('answers synchronously for positions the index has read, and learns later ones when asked', async () => {
  const index = new OrganizationMembership(store);
  const p = uuidv7();
  const before = await append(p, 'PartnershipProposed', { partnershipId: p, name: 'late' }, 'org-late');
  await index.refresh();
  expect(index.memberAt('org-late', p, before)).toBe(true); // a plain boolean, no promise
  const q = uuidv7();
  const later = await append(q, 'PartnershipProposed', { partnershipId: q, name: 'later' }, 'org-late');
  const answer = index.memberAt('org-late', q, later);
  expect(answer).toBeInstanceOf(Promise);
  expect(await answer).toBe(true);
});
