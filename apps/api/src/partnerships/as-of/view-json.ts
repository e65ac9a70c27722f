/**
 * The JSON of a partnership view as UTF-8, byte for byte what `JSON.stringify` gives, reusing the
 * encoding of the parts an asOf answer shares with its snapshot base.
 *
 * A large partnership's state is megabytes of JSON, and serialising it (stringify, then UTF-8) was
 * the largest cost of an asOf answer. An answer folded from a stored snapshot shares most of its
 * objects with that snapshot: the folder copies only what the folded events touch. Snapshot states
 * go through `freezeSnapshotState`, which deep-freezes them and marks the entries of their
 * collections (one workstream, one tool, one pilot…) as reusable. `encodeView` walks a view down to
 * those entries and keeps the bytes of each marked one in a WeakMap: the next answer from the same
 * base copies them instead of serialising them again. Everything else (what the fold built, the
 * display names) is serialised as usual, and the kept bytes go when their snapshot leaves the cache
 * and its objects are collected.
 */

/** Entries of frozen snapshot states → their JSON bytes, once encoded (null before). */
const reusable = new WeakMap<object, Buffer | null>();

/** Depth of a collection entry in a view: view (0) → state (1) → a collection (2) → an entry (3). */
const ENTRY_DEPTH = 3;

/**
 * Deep-freezes a snapshot state (a fold starts from it without changing it: the folder copies what
 * it did not build, and a change by mistake throws) and marks its collection entries as reusable.
 */
export function freezeSnapshotState<T>(state: T): T {
  deepFreeze(state);
  if (isRecord(state)) {
    for (const collection of Object.values(state)) {
      if (!isRecord(collection)) continue;
      for (const entry of Object.values(collection)) if (typeof entry === 'object' && entry !== null) reusable.set(entry, null);
    }
  }
  return state;
}

/** The JSON of a view (UTF-8), equal to `Buffer.from(JSON.stringify(view))`. */
export function encodeView(view: object): Buffer {
  const out = new ByteWriter();
  if (!write(out, view, 0)) out.text('null');
  return out.bytes();
}

/** Writes `value`'s JSON; false when JSON leaves it out (undefined, a function, a symbol). */
function write(out: ByteWriter, value: unknown, depth: number): boolean {
  if (typeof value === 'object' && value !== null) {
    if (depth === ENTRY_DEPTH && reusable.has(value)) {
      out.buffer(keptBytes(value));
      return true;
    }
    if (depth < ENTRY_DEPTH && isRecord(value)) {
      out.text('{');
      let first = true;
      for (const key of Object.keys(value)) {
        const mark = out.length;
        out.text(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
        if (write(out, value[key], depth + 1)) first = false;
        else out.truncate(mark);
      }
      out.text('}');
      return true;
    }
  }
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return false;
  out.text(json);
  return true;
}

function keptBytes(entry: object): Buffer {
  let bytes = reusable.get(entry);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(entry));
    reusable.set(entry, bytes);
  }
  return bytes;
}

/** A plain object that JSON writes key by key (not an array, no `toJSON`). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
}

/** A growing byte buffer. */
class ByteWriter {
  private data = Buffer.allocUnsafe(64 * 1024);
  length = 0;

  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(s.length * 3);
    this.length += this.data.write(s, this.length, 'utf8');
  }

  buffer(b: Buffer): void {
    this.reserve(b.length);
    this.data.set(b, this.length);
    this.length += b.length;
  }

  truncate(length: number): void {
    this.length = length;
  }

  bytes(): Buffer {
    return this.data.subarray(0, this.length);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.length + n));
    this.data.copy(grown, 0, 0, this.length);
    this.data = grown;
  }
}
