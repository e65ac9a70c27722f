/**
 * The published JSON Schemas of every event type and version (DESIGN.md §6 "Catalog"), loaded from
 * the committed file that `npm run catalog:generate` writes from the domain's TypeScript types. A
 * unit test fails when that file is stale, so what is served is what the code emits.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import generated from './event-schemas.generated.json';
import { cloudEventType } from '../webhooks/cloud-event';

export type JsonSchema = { [keyword: string]: unknown };

/** The committed file: event type → schema version (as a string key) → the schema of `data`. */
export interface EventSchemasFile {
  readonly $comment: string;
  /** The TypeScript type the schemas come from. */
  readonly source: string;
  readonly events: Readonly<Record<string, Readonly<Record<string, JsonSchema>>>>;
}

/** The dialect of every published schema (ts-json-schema-generator's; AsyncAPI 3.0's default too). */
export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

export const EVENT_SCHEMAS: EventSchemasFile = generated as EventSchemasFile;

export interface EventCatalogEntry {
  /** The event type as stored and in the feed (`PartnershipProposed`). */
  readonly type: string;
  /** The schema version new events are written with; readers see only this shape (upcasting). */
  readonly latestVersion: number;
  /** Every published version, ascending. */
  readonly versions: readonly number[];
  /** From the type's doc comment, when it has one. */
  readonly description?: string;
}

/** Every event type, in the domain's order, with its versions. */
export const EVENT_CATALOG: readonly EventCatalogEntry[] = Object.entries(EVENT_SCHEMAS.events).map(([type, byVersion]) => {
  const versions = Object.keys(byVersion)
    .map(Number)
    .sort((a, b) => a - b);
  const latestVersion = versions[versions.length - 1]!;
  const description = byVersion[String(latestVersion)]?.['description'];
  return { type, latestVersion, versions, ...(typeof description === 'string' ? { description } : {}) };
});

const BY_TYPE = new Map(EVENT_CATALOG.map((entry) => [entry.type, entry]));

export const findEventType = (type: string): EventCatalogEntry | undefined => BY_TYPE.get(type);

/**
 * The CloudEvents `type` of an event type at a schema version, as webhooks send it:
 * `trellis.<EventType>.v<schemaVersion>` (DESIGN.md §6).
 */
export const eventTypeName = (type: string, schemaVersion: number): string => cloudEventType(type, schemaVersion);

/** A stable identifier of one published schema. */
export const eventSchemaId = (type: string, schemaVersion: number): string => `urn:trellis:event-schema:${type}:v${schemaVersion}`;

/** What `GET /events/schemas/:type` answers. */
export interface EventSchemaDocument {
  readonly type: string;
  readonly schemaVersion: number;
  readonly latestSchemaVersion: number;
  readonly versions: readonly number[];
  /** The CloudEvents `type` webhooks carry for this version. */
  readonly cloudEventType: string;
  /** A standalone JSON Schema (draft-07) of the event's `data` at this version. */
  readonly schema: JsonSchema;
}

/** The schema document of `type` at `version` (default: the latest); undefined when unknown. */
export function eventSchemaDocument(type: string, version?: number): EventSchemaDocument | undefined {
  const entry = BY_TYPE.get(type);
  if (!entry) return undefined;
  const schemaVersion = version ?? entry.latestVersion;
  const data = EVENT_SCHEMAS.events[type]?.[String(schemaVersion)];
  if (!data) return undefined;
  return {
    type,
    schemaVersion,
    latestSchemaVersion: entry.latestVersion,
    versions: entry.versions,
    cloudEventType: eventTypeName(type, schemaVersion),
    schema: standaloneSchema(type, schemaVersion, data),
  };
}

/** The schema of `data` with its dialect, id and title: usable as is by any draft-07 validator. */
export function standaloneSchema(type: string, schemaVersion: number, data: JsonSchema): JsonSchema {
  return { $schema: JSON_SCHEMA_DIALECT, $id: eventSchemaId(type, schemaVersion), title: `${type} v${schemaVersion}`, ...data };
}

/** A strong validator for ETags: the hash of the canonical JSON. */
export const catalogContentHash = (value: unknown): string =>
  createHash('sha256')
    .update(canonicalize(value) ?? '')
    .digest('base64url')
    .slice(0, 27);
