// The event catalog (DESIGN.md §6): the published JSON Schemas of every event type and version, the
// envelope and webhook schemas, and the AsyncAPI 3.0 document built from them.
export {
  EVENT_CATALOG,
  EVENT_SCHEMAS,
  JSON_SCHEMA_DIALECT,
  catalogContentHash,
  eventSchemaDocument,
  eventSchemaId,
  eventTypeName,
  findEventType,
  standaloneSchema,
  type EventCatalogEntry,
  type EventSchemaDocument,
  type EventSchemasFile,
  type JsonSchema,
} from './event-schemas';
export { CLOUD_EVENT_SCHEMA, EVENT_ENVELOPE_SCHEMA, EVENT_METADATA_SCHEMA, WEBHOOK_HEADERS_SCHEMA } from './event-envelopes';
export { ASYNCAPI_VERSION, EVENT_CATALOG_ASYNCAPI, buildAsyncApiDocument, payloadSchemaName, type AsyncApiDocument } from './asyncapi';
