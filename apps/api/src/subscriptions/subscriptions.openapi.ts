/** OpenAPI schemas of `/subscriptions` responses. */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { DELIVERY_STATUSES } from '@trellis/integrations';

const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
const dateTime: SchemaObject = { type: 'string', format: 'date-time' };

export const SUBSCRIPTION_SCHEMA = {
  type: 'object',
  required: ['id', 'url', 'eventTypes', 'partnershipIds', 'description', 'status', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    ownerKeyId: { type: 'string', description: 'The API key that created it' },
    url: { type: 'string', format: 'uri' },
    eventTypes: nullable({ type: 'array', items: { type: 'string' }, description: 'null: every event type' }),
    partnershipIds: nullable({ type: 'array', items: { type: 'string', format: 'uuid' }, description: 'null: every partnership' }),
    description: nullable({ type: 'string' }),
    status: { type: 'string', enum: ['active', 'paused'] },
    pausedAt: nullable(dateTime),
    pausedReason: nullable({ type: 'string', description: 'Why it is paused (an automatic pause says since when it failed, and the last error)' }),
    pausedBy: nullable({ type: 'string', enum: ['api', 'auto'] }),
    startPosition: nullable({ type: 'string', description: 'Events after this position are delivered (null until the dispatcher has seen the subscription)' }),
    secretRotatedAt: nullable(dateTime),
    previousSecretExpiresAt: nullable({ ...dateTime, description: 'Until then every delivery also carries the signature of the previous secret' }),
    failingSince: nullable({ ...dateTime, description: 'Deliveries have failed without a success since then' }),
    lastSuccessAt: nullable(dateTime),
    lastFailureAt: nullable(dateTime),
    lastError: nullable({ type: 'string' }),
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as SchemaObject;

export const CREATED_SUBSCRIPTION_SCHEMA = {
  allOf: [
    SUBSCRIPTION_SCHEMA,
    {
      type: 'object',
      required: ['secret'],
      properties: { secret: { type: 'string', pattern: '^whsec_', description: 'The signing secret: shown only here, store it now' } },
    },
  ],
} as SchemaObject;

export const SUBSCRIPTION_PAGE_SCHEMA = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: SUBSCRIPTION_SCHEMA },
    nextCursor: nullable({ type: 'string', description: 'Pass as `cursor` for the next page; null on the last page' }),
  },
} as SchemaObject;

export const ROTATED_SECRET_SCHEMA = {
  type: 'object',
  required: ['secret'],
  properties: {
    secret: { type: 'string', pattern: '^whsec_', description: 'The new signing secret: shown only here' },
    previousSecretExpiresAt: nullable({ ...dateTime, description: 'The previous secret keeps signing (second signature) until then' }),
  },
} as SchemaObject;

export const REPLAY_ACCEPTED_SCHEMA = {
  type: 'object',
  required: ['subscriptionId', 'replayGeneration', 'fromPosition', 'jobId'],
  properties: {
    subscriptionId: { type: 'string', format: 'uuid' },
    replayGeneration: { type: 'integer', description: 'The n-th replay of this subscription (`generation` of its deliveries)' },
    fromPosition: { type: 'string' },
    jobId: { type: 'string' },
  },
} as SchemaObject;

export const REDRIVE_SCHEMA = {
  type: 'object',
  required: ['redriven'],
  properties: { redriven: { type: 'integer', description: 'Dead-lettered deliveries put back in their lanes' } },
} as SchemaObject;

export const DELIVERY_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    subscriptionId: { type: 'string', format: 'uuid' },
    eventId: { type: 'string', description: 'Also the webhook-id header' },
    eventType: { type: 'string' },
    position: { type: 'string' },
    partnershipId: nullable({ type: 'string' }),
    generation: { type: 'integer', description: '0: live; n: the n-th replay' },
    status: { type: 'string', enum: [...DELIVERY_STATUSES] },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          attempt: { type: 'integer' },
          attemptedAt: dateTime,
          statusCode: nullable({ type: 'integer' }),
          latencyMs: { type: 'integer' },
          error: nullable({ type: 'string' }),
        },
      },
    },
    redrives: { type: 'integer' },
    createdAt: dateTime,
    deliveredAt: nullable(dateTime),
    deadLetteredAt: nullable(dateTime),
    lastStatusCode: nullable({ type: 'integer' }),
    lastError: nullable({ type: 'string' }),
  },
} as SchemaObject;

export const DELIVERY_PAGE_SCHEMA = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: DELIVERY_SCHEMA }, nextCursor: nullable({ type: 'string' }) },
} as SchemaObject;
