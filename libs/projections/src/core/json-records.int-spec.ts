/**
 * Chunked set-based writes against PostgreSQL: every record arrives once, whatever the chunking
 * (text with non-ASCII characters, nested documents into jsonb), in statements of about the size
 * asked for, inside the caller's transaction.
 */
import type { SqlExecutor } from '@trellis/event-store';
import { createTestSchema, type TestSchema } from '../testing';
import { writeJsonRecords } from './json-records';

interface Item {
  readonly key: string;
  readonly name: string;
  readonly doc: { readonly n: number; readonly tags: readonly string[] };
}

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('jr');
});
afterAll(async () => db?.drop());

const records = (n: number, from = 0): Item[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${String(from + i).padStart(5, '0')}`, name: `Valley–WestLab ${from + i} é`, doc: { n: from + i, tags: ['a', `t${i % 3}`] } }));

/** The real transaction's executor, counting the statements and the longest parameter. */
function counting(tx: SqlExecutor): SqlExecutor & { statements: number; longest: number } {
  const counted = {
    statements: 0,
    longest: 0,
    query: ((text: string, params?: unknown[]) => {
      counted.statements += 1;
      counted.longest = Math.max(counted.longest, ...(params ?? []).map((p) => (typeof p === 'string' ? p.length : 0)));
      return tx.query(text, params);
    }) as SqlExecutor['query'],
  };
  return counted;
}

async function table(): Promise<string> {
  const t = `${db.schema}.t_${Math.random().toString(36).slice(2, 8)}`;
  await db.sql.query(`CREATE TABLE ${t} (key text PRIMARY KEY, name text NOT NULL, doc jsonb NOT NULL)`);
  return t;
}

const insert = (t: string) =>
  `INSERT INTO ${t} (key, name, doc) SELECT key, name, doc FROM jsonb_to_recordset($1::jsonb) AS r(key text, name text, doc jsonb)
   ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, doc = EXCLUDED.doc`;

it('writes every record once, in statements of about the size asked for', async () => {
  const t = await table();
  const all = records(500);
  const size = JSON.stringify(all).length;
  let statements = 0;
  let longest = 0;
  await db.sql.transaction(async (tx) => {
    const sql = counting(tx);
    await writeJsonRecords(sql, insert(t), all, 4_000);
    ({ statements, longest } = sql);
  });
  expect(statements).toBeGreaterThanOrEqual(Math.floor(size / 4_000));
  expect(longest).toBeLessThan(4_000 * 1.5);
  const { rows } = await db.sql.query<{ key: string; name: string; doc: Item['doc'] }>(`SELECT key, name, doc FROM ${t} ORDER BY key`);
  expect(rows).toEqual(all.map((r) => ({ key: r.key, name: r.name, doc: r.doc })));
});

it('sends everything in one statement when it fits, and nothing for no records', async () => {
  const t = await table();
  let statements: number[] = [];
  await db.sql.transaction(async (tx) => {
    const none = counting(tx);
    await writeJsonRecords(none, insert(t), []);
    const few = counting(tx);
    await writeJsonRecords(few, insert(t), records(20));
    statements = [none.statements, few.statements];
  });
  expect(statements).toEqual([0, 1]);
  expect((await db.sql.query(`SELECT 1 FROM ${t}`)).rows).toHaveLength(20);
});

it('sends a record larger than the chunk size in a statement of its own, then sizes chunks by what it saw', async () => {
  const t = await table();
  const big = { key: 'big', name: 'x'.repeat(10_000), doc: { n: 0, tags: [] } };
  let statements = 0;
  let longest = 0;
  await db.sql.transaction(async (tx) => {
    const sql = counting(tx);
    await writeJsonRecords(sql, insert(t), [big, ...records(40)], 1_000);
    ({ statements, longest } = sql);
  });
  expect(statements).toBeGreaterThan(1);
  expect(longest).toBeLessThan(JSON.stringify([big]).length + 200);
  const { rows } = await db.sql.query<{ key: string }>(`SELECT key FROM ${t} ORDER BY key`);
  expect(rows.map((r) => r.key)).toEqual(['big', ...records(40).map((r) => r.key)]);
});

it('commits with the transaction, or not at all', async () => {
  const t = await table();
  await expect(
    db.sql.transaction(async (tx) => {
      await writeJsonRecords(tx, insert(t), records(200), 2_000);
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  expect((await db.sql.query(`SELECT 1 FROM ${t}`)).rows).toHaveLength(0);
});
