import { AppendBatcher, type Settled } from './append-batcher';

interface Item {
  readonly id: number;
  readonly weight?: number;
  readonly keys?: string[];
}

function recordingBatcher(options: { maxItems?: number; maxWeight?: number; fail?: (item: Item) => boolean } = {}) {
  const batches: number[][] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const batcher = new AppendBatcher<Item, number>(
    async (items) => {
      batches.push(items.map((i) => i.id));
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return items.map((i): Settled<number> => (options.fail?.(i) ? { ok: false, error: new Error(`item ${i.id}`) } : { ok: true, value: i.id * 10 }));
    },
    {
      maxItems: options.maxItems ?? 100,
      maxWeight: options.maxWeight ?? 1_000,
      weight: (i) => i.weight ?? 1,
      maxInFlight: 1,
      keys: (i) => i.keys ?? [],
    },
  );
  return {
    batcher,
    batches,
    holdNext: () => (hold = true),
    releaseHeld: () => {
      hold = false;
      release?.();
    },
  };
}

describe('AppendBatcher', () => {
  it('sends what was submitted in one turn as one batch and settles each item', async () => {
    const { batcher, batches } = recordingBatcher({ fail: (i) => i.id === 2 });
    const results = await Promise.allSettled([1, 2, 3].map((id) => batcher.submit({ id })));
    expect(batches).toEqual([[1, 2, 3]]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 'item 2', 30]);
  });

  it('queues while a batch is in flight and sends the queue together next', async () => {
    const { batcher, batches, holdNext, releaseHeld } = recordingBatcher();
    holdNext();
    const first = batcher.submit({ id: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((id) => batcher.submit({ id }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(batches).toEqual([[1]]);
    releaseHeld();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('caps batches by item count and by weight, keeping the order', async () => {
    const { batcher, batches } = recordingBatcher({ maxItems: 2, maxWeight: 10 });
    await Promise.all([
      batcher.submit({ id: 1 }),
      batcher.submit({ id: 2 }),
      batcher.submit({ id: 3, weight: 9 }),
      batcher.submit({ id: 4, weight: 50 }),
      batcher.submit({ id: 5 }),
    ]);
    expect(batches).toEqual([[1, 2], [3], [4], [5]]);
  });

  it('never puts two items sharing a key in one batch', async () => {
    const { batcher, batches } = recordingBatcher();
    await Promise.all([
      batcher.submit({ id: 1, keys: ['a', 'b'] }),
      batcher.submit({ id: 2, keys: ['c'] }),
      batcher.submit({ id: 3, keys: ['b'] }),
      batcher.submit({ id: 4, keys: ['d'] }),
    ]);
    expect(batches).toEqual([[1, 2], [3, 4]]);
  });

  it('rejects every item of a batch whose call throws, and drains', async () => {
    const batcher = new AppendBatcher<number, number>(
      async () => {
        throw new Error('down');
      },
      { maxItems: 10, maxWeight: 10, weight: () => 1, maxInFlight: 1 },
    );
    const results = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    await expect(batcher.drain()).resolves.toBeUndefined();
  });
});
