/** OpenAPI response schemas of `GET /events/catalog` and `GET /events/schemas/:type`. */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EVENT_CATALOG, eventSchemaDocument } from '@trellis/integrations';

/** The AsyncAPI document is described, not restated: it is its own specification. */
export const ASYNCAPI_DOCUMENT_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'An AsyncAPI 3.0.0 document (https://www.asyncapi.com/docs/reference/specification/v3.0.0)',
  required: ['asyncapi', 'info', 'channels', 'operations', 'components'],
  properties: {
    asyncapi: { type: 'string', enum: ['3.0.0'] },
    info: {
      type: 'object',
      properties: {
        title: { type: 'string' },
        version: { type: 'string', description: 'Changes whenever a schema is added or changed' },
        description: { type: 'string' },
      },
    },
    defaultContentType: { type: 'string' },
    channels: {
      type: 'object',
      description: '`webhook` (CloudEvents bodies POSTed to subscriptions), `eventFeed` (`GET /events`) and `eventStream` (`GET /events/stream`)',
    },
    operations: { type: 'object', description: '`deliverWebhook`, `pageEvents`, `streamEvents` (all `send`: Trellis is the sender)' },
    components: {
      type: 'object',
      properties: {
        schemas: {
          type: 'object',
          description: '`<EventType>.v<N>` (the data of every published version), `EventEnvelope`, `CloudEvent`, `WebhookHeaders`',
        },
        messages: { type: 'object', description: '`<EventType>.v<N>.cloudevent` (webhooks) and `<EventType>.v<N>.envelope` (feed and stream)' },
      },
    },
  },
};

const example = eventSchemaDocument('ProblemOfPracticeReframed');

export const EVENT_SCHEMA_DOCUMENT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['type', 'schemaVersion', 'latestSchemaVersion', 'versions', 'cloudEventType', 'schema'],
  properties: {
    type: { type: 'string', enum: EVENT_CATALOG.map((e) => e.type) },
    schemaVersion: { type: 'integer', minimum: 1, description: 'The version this schema describes' },
    latestSchemaVersion: { type: 'integer', minimum: 1, description: 'The version events are delivered in (older ones are upcast)' },
    versions: { type: 'array', items: { type: 'integer' }, description: 'Every published version, ascending' },
    cloudEventType: { type: 'string', description: 'The CloudEvents `type` of webhooks at this version: `trellis.<EventType>.v<schemaVersion>`' },
    schema: { type: 'object', description: 'A standalone JSON Schema (draft-07) of the event\'s `data`' },
  },
  ...(example ? { example } : {}),
};
