/**
 * Upcasters for partnership events, applied at the store boundary so the domain only ever sees the
 * latest shape (STYLE.md §3). When an event's shape changes, bump its entry in
 * PARTNERSHIP_EVENT_SCHEMA_VERSIONS and add an upcaster from the previous version here.
 *
 * The type is structural on purpose: it matches libs/event-store's `Upcaster` without importing it
 * (libs/domain depends on nothing).
 */
export type UpcasterJson = string | number | boolean | null | UpcasterJson[] | { [key: string]: UpcasterJson };
export type UpcasterJsonObject = { [key: string]: UpcasterJson };

export interface PartnershipUpcaster {
  /** The event type this upcaster applies to. */
  readonly type: string;
  /** The schema version it reads; it returns the data in the shape of `fromVersion + 1`. */
  readonly fromVersion: number;
  /** Must be pure. */
  upcast(data: UpcasterJsonObject, metadata: UpcasterJsonObject): UpcasterJsonObject;
}

/** Every event type is at schema version 1: nothing to upcast yet. */
export const PARTNERSHIP_UPCASTERS: readonly PartnershipUpcaster[] = [];
