/**
 * The embedded store on disk (the default deployment: files under DATA_DIR) keeps its log across a
 * restart, hash chain and head cache included. Opening PGlite takes seconds, so this is one test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { verifyChain } from '../core/hash-chain';
import { createEmbeddedEventStore } from './embedded.event-store';

describe('embedded event store in a data directory', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-embedded-'));
  const event = (i: number) => ({ eventId: uuidv7(), type: 'Persisted', schemaVersion: 1, data: { i }, metadata: {} });

  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('keeps the log across close and reopen, and appends continue the chain', async () => {
    const first = await createEmbeddedEventStore({ dataDir });
    const written = await first.append('persisted-1', [event(0), event(1)], { expectedRevision: 'no_stream' });
    await first.close();

    const reopened = await createEmbeddedEventStore({ dataDir });
    try {
      expect(await reopened.headPosition()).toBe(written.events[1]!.position);
      // A fresh process has no cached head hash: the exact append must fetch it from disk.
      const next = await reopened.append('persisted-1', [event(2)], { expectedRevision: 1n });
      expect(next.events[0]!.revision).toBe(2n);
      const stored = [];
      for await (const e of reopened.readStream('persisted-1', { raw: true })) stored.push(e);
      expect(stored.map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
      expect(await verifyChain(stored)).toMatchObject({ valid: true, checkedEvents: 3 });
    } finally {
      await reopened.close();
    }
  }, 60_000);
});
