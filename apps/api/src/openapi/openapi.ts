/**
 * The OpenAPI document (`/docs`, `/docs-json`). Routes and DTO schemas come from the decorators; this
 * adds what decorators cannot express: one request schema per command type (a `oneOf` discriminated by
 * `type`), the problem document, and the response shapes.
 */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PHASES, RULE_CODES, STREAM_COMMAND_TYPES } from '@trellis/domain';
import { API_PROBLEM_CODES } from '../http/problem';
import { RATE_LIMIT_EXEMPT_PATHS } from '../rate-limit/unauthenticated-rate-limit';
import { ACCESS_PROBLEM_CODES } from '../auth/access-problems';
import { PEOPLE_PROBLEM_CODES } from '../people/people.problems';
import { PEOPLE_ANNOTATION_SCHEMA } from '../people/people.openapi';
import { COMMAND_DTOS, ProposePartnershipDto } from '../partnerships/dto/command-dtos';
import { VALID_COMMAND_EXAMPLES } from '../partnerships/dto/command-examples';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Trellis')
    .setDescription(
      'Event-sourced engine for the lifecycle of research–practice partnerships in education. Every fact is an immutable ' +
        'event in a hash-chained log; commands are validated, decided by the partnership rules and appended with exact ' +
        'concurrency. Errors are application/problem+json with a stable `code`.\n\n' +
        'Extensions to the published contract are marked "(extension)": `occurredAt` on the proposal; `corrects` and ' +
        '`actorParticipantId` on commands; `recipientOrganizationId` on RecordDataReceived; the rule codes DUPLICATE_ID, ' +
        'ILLEGAL_STATUS_TRANSITION and OUT_OF_SEQUENCE; derived fields in event data; the Location, X-Correlation-Id and ' +
        'Idempotent-Replayed headers; for integrators: re-driving dead-lettered deliveries, the status/eventId filters and ' +
        'paging of the delivery log, the pause reason and delivery health of a subscription, previousSecretExpiresAt on ' +
        'rotation, 410 Gone pausing a subscription, the zero-padded CloudEvents `sequence`, `checkpoint`/`head` and the ' +
        '`partnershipId` filter of the feed and stream, and `?version=` / `Accept: application/schema+json` on event ' +
        'schemas. See docs/api.md and docs/integrators.md.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (trk_…)' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProposePartnershipDto, ...Object.values(COMMAND_DTOS)],
  });
  addSchemas(document);
  declareRateLimits(document);
  return document;
}

