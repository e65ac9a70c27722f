/**
 * Set-based writes of many records through `json(b)_to_recordset($1)`, in chunks of about a given size.
 *
 * One JSON text for a whole batch runs to megabytes (the audit timeline's rows of 10,000 events:
 * ~6 million characters, and V8 stores a string at two bytes a character as soon as one name in it
 * has an accent or a dash). Such a string stays alive while PostgreSQL inserts it, so it survives
 * the young generation's collections and lands in the old one, and V8 lets the old generation grow
 * to about four times what was alive at its last full collection before collecting it again: every
 * megabyte held across a write costs several of peak memory during a rebuild. Serialized a chunk at
 * a time, just before its statement, at most one chunk per writer is alive; the extra statements
 * cost little next to the rows they insert.
 */
import type { SqlExecutor } from '@trellis/event-store';

/** Characters of JSON per statement (at most ~2 MB as a string), unless the caller says otherwise. */
export const JSON_RECORDS_CHUNK_CHARS = 1_000_000;

/**
 * Runs `text` once per chunk of `records`, with `$1` the chunk as a JSON array of about `maxChars`
 * characters. The statements run in order on `sql`: inside a transaction they commit together.
 * Records must be JSON-serializable objects (bigints as strings).
 *
 * A chunk is a slice serialized by ONE `JSON.stringify` (a call per record and a join cost twice the
 * time), so its size is an estimate: its length in records follows the average size of the records
 * serialized so far (of the first one for the first chunk).
 */
export async function writeJsonRecords(
  sql: SqlExecutor,
  text: string,
  records: readonly object[],
  maxChars: number = JSON_RECORDS_CHUNK_CHARS,
): Promise<void> {
  if (records.length === 0) return;
  let count = Math.max(1, Math.floor(maxChars / JSON.stringify(records[0]).length));
  let chars = 0;
  let done = 0;
  while (done < records.length) {
    const chunk = JSON.stringify(done === 0 && count >= records.length ? records : records.slice(done, done + count));
    done += Math.min(count, records.length - done);
    chars += chunk.length;
    await sql.query(text, [chunk]);
    count = Math.max(1, Math.floor(maxChars / (chars / done)));
  }
}
