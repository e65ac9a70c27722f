import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('answers every caller with its own result, batching what arrives together', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      batches.push([...items]);
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('runs one flush at a time; what arrives meanwhile goes into the next one', async () => {
    let running = 0;
    let maxRunning = 0;
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new MicroBatcher<number, number>(async (items) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      batches.push([...items]);
      if (batches.length === 1) await gate;
      running--;
      return items;
    });
    const first = batcher.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([[1]]);
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(maxRunning).toBe(1);
  });

  it('splits at maxItems', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      sizes.push(items.length);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('rejects every item of a failed flush and keeps working', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(async (items) => {
      if (fail) throw new Error('database down');
      return items;
    });
    const failed = [1, 2].map((n) => batcher.submit(n).catch((e: Error) => e.message));
    expect(await Promise.all(failed)).toEqual(['database down', 'database down']);
    fail = false;
    await expect(batcher.submit(3)).resolves.toBe(3);
  });

  it('refuses a run that answers a different number of results', async () => {
    const batcher = new MicroBatcher<number, number>(async () => []);
    await expect(batcher.submit(1)).rejects.toThrow(/a batch of 1 gave 0 results/);
  });
});
