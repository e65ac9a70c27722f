/** OpenAPI schemas and texts of the feeds (inline: the routes' decorators carry them). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SSE_RETRY_MS } from './sse-writer';

const position: SchemaObject = { type: 'string', pattern: '^\\d+$', description: 'Decimal string (may exceed 2^53)' };

export const FEED_PAGE_EXAMPLE = {
  events: [
    {
      eventId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      type: 'PartnershipProposed',
      schemaVersion: 1,
      streamId: 'partnership-0193a1b2-0000-7000-8000-000000000001',
      revision: '0',
      position: '41',
      data: { partnershipId: '0193a1b2-0000-7000-8000-000000000001', name: 'Riverside Attendance Partnership', initiationMode: 'agency', focus: 'Chronic absence' },
      metadata: {
        partnershipId: '0193a1b2-0000-7000-8000-000000000001',
        occurredAt: '2024-08-20T15:00:00.000Z',
        recordedAt: '2026-01-05T10:00:00.000Z',
        recordedBy: { apiKeyId: 'key-1' },
        correlationId: '0193a1b2-aaaa-7000-8000-000000000009',
        causationId: '0193a1b2-aaaa-7000-8000-000000000009',
        prevHash: '0'.repeat(64),
        hash: '5d0c…',
      },
    },
  ],
  next: '41',
  checkpoint: '41',
  head: '1250',
};

export const FEED_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['events', 'next', 'checkpoint', 'head'],
  properties: {
    events: { type: 'array', items: { $ref: '#/components/schemas/Event' }, description: 'In position order' },
    next: { ...position, nullable: true, description: 'Pass as `after` for the next page; null when this page reached the end of the log' },
    checkpoint: { ...position, description: 'The position this page read through (its last scanned event, else `after`); poll later with `after=<checkpoint>` once `next` is null' },
    head: { ...position, description: 'The last position of the log when the page was read' },
  },
  example: FEED_PAGE_EXAMPLE,
};

export const SSE_STREAM_DESCRIPTION =
  'Every event of the log after the resume position, then every new one as it is appended, as Server-Sent Events ' +
  '(`text/event-stream`): `id:` is the event\'s position, `event:` its type and `data:` its envelope as JSON (the same ' +
  'object as in `GET /events`). On reconnection send `Last-Event-ID` (browsers\' EventSource does it by itself): the ' +
  'stream resumes exactly after that event, with nothing lost and nothing repeated; it wins over `after`. Without ' +
  'either, the stream starts at the beginning of the log. Comments (`: heartbeat`) are sent periodically ' +
  '(SSE_HEARTBEAT_MS) to keep proxies from closing an idle connection; `retry:` suggests reconnecting after ' +
  `${SSE_RETRY_MS} ms. Filters as for \`GET /events\`. The server ends the stream when it shuts down or loses its ` +
  'store; reconnect with Last-Event-ID.';
