import type { RecordedEvent } from '@trellis/event-store';
import { partnershipIdOf } from './event-access';

const event = (streamId: string, metadata: Record<string, unknown>): RecordedEvent =>
  ({ streamId, metadata, data: {}, type: 'OrganizationJoined', position: 1n, revision: 0n, eventId: 'e', schemaVersion: 1 }) as unknown as RecordedEvent;

describe('partnershipIdOf', () => {
  it("takes the envelope's partnershipId", () => {
    expect(partnershipIdOf(event('partnership-p1', { partnershipId: 'p2' }))).toBe('p2');
  });
  it("falls back to the partnership stream's id when the envelope has none (or an empty one)", () => {
    expect(partnershipIdOf(event('partnership-p1', {}))).toBe('p1');
    expect(partnershipIdOf(event('partnership-p1', { partnershipId: '' }))).toBe('p1');
  });
  it('is undefined for an event of another stream without one', () => {
    expect(partnershipIdOf(event('organization-o1', {}))).toBeUndefined();
  });
});