function addSchemas(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ??= {};
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

  const envelope = (type: string) => ({
    type: 'object',
    required: ['type', 'data'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', enum: [type] },
      data: ref(COMMAND_DTOS[type as keyof typeof COMMAND_DTOS].name),
      occurredAt: { type: 'string', format: 'date-time', description: 'When the fact happened (back-dating); never in the future. Default: now.' },
      corrects: { type: 'string', format: 'uuid', description: '(extension) eventId of an earlier event of this partnership that this fact corrects' },
      actorParticipantId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$', description: '(extension) the participant recording the fact; must be an active member' },
    },
    example: { type, data: VALID_COMMAND_EXAMPLES[type as keyof typeof VALID_COMMAND_EXAMPLES] },
  });
  for (const type of STREAM_COMMAND_TYPES) schemas[`${type}Command`] = envelope(type);
  schemas['PartnershipCommandRequest'] = {
    oneOf: STREAM_COMMAND_TYPES.map((t) => ref(`${t}Command`)),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(STREAM_COMMAND_TYPES.map((t) => [t, `#/components/schemas/${t}Command`])),
    },
  };
  schemas['ProposePartnershipRequest'] = {
    allOf: [
      ref(ProposePartnershipDto.name),
      { type: 'object', properties: { occurredAt: { type: 'string', format: 'date-time', description: '(extension) back-dates the proposal' } } },
    ],
    example: VALID_COMMAND_EXAMPLES['ProposePartnership' as keyof typeof VALID_COMMAND_EXAMPLES],
  };
  const revision = { type: 'string', pattern: '^\\d+$', description: 'Stream revision (from 0) as a decimal string' };
  schemas['ProposedPartnership'] = {
    type: 'object',
    required: ['partnershipId', 'revision'],
    properties: { partnershipId: { type: 'string', format: 'uuid' }, revision },
  };
  schemas['CommandResult'] = {
    type: 'object',
    required: ['partnershipId', 'revision', 'events'],
    properties: {
      partnershipId: { type: 'string', format: 'uuid' },
      revision,
      events: {
        type: 'array',
        items: { type: 'object', required: ['eventId', 'type', 'revision'], properties: { eventId: { type: 'string', format: 'uuid' }, type: { type: 'string' }, revision } },
      },
    },
  };
  schemas['Event'] = {
    type: 'object',
    description: 'A stored event with its envelope (DESIGN.md §3).',
    required: ['eventId', 'type', 'schemaVersion', 'streamId', 'revision', 'position', 'data', 'metadata'],
    properties: {
      eventId: { type: 'string', format: 'uuid', description: 'UUIDv7, the idempotency key' },
      type: { type: 'string' },
      schemaVersion: { type: 'integer', minimum: 1 },
      streamId: { type: 'string', example: 'partnership-0193…' },
      revision,
      position: { type: 'string', pattern: '^\\d+$', description: 'Place in the global order ($all) as a decimal string' },
      data: { type: 'object' },
      metadata: {
        type: 'object',
        properties: {
          partnershipId: { type: 'string' },
          workstreamId: { type: 'string' },
          occurredAt: { type: 'string', format: 'date-time' },
          recordedAt: { type: 'string', format: 'date-time' },
          recordedBy: { type: 'object', properties: { apiKeyId: { type: 'string' }, participantId: { type: 'string' }, organizationId: { type: 'string' } } },
          correlationId: { type: 'string' },
          causationId: { type: 'string' },
          corrects: { type: 'string' },
          prevHash: { type: 'string', description: 'hash of the previous event (64 zeros at revision 0)' },
          hash: { type: 'string', description: 'sha256(prevHash + RFC 8785 JSON of {eventId,type,schemaVersion,data,metadata without hash})' },
        },
      },
    },
  };
  schemas['HistoryPage'] = {
    type: 'object',
    properties: {
      partnershipId: { type: 'string', format: 'uuid' },
      events: { type: 'array', items: ref('Event') },
      nextAfterRevision: { ...revision, nullable: true, description: 'Pass as afterRevision for the next page; null at the end' },
      people: { ...PEOPLE_ANNOTATION_SCHEMA, description: `For the participants this page names: ${PEOPLE_ANNOTATION_SCHEMA.description}` },
    },
  };
  schemas['PartnershipView'] = {
    type: 'object',
    required: ['partnershipId', 'revision', 'state'],
    properties: {
      partnershipId: { type: 'string', format: 'uuid' },
      revision,
      state: {
        type: 'object',
        description:
          `The folded partnership: status, organizations, participants, agreements, DSAs, workstreams (phases: ${PHASES.join(', ')}), …. ` +
          'A participant linked to a person of the people vault also has `displayName`, resolved at read time: the name, or ' +
          '"erased participant (<roles joined by />, <organization type>)" after erasure.',
      },
      asOf: { type: 'string', format: 'date-time' },
      time: { type: 'string', enum: ['recorded', 'occurred'] },
      eventsApplied: { type: 'integer' },
    },
  };
  schemas['ChainVerification'] = {
    type: 'object',
    required: ['valid', 'checkedEvents', 'headHash'],
    properties: {
      valid: { type: 'boolean' },
      checkedEvents: { type: 'integer' },
      headHash: { type: 'string' },
      firstInvalidRevision: { ...revision, description: 'The first revision whose hash or link does not verify' },
      reason: { type: 'string' },
    },
  };
  const nullableString = { type: 'string', nullable: true };
  schemas['ProjectionStatus'] = {
    type: 'object',
    properties: {
      name: { type: 'string', example: 'partnership_summary' },
      codeVersion: { type: 'integer', description: 'version of the projection in the running code' },
      version: { type: 'integer', description: 'version that built the live generation' },
      generation: { type: 'integer' },
      status: { type: 'string', enum: ['running', 'idle', 'rebuilding', 'outdated', 'failing'] },
      checkpoint: { type: 'string', description: 'last $all position processed' },
      head: { type: 'string', description: 'last $all position in the log' },
      lag: { type: 'string', description: 'head − checkpoint' },
      lastBatchLagMs: { type: 'integer', nullable: true, description: 'ms from the last applied event being recorded to being visible' },
      lastAppliedAt: nullableString,
      eventsApplied: { type: 'string' },
      leaseOwner: { ...nullableString, description: 'the worker running it' },
      leaseExpiresAt: nullableString,
      lastError: nullableString,
      rebuild: {
        type: 'object',
        nullable: true,
        properties: {
          jobId: { type: 'string' },
          reason: nullableString,
          generation: { type: 'integer' },
          version: { type: 'integer' },
          startedAt: { type: 'string', format: 'date-time' },
          position: { type: 'string' },
          head: nullableString,
          eventsPerSecond: { type: 'number', nullable: true },
          etaSeconds: { type: 'integer', nullable: true },
          percent: { type: 'number', nullable: true },
          cancelRequested: { type: 'boolean' },
        },
      },
    },
  };
  schemas['Problem'] = {
    type: 'object',
    description: 'RFC 9457 problem document',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string', format: 'uri', example: 'urn:trellis:problem:validation-failed' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', enum: [...Object.keys(API_PROBLEM_CODES), ...Object.keys(ACCESS_PROBLEM_CODES), ...Object.keys(PEOPLE_PROBLEM_CODES), ...RULE_CODES] },
      correlationId: { type: 'string' },
      errors: {
        type: 'array',
        items: { type: 'object', properties: { field: { type: 'string', example: 'data.researchQuestions[1].questionId' }, messages: { type: 'array', items: { type: 'string' } } } },
      },
      details: { type: 'object', description: 'For 422: rule-specific details (e.g. the offending reference)' },
    },
  };
}

/**
 * Every rate-limited operation may answer 429 (docs/security.md, "Hardening"): declared where a
 * controller did not, with the headers that say when to retry.
 */
function declareRateLimits(document: OpenAPIObject): void {
  const integer = (description: string) => ({ description, schema: { type: 'integer' } });
  const headers = {
    'Retry-After': integer('Seconds until a request will be allowed again'),
    'RateLimit-Limit': integer('Requests the bucket holds (the burst)'),
    'RateLimit-Remaining': integer('Requests that may be made now (0)'),
    'RateLimit-Reset': integer('Seconds until the bucket is full again'),
  };
  for (const [path, operations] of Object.entries(document.paths)) {
    if (RATE_LIMIT_EXEMPT_PATHS.has(path)) continue;
    for (const operation of Object.values(operations) as Array<{ responses?: Record<string, Record<string, unknown>> }>) {
      if (!operation?.responses) continue;
      operation.responses['429'] = {
        description: 'Rate limited (RATE_LIMITED): the API key\'s allowance, or the client address\'s for requests without a valid key, is spent; see Retry-After',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        ...operation.responses['429'],
        headers,
      };
    }
  }
}

export function mountOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'Trellis API' });
}
