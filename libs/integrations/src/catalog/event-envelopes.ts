/**
 * JSON Schemas (draft-07) of what carries an event's `data` to integrators: the stored envelope that
 * the feed and the live stream serve (DESIGN.md §3) and the CloudEvents 1.0 structured body and
 * Standard Webhooks headers of a webhook (DESIGN.md §6). Written by hand because their TypeScript
 * types leave `metadata` open; the catalog tests hold them to real envelopes and real webhook bodies.
 */
import type { JsonSchema } from './event-schemas';

/** CloudEvents JSON format §3: the content type of a structured-mode event. */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';
/** Width of the zero-padded `sequence` webhooks send (20 digits hold every unsigned 64-bit position). */
const SEQUENCE_DIGITS = 20;

/** Revisions and positions may exceed 2^53: decimal strings on the wire. */
const decimal = (description: string): JsonSchema => ({ type: 'string', pattern: '^(0|[1-9][0-9]*)$', description });
const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
const sha256Hex = (description: string): JsonSchema => ({ type: 'string', pattern: '^[0-9a-f]{64}$', description });

export const EVENT_METADATA_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'The envelope metadata of a stored event. Further members may be added; ignore the ones you do not know.',
  required: ['occurredAt', 'recordedAt', 'recordedBy', 'correlationId', 'causationId', 'prevHash', 'hash'],
  properties: {
    partnershipId: { type: 'string', description: 'The partnership the event belongs to (absent on the `compliance` stream)' },
    workstreamId: { type: 'string', description: 'The workstream, for events about one' },
    occurredAt: { ...dateTime, description: 'When it happened in the world (back-dated facts: earlier than recordedAt)' },
    recordedAt: { ...dateTime, description: 'When Trellis recorded it' },
    recordedBy: {
      type: 'object',
      required: ['apiKeyId'],
      properties: {
        apiKeyId: { type: 'string' },
        participantId: { type: 'string', description: 'Pseudonymous participant id' },
        organizationId: { type: 'string' },
      },
    },
    correlationId: { type: 'string', description: 'The request that caused it' },
    causationId: { type: 'string', description: 'The command that caused it' },
    corrects: { type: 'string', description: 'The eventId of an earlier event this one corrects' },
    prevHash: sha256Hex('Hash of the previous event of the stream (64 zeros at revision 0)'),
    hash: sha256Hex('sha256(prevHash + RFC 8785 JSON of {eventId, type, schemaVersion, data, metadata without hash})'),
  },
};

/** An event as every read serves it: `{eventId, type, schemaVersion, streamId, revision, position, data, metadata}`. */
export const EVENT_ENVELOPE_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'A stored event with its envelope, as `GET /events`, `GET /events/stream` and the history serve it.',
  required: ['eventId', 'type', 'schemaVersion', 'streamId', 'revision', 'position', 'data', 'metadata'],
  additionalProperties: false,
  properties: {
    eventId: { type: 'string', format: 'uuid', description: 'UUIDv7; unique; the idempotency key' },
    type: { type: 'string', minLength: 1, description: 'The event type (see the messages for each)' },
    schemaVersion: { type: 'integer', minimum: 1, description: 'The shape of `data`; readers always get the latest' },
    streamId: {
      type: 'string',
      minLength: 1,
      description:
        '`partnership-<partnershipId>` (the partnership\'s facts), `reminders-<partnershipId>` (its `ReminderIssued` events) or ' +
        '`compliance` (`PersonalDataErased`)',
    },
    revision: decimal('Place in its stream, from 0'),
    position: decimal('Place in the global order ($all): the cursor of the feed and the `id:` of the live stream'),
    data: { type: 'object' },
    metadata: EVENT_METADATA_SCHEMA,
  },
};

/** The body of a webhook: a CloudEvents 1.0 event in structured JSON mode. */
export const CLOUD_EVENT_SCHEMA: JsonSchema = {
  type: 'object',
  description: `A CloudEvents 1.0 event in structured JSON mode (Content-Type: ${CLOUDEVENTS_JSON}).`,
  required: ['specversion', 'id', 'source', 'type', 'datacontenttype', 'sequence', 'data'],
  properties: {
    specversion: { type: 'string', const: '1.0' },
    id: { type: 'string', format: 'uuid', description: 'The eventId: the same in every retry and replay' },
    source: { type: 'string', format: 'uri-reference', minLength: 1, description: '`/partnerships/<partnershipId>`, or `/streams/compliance` for compliance events' },
    type: { type: 'string', pattern: '^trellis\\.[A-Za-z0-9_]+\\.v[1-9][0-9]*$', description: '`trellis.<EventType>.v<schemaVersion>`' },
    subject: { type: 'string', description: 'The partnershipId (absent for compliance events)' },
    time: { ...dateTime, description: 'metadata.recordedAt' },
    datacontenttype: { type: 'string', const: 'application/json' },
    sequence: {
      type: 'string',
      pattern: `^[0-9]{${SEQUENCE_DIGITS}}$`,
      description:
        `CloudEvents sequence extension: the event's position in $all, zero-padded to ${SEQUENCE_DIGITS} digits so that ` +
        'it orders as text; as a number it is the `after` cursor of `GET /events`',
    },
    data: { type: 'object' },
  },
};

/** Standard Webhooks headers sent with every webhook request. */
export const WEBHOOK_HEADERS_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature'],
  properties: {
    'content-type': { type: 'string', const: CLOUDEVENTS_JSON },
    'webhook-id': { type: 'string', description: 'The eventId: stable across retries, use it to de-duplicate' },
    'webhook-timestamp': { type: 'string', pattern: '^[0-9]+$', description: 'Unix seconds of this attempt; reject if more than 5 minutes off' },
    'webhook-signature': {
      type: 'string',
      pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$',
      description:
        '`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed with the base64-decoded part of the ' +
        '`whsec_` secret; during a secret rotation two signatures, space-separated (accept if any matches)',
    },
  },
};
