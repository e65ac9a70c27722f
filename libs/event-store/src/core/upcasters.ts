/**
 * Schema versioning at the store boundary: events are never edited; a changed shape gets a new
 * `schemaVersion` and an upcaster `(type, fromVersion) → fromVersion + 1`. Readers see only the
 * latest shape; raw reads (hash verification, audit export) see what was stored.
 */
import type { JsonObject, RecordedEvent } from './event-store.port';

export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  /** Returns the data in the shape of `fromVersion + 1`. Must be pure. */
  upcast(data: JsonObject, metadata: JsonObject): JsonObject;
}

export class UpcasterRegistry {
  private readonly byKey = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const u of upcasters) this.register(u);
  }

  register(upcaster: Upcaster): this {
    const key = `${upcaster.type}@${upcaster.fromVersion}`;
    if (this.byKey.has(key)) throw new Error(`Duplicate upcaster for ${key}`);
    this.byKey.set(key, upcaster);
    return this;
  }

  get isEmpty(): boolean {
    return this.byKey.size === 0;
  }

  /** Applies the chain of upcasters until no further one exists for the event's type and version. */
  upcast<E extends RecordedEvent>(event: E): E {
    if (this.byKey.size === 0) return event;
    let { data, schemaVersion } = event;
    for (let u = this.byKey.get(`${event.type}@${schemaVersion}`); u; u = this.byKey.get(`${event.type}@${schemaVersion}`)) {
      data = u.upcast(data, event.metadata);
      schemaVersion += 1;
    }
    return schemaVersion === event.schemaVersion ? event : { ...event, data, schemaVersion };
  }
}
