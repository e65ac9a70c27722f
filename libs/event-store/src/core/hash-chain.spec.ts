import { createHash } from 'node:crypto';
import { GENESIS_HASH, chainEvents, computeEventHash, verifyChain, type VerifiableEvent } from './hash-chain';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const base = {
  eventId: '018f2b6e-7a4b-7c3d-9e1f-0a1b2c3d4e5f',
  type: 'PartnershipProposed',
  schemaVersion: 1,
  data: { title: 'Reading together', n: 1.5, list: [3, 'é', null] },
  metadata: { recordedAt: '2024-05-01T12:00:00.000Z' },
};

const chainOf = (n: number): VerifiableEvent[] =>
  chainEvents(
    GENESIS_HASH,
    Array.from({ length: n }, (_, i) => ({ ...base, eventId: `018f2b6e-7a4b-7c3d-9e1f-0a1b2c3d4e${(50 + i).toString(16)}`, data: { i } })),
  ).map((e, i) => ({ ...e, revision: BigInt(i) }));

async function* asAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('hash chain', () => {
  it('starts from 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('hashes prevHash + the RFC 8785 canonical JSON of the event (a fixed vector)', () => {
    // Written out by hand: keys sorted, no whitespace, `hash` excluded, UTF-8 as is.
    const canonical =
      '{"data":{"list":[3,"é",null],"n":1.5,"title":"Reading together"},' +
      '"eventId":"018f2b6e-7a4b-7c3d-9e1f-0a1b2c3d4e5f",' +
      `"metadata":{"prevHash":"${GENESIS_HASH}","recordedAt":"2024-05-01T12:00:00.000Z"},` +
      '"schemaVersion":1,"type":"PartnershipProposed"}';
    const expected = sha256(GENESIS_HASH + canonical);
    expect(expected).toBe('004eea6631a88863cd99c5059088a0d063d2d236d014094f0a720ae06180cc4e');
    expect(computeEventHash({ ...base, metadata: { ...base.metadata, prevHash: GENESIS_HASH } })).toBe(expected);
  });

  it('does not depend on key order and ignores a hash member already present', () => {
    const a = computeEventHash({ ...base, metadata: { prevHash: GENESIS_HASH, recordedAt: 'x' } });
    const b = computeEventHash({
      schemaVersion: 1,
      type: base.type,
      eventId: base.eventId,
      data: { list: [3, 'é', null], title: 'Reading together', n: 1.5 },
      metadata: { recordedAt: 'x', hash: 'whatever', prevHash: GENESIS_HASH },
    });
    expect(b).toBe(a);
  });

  it('requires metadata.prevHash', () => {
    expect(() => computeEventHash(base)).toThrow(/prevHash/);
  });

  it('chainEvents links each event to the previous hash and leaves its input alone', () => {
    const input = [base, { ...base, eventId: '018f2b6e-7a4b-7c3d-9e1f-0a1b2c3d4e60' }];
    const chained = chainEvents('ab'.repeat(32), input);
    expect(chained[0]!.metadata.prevHash).toBe('ab'.repeat(32));
    expect(chained[1]!.metadata.prevHash).toBe(chained[0]!.metadata.hash);
    expect(chained[1]!.metadata.hash).toBe(computeEventHash(chained[1]!));
    expect(input[0]!.metadata).toEqual({ recordedAt: '2024-05-01T12:00:00.000Z' });
  });

  describe('verifyChain', () => {
    it('accepts an intact chain from an iterable or an async iterable', async () => {
      const events = chainOf(5);
      const expected = { valid: true, checkedEvents: 5, headHash: events[4]!.metadata['hash'] };
      expect(await verifyChain(events)).toEqual(expected);
      expect(await verifyChain(asAsync(events))).toEqual(expected);
      expect(await verifyChain(events.map((e) => ({ ...e, revision: e.revision.toString() })))).toEqual(expected);
    });

    it('accepts an empty stream', async () => {
      expect(await verifyChain([])).toEqual({ valid: true, checkedEvents: 0, headHash: GENESIS_HASH });
    });

    it('reports the first revision whose content was altered', async () => {
      const events = chainOf(5);
      events[2] = { ...events[2]!, data: { i: 99 } };
      expect(await verifyChain(events)).toEqual({
        valid: false,
        checkedEvents: 2,
        headHash: events[1]!.metadata['hash'],
        firstInvalidRevision: '2',
        reason: 'hash does not match the event content',
      });
    });

    it('reports a broken link even when the altered event was re-hashed', async () => {
      const events = chainOf(4);
      const forged = { ...events[1]!, data: { forged: true } };
      const rehashed = chainEvents(events[0]!.metadata['hash'] as string, [{ ...forged, metadata: { recordedAt: 'x' } }])[0]!;
      events[1] = { ...rehashed, revision: 1n };
      const result = await verifyChain(events);
      expect(result).toMatchObject({ valid: false, firstInvalidRevision: '2', reason: 'prevHash does not link to the previous event' });
    });

    it('requires contiguous revisions from 0', async () => {
      const events = chainOf(3);
      expect(await verifyChain(events.slice(1))).toMatchObject({ valid: false, firstInvalidRevision: '1' });
      expect(await verifyChain([events[0]!, events[2]!])).toMatchObject({ valid: false, firstInvalidRevision: '2' });
    });

    it('reports an event that cannot be hashed', async () => {
      const events = chainOf(2);
      events[1] = { ...events[1]!, metadata: { hash: events[1]!.metadata['hash'] as string } };
      expect(await verifyChain(events)).toMatchObject({ valid: false, firstInvalidRevision: '1' });
    });
  });
});
