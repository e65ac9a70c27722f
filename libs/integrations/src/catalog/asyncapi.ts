/**
 * `GET /events/catalog`: an AsyncAPI 3.0 document of everything Trellis sends integrators
 * (DESIGN.md §6) — webhooks (CloudEvents bodies, Standard Webhooks headers), the JSON feed and the
 * live stream (stored envelopes) — with one message per event type at the version readers receive,
 * and the payload schema of every published version under components.schemas.
 */
import { PARTNERSHIP_STREAM_PREFIX } from '@trellis/domain';
import { REMINDER_EVENT_TYPES, REMINDERS_STREAM_PREFIX } from '@trellis/reminders';
import { COMPLIANCE_EVENT_TYPES, COMPLIANCE_STREAM_ID } from '@trellis/platform';
import { CLOUD_EVENT_SCHEMA, CLOUDEVENTS_JSON, EVENT_ENVELOPE_SCHEMA, WEBHOOK_HEADERS_SCHEMA } from './event-envelopes';
import { catalogContentHash, EVENT_CATALOG, EVENT_SCHEMAS, eventTypeName, type JsonSchema } from './event-schemas';

export const ASYNCAPI_VERSION = '3.0.0';

/** components.schemas key of the data schema of `type` at `version`: `PartnershipProposed.v1`. */
export const payloadSchemaName = (type: string, version: number): string => `${type}.v${version}`;
const cloudEventMessageName = (type: string, version: number): string => `${type}.v${version}.cloudevent`;
const envelopeMessageName = (type: string, version: number): string => `${type}.v${version}.envelope`;
const ref = (pointer: string): { $ref: string } => ({ $ref: pointer });

const REMINDER_TYPES: ReadonlySet<string> = new Set(REMINDER_EVENT_TYPES);
const COMPLIANCE_TYPES: ReadonlySet<string> = new Set(COMPLIANCE_EVENT_TYPES);
/** The stream an event type is appended to: `reminders-<partnershipId>` for reminder events, else the partnership's. */
export const streamPrefixOf = (type: string): string => (REMINDER_TYPES.has(type) ? REMINDERS_STREAM_PREFIX : PARTNERSHIP_STREAM_PREFIX);
/**
 * Events of a partnership (its own stream or its reminders) carry `metadata.partnershipId` and are
 * sent from `/partnerships/<id>` with it as subject; the compliance stream's events belong to no
 * partnership: they come from `/streams/compliance`, with no subject.
 */
export const isPartnershipEventType = (type: string): boolean => !COMPLIANCE_TYPES.has(type);
/** The `streamId` pattern of an event type's envelope. */
const streamPattern = (type: string): string => (COMPLIANCE_TYPES.has(type) ? `^${COMPLIANCE_STREAM_ID}$` : `^${streamPrefixOf(type)}`);

export interface AsyncApiChannel {
  readonly address: string | null;
  readonly title: string;
  readonly description: string;
  readonly messages: Record<string, { $ref: string }>;
}

export interface AsyncApiOperation {
  readonly action: 'send' | 'receive';
  readonly channel: { $ref: string };
  readonly title: string;
  readonly description?: string;
  readonly bindings?: JsonSchema;
}

export interface AsyncApiDocument {
  readonly asyncapi: string;
  readonly info: { title: string; version: string; description: string };
  readonly defaultContentType: string;
  readonly channels: Record<string, AsyncApiChannel>;
  readonly operations: Record<string, AsyncApiOperation>;
  readonly components: { schemas: Record<string, JsonSchema>; messages: Record<string, JsonSchema> };
}

