import { PgliteSqlClient, type SqlClient } from '@trellis/event-store';
import { PartnershipSnapshotStore, type NewSnapshot } from './partnership-snapshots.store';

const snapshot = (revision: number, state: unknown): NewSnapshot => ({
  revision: BigInt(revision),
  events: revision + 1,
  maxRecordedAt: `2025-01-${String(revision + 1).padStart(2, '0')}T00:00:00.000Z`,
  maxOccurredAt: '2025-01-01T00:00:00.000Z',
  segmentMinRecordedAt: '2025-01-01T00:00:00.000Z',
  segmentMinOccurredAt: '2024-12-01T00:00:00.000Z',
  state: JSON.stringify(state),
});

describe('PartnershipSnapshotStore (PGlite)', () => {
  let sql: SqlClient;
  let v1: PartnershipSnapshotStore;
  let v2: PartnershipSnapshotStore;

  beforeAll(async () => {
    sql = await PgliteSqlClient.create();
    v1 = new PartnershipSnapshotStore(sql, 'snaps', 1);
    v2 = new PartnershipSnapshotStore(sql, 'snaps', 2);
    await v1.migrate();
    await v2.migrate(); // a second start finds nothing to do
  });
  afterAll(async () => sql?.close());

  it('lists a stream’s snapshots of its own version in revision order (numeric, not text: 9 before 19)', async () => {
    await v1.save('p-1', snapshot(19, { at: 19 }));
    await v1.save('p-1', snapshot(9, { at: 9 }));
    await v1.save('p-2', snapshot(9, { other: true }));
    await v2.save('p-1', snapshot(29, { at: 29, v: 2 }));
    expect((await v1.summaries('p-1')).map((s) => [s.revision, s.events])).toEqual([[9n, 10], [19n, 20]]);
    expect((await v2.summaries('p-1')).map((s) => s.revision)).toEqual([29n]);
    expect(await v1.summaries('p-3')).toEqual([]);
    expect((await v1.summaries('p-1'))[0]).toMatchObject({
      maxRecordedAt: '2025-01-10T00:00:00.000Z',
      segmentMinOccurredAt: '2024-12-01T00:00:00.000Z',
    });
  });

  it('returns a stored state, and keeps the first of two saves of the same snapshot', async () => {
    await v1.save('p-1', snapshot(9, { at: 'again' }));
    expect(JSON.parse((await v1.state('p-1', 9n))!)).toEqual({ at: 9 });
    expect(await v1.state('p-1', 29n)).toBeUndefined(); // another version's row is not this version's state
  });

  it('removes the snapshots of every other version', async () => {
    expect(await v2.removeOtherVersions()).toBe(3);
    expect(await v1.summaries('p-1')).toEqual([]);
    expect((await v2.summaries('p-1')).map((s) => s.revision)).toEqual([29n]);
  });
});
