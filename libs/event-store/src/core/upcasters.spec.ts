import type { RecordedEvent } from './event-store.port';
import { UpcasterRegistry, type Upcaster } from './upcasters';

const recorded = (type: string, schemaVersion: number, data: RecordedEvent['data']): RecordedEvent => ({
  eventId: '018f2b6e-7a4b-7c3d-9e1f-0a1b2c3d4e5f',
  type,
  schemaVersion,
  streamId: 'partnership-1',
  revision: 0n,
  position: 1n,
  data,
  metadata: { prevHash: '0'.repeat(64), hash: 'f'.repeat(64), recordedAt: '2024-05-01T00:00:00.000Z' },
});

const v1ToV2: Upcaster = { type: 'ToolPiloted', fromVersion: 1, upcast: (data) => ({ site: data['school'] ?? null }) };
const v2ToV3: Upcaster = {
  type: 'ToolPiloted',
  fromVersion: 2,
  upcast: (data, metadata) => ({ sites: [data['site'] ?? null], since: metadata['recordedAt'] ?? null }),
};

describe('UpcasterRegistry', () => {
  it('returns the same event when nothing applies', () => {
    const registry = new UpcasterRegistry([v1ToV2]);
    const other = recorded('Other', 1, { a: 1 });
    const latest = recorded('ToolPiloted', 3, { sites: [] });
    expect(registry.upcast(other)).toBe(other);
    expect(registry.upcast(latest)).toBe(latest);
    expect(new UpcasterRegistry().isEmpty).toBe(true);
    expect(registry.isEmpty).toBe(false);
  });

  it('applies the chain of upcasters in order up to the latest version, with the metadata', () => {
    const registry = new UpcasterRegistry().register(v2ToV3).register(v1ToV2);
    const stored = recorded('ToolPiloted', 1, { school: 'Lincoln Elementary' });
    const upcast = registry.upcast(stored);
    expect(upcast).toEqual({
      ...stored,
      schemaVersion: 3,
      data: { sites: ['Lincoln Elementary'], since: '2024-05-01T00:00:00.000Z' },
    });
    expect(registry.upcast(recorded('ToolPiloted', 2, { site: 'X' })).data).toEqual({ sites: ['X'], since: '2024-05-01T00:00:00.000Z' });
  });

  it('leaves the stored event untouched', () => {
    const stored = recorded('ToolPiloted', 1, { school: 'A' });
    const copy = structuredClone(stored);
    new UpcasterRegistry([v1ToV2, v2ToV3]).upcast(stored);
    expect(stored).toEqual(copy);
  });

  it('refuses two upcasters for the same type and version', () => {
    expect(() => new UpcasterRegistry([v1ToV2, { ...v1ToV2 }])).toThrow(/Duplicate upcaster for ToolPiloted@1/);
  });
});