export function buildAsyncApiDocument(): AsyncApiDocument {
  const schemas: Record<string, JsonSchema> = {
    EventEnvelope: EVENT_ENVELOPE_SCHEMA,
    CloudEvent: CLOUD_EVENT_SCHEMA,
    WebhookHeaders: WEBHOOK_HEADERS_SCHEMA,
  };
  const messages: Record<string, JsonSchema> = {};
  const webhookMessages: Record<string, { $ref: string }> = {};
  const envelopeMessages: Record<string, { $ref: string }> = {};

  for (const entry of EVENT_CATALOG) {
    for (const version of entry.versions) {
      const data = EVENT_SCHEMAS.events[entry.type]![String(version)]!;
      const superseded = version < entry.latestVersion;
      schemas[payloadSchemaName(entry.type, version)] = {
        ...data,
        title: `${entry.type} v${version}`,
        ...(superseded
          ? { description: `${describe(data)}Superseded: stored events of v${version} are upcast, so readers and webhooks receive v${entry.latestVersion}.`.trim() }
          : {}),
      };
    }
    const { type, latestVersion: v } = entry;
    const dataRef = ref(`#/components/schemas/${payloadSchemaName(type, v)}`);
    const common = {
      name: type,
      title: `${type} v${v}`,
      ...(entry.description ? { summary: entry.description } : {}),
      'x-trellis-event-type': type,
      'x-trellis-schema-version': v,
    };
    messages[cloudEventMessageName(type, v)] = {
      ...common,
      contentType: CLOUDEVENTS_JSON,
      headers: ref('#/components/schemas/WebhookHeaders'),
      payload: {
        allOf: [
          ref('#/components/schemas/CloudEvent'),
          isPartnershipEventType(type)
            ? {
                type: 'object',
                required: ['type', 'source', 'subject', 'data'],
                properties: {
                  type: { const: eventTypeName(type, v) },
                  source: { type: 'string', pattern: '^/partnerships/[^/]+$' },
                  data: dataRef,
                },
              }
            : {
                type: 'object',
                required: ['type', 'source', 'data'],
                not: { required: ['subject'] },
                properties: {
                  type: { const: eventTypeName(type, v) },
                  source: { const: `/streams/${COMPLIANCE_STREAM_ID}` },
                  data: dataRef,
                },
              },
        ],
      },
    };
    messages[envelopeMessageName(type, v)] = {
      ...common,
      contentType: 'application/json',
      payload: {
        allOf: [
          ref('#/components/schemas/EventEnvelope'),
          {
            type: 'object',
            properties: {
              type: { const: type },
              schemaVersion: { const: v },
              streamId: { type: 'string', pattern: streamPattern(type) },
              data: dataRef,
              metadata: isPartnershipEventType(type) ? { type: 'object', required: ['partnershipId'] } : { type: 'object', not: { required: ['partnershipId'] } },
            },
          },
        ],
      },
    };
    webhookMessages[payloadSchemaName(type, v)] = ref(`#/components/messages/${cloudEventMessageName(type, v)}`);
    envelopeMessages[payloadSchemaName(type, v)] = ref(`#/components/messages/${envelopeMessageName(type, v)}`);
  }

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Trellis partnership events',
      version: `catalog-${catalogContentHash(EVENT_SCHEMAS.events).slice(0, 12)}`,
      description: [
        'Every fact recorded about a research–practice partnership, as Trellis delivers it to integrators, and the ' +
          'compliance facts of the deployment: `PersonalDataErased` (stream `compliance`, CloudEvents source ' +
          '`/streams/compliance`, no subject) tells receivers to erase what they keep about a personId. Payloads carry ' +
          'ids, never names or e-mail addresses.',
        '',
        '* **Webhooks**: a subscription (`POST /subscriptions`) receives each matching event as a CloudEvents 1.0 ' +
          'structured JSON body (`type` = `trellis.<EventType>.v<schemaVersion>`), signed per Standard Webhooks, at ' +
          'least once and in order per partnership. De-duplicate by `webhook-id` (= `id` = eventId).',
        '* **Feed**: `GET /events?after=<position>` pages through the log as stored envelopes.',
        '* **Live stream**: `GET /events/stream` (Server-Sent Events; `id:` = position, `event:` = event type, ' +
          '`data:` = the envelope); reconnect with `Last-Event-ID` to resume exactly after it.',
        '',
        '`GET /events/schemas/{type}` serves the JSON Schema of one event type (`?version=` for older ones). ' +
          'Events are never edited or renamed; a changed shape gets a new schema version, and stored events of ' +
          'older versions are upcast, so every reader receives the latest version only.',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    channels: {
      webhook: {
        address: null,
        title: 'Webhook subscription',
        description: 'The URL of a subscription: Trellis POSTs one CloudEvent per request and expects a 2xx.',
        messages: webhookMessages,
      },
      eventFeed: {
        address: '/events',
        title: 'Event feed',
        description: 'Pages of stored envelopes in position order: `GET /events?after=<position>&limit=&types=&partnershipId=`.',
        messages: envelopeMessages,
      },
      eventStream: {
        address: '/events/stream',
        title: 'Live event stream',
        description: 'Server-Sent Events, one per stored event: `id: <position>`, `event: <type>`, `data: <envelope JSON>`; `:` heartbeats.',
        messages: envelopeMessages,
      },
    },
    operations: {
      deliverWebhook: {
        action: 'send',
        channel: ref('#/channels/webhook'),
        title: 'Deliver an event to a subscription',
        description:
          'Retried with exponential backoff and jitter on network errors, timeouts and non-2xx responses, then dead-lettered; ' +
          'the headers carry the Standard Webhooks id, timestamp and signature.',
        bindings: { http: { method: 'POST' } },
      },
      pageEvents: {
        action: 'send',
        channel: ref('#/channels/eventFeed'),
        title: 'Serve the event feed',
        bindings: { http: { method: 'GET' } },
      },
      streamEvents: {
        action: 'send',
        channel: ref('#/channels/eventStream'),
        title: 'Stream events as they are recorded',
        bindings: { http: { method: 'GET' } },
      },
    },
    components: { schemas, messages },
  };
}

function describe(schema: JsonSchema): string {
  return typeof schema['description'] === 'string' ? `${schema['description']} ` : '';
}

/** Built once: the catalog changes only with a deployment. */
export const EVENT_CATALOG_ASYNCAPI: AsyncApiDocument = buildAsyncApiDocument();
