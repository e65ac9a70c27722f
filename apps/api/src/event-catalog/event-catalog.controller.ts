/**
 * The event catalog for integrators (DESIGN.md §6): `GET /events/catalog` (AsyncAPI 3.0) and
 * `GET /events/schemas/:type` (the JSON Schema of one event type and version). Both come from the
 * schemas generated from the domain's types (libs/integrations/src/catalog); they change only with a
 * deployment, so each answer carries a strong ETag and `If-None-Match` gets a 304.
 */
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  catalogContentHash,
  EVENT_CATALOG,
  EVENT_CATALOG_ASYNCAPI,
  eventSchemaDocument,
  findEventType,
  type AsyncApiDocument,
  type EventSchemaDocument,
  type JsonSchema,
} from '@trellis/integrations';
import { READERS, Roles } from '../auth/auth.decorators';
import { badRequest, ProblemException } from '../http/problem';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { ASYNCAPI_DOCUMENT_SCHEMA, EVENT_SCHEMA_DOCUMENT_SCHEMA } from './event-catalog.openapi';

/** Every role reads the catalog, integrators first of all. */
const CATALOG_READERS = [...READERS, 'integrator'] as const;

/** IANA-registered media type of AsyncAPI documents. */
export const ASYNCAPI_JSON = 'application/vnd.aai.asyncapi+json';
export const SCHEMA_JSON = 'application/schema+json';
const JSON_TYPE = 'application/json';
const CACHE_CONTROL = 'private, no-cache';

const CATALOG_ETAG = `"${catalogContentHash(EVENT_CATALOG_ASYNCAPI)}"`;

const notFound = (code: string, title: string, detail: string, extensions: Record<string, unknown> = {}) =>
  new ProblemException(404, code, title, detail, extensions);

@ApiTags('Integrators')
@ApiBearerAuth()
@Controller('events')
export class EventCatalogController {
  @Get('catalog')
  @Roles(...CATALOG_READERS)
  @ApiOperation({
    summary: 'Event catalog (AsyncAPI 3.0)',
    description:
      'Every event type Trellis delivers, at the schema version it is delivered in, with its payload schema: the webhook ' +
      'channel (CloudEvents 1.0 structured bodies with Standard Webhooks headers), the feed (`GET /events`) and the live ' +
      'stream (`GET /events/stream`), which serve stored envelopes. `components.schemas` also keeps every older version ' +
      '(`<EventType>.v<N>`). Generated from the same types the code uses. Served as `application/json`, or as ' +
      `\`${ASYNCAPI_JSON}\` when asked for; strong ETag, \`If-None-Match\` answers 304.`,
  })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of a previous answer: 304 when unchanged' })
  @ApiProduces(JSON_TYPE, ASYNCAPI_JSON)
  @ApiResponse({ status: 200, description: 'The AsyncAPI document', schema: ASYNCAPI_DOCUMENT_SCHEMA })
  @ApiResponse({ status: 304, description: 'Unchanged since the ETag given in If-None-Match' })
  @ApiProblems(401, 403, 406, 429)
  catalog(@Req() req: Request, @Res({ passthrough: true }) res: Response): AsyncApiDocument {
    const type = negotiate(req, [JSON_TYPE, ASYNCAPI_JSON], 'The catalog is served as application/json or ' + ASYNCAPI_JSON);
    cacheable(res, type, CATALOG_ETAG);
    return EVENT_CATALOG_ASYNCAPI;
  }

  @Get('schemas/:type')
  @Roles(...CATALOG_READERS)
  @ApiOperation({
    summary: 'JSON Schema of an event type',
    description:
      'The JSON Schema (draft-07) of the `data` of one event type, at its latest schema version or at `version`, with ' +
      'the versions published and the CloudEvents `type` of webhooks at that version. With `Accept: ' +
      `${SCHEMA_JSON}\` the schema alone is served (its \`$id\` names type and version). Unknown type: 404 ` +
      'UNKNOWN_EVENT_TYPE; a version never published: 404 UNKNOWN_SCHEMA_VERSION (`versions` lists the published ones); ' +
      'a malformed version: 400 INVALID_QUERY.',
  })
  @ApiParam({ name: 'type', description: 'An event type, e.g. PartnershipProposed', enum: EVENT_CATALOG.map((e) => e.type) })
  @ApiQuery({ name: 'version', required: false, description: 'A published schema version (default: the latest)' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of a previous answer: 304 when unchanged' })
  @ApiProduces(JSON_TYPE, SCHEMA_JSON)
  @ApiResponse({ status: 200, description: 'The schema and its versions', schema: EVENT_SCHEMA_DOCUMENT_SCHEMA })
  @ApiResponse({ status: 304, description: 'Unchanged since the ETag given in If-None-Match' })
  @ApiResponse({
    status: 404,
    description: 'Unknown event type (UNKNOWN_EVENT_TYPE) or a version never published (UNKNOWN_SCHEMA_VERSION)',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  })
  @ApiProblems(400, 401, 403, 406, 429)
  schema(
    @Param('type') type: string,
    @Query('version') rawVersion: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): EventSchemaDocument | JsonSchema {
    const version = parseVersion(rawVersion);
    const entry = findEventType(type);
    if (!entry) {
      throw notFound(
        'UNKNOWN_EVENT_TYPE',
        'Unknown event type',
        `There is no event type "${type.slice(0, 100)}"; GET /events/catalog lists them`,
      );
    }
    const document = eventSchemaDocument(entry.type, version);
    if (!document) {
      throw notFound(
        'UNKNOWN_SCHEMA_VERSION',
        'Unknown schema version',
        `${entry.type} has no schema version ${version}; published: ${entry.versions.join(', ')}`,
        { versions: entry.versions },
      );
    }
    const accepted = negotiate(req, [JSON_TYPE, SCHEMA_JSON], `Event schemas are served as application/json or ${SCHEMA_JSON}`);
    const body = accepted === SCHEMA_JSON ? document.schema : document;
    cacheable(res, accepted, `"${catalogContentHash({ accepted, body })}"`);
    return body;
  }
}

function parseVersion(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && /^[1-9][0-9]{0,8}$/.test(raw)) return Number(raw);
  throw badRequest('INVALID_QUERY', 'version must be a schema version: a positive integer, given once', {
    errors: [{ field: 'query.version', messages: ['must be a positive integer (a published schema version)'] }],
  });
}

/** The first acceptable of `offered` (the first one for no Accept or `*\/*`); otherwise 406. */
function negotiate(req: Request, offered: readonly string[], detail: string): string {
  const type = req.accepts([...offered]);
  if (type === false) throw new ProblemException(406, 'NOT_ACCEPTABLE', 'Not acceptable', detail);
  return type;
}

/** Express answers 304 itself when the request's If-None-Match matches this ETag. */
function cacheable(res: Response, contentType: string, etag: string): void {
  res.setHeader('Content-Type', `${contentType}; charset=utf-8`);
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', CACHE_CONTROL);
  res.setHeader('Vary', 'Accept');
}
