/**
 * The integrators' feeds (DESIGN.md §6): `GET /events`, pages of `$all` as wire envelopes with a
 * cursor, and `GET /events/stream`, the same events live as Server-Sent Events whose `id:` is the
 * position, so `Last-Event-ID` resumes exactly after the last event received.
 */
import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { ApiKeyRole, Principal } from '@trellis/platform';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { FEED_PAGE_SCHEMA, SSE_STREAM_DESCRIPTION } from './event-feed.openapi';
import { FEED_DEFAULT_LIMIT, FEED_EVENT_TYPES, FEED_MAX_LIMIT, parseFeedQuery, parseStreamQuery, type FeedFilter } from './event-feed.params';
import { EventFeedQuery, type FeedPage } from './event-feed.query';
import { EventStreams } from './event-streams';
import { EventVisibility } from './event-visibility';

/** Who may follow the log. */
export const FEED_READERS: ApiKeyRole[] = ['admin', 'auditor', 'member', 'integrator'];

const TYPES_DESCRIPTION = `Comma-separated event types (or the parameter repeated); unknown types are a 400. One of: ${FEED_EVENT_TYPES.join(', ')}`;
const PARTNERSHIP_DESCRIPTION = 'Only events of this partnership (metadata.partnershipId, whatever their stream: partnership facts, reminders, …)';

@ApiTags('Integrators')
@ApiBearerAuth()
@Controller('events')
export class EventFeedController {
  constructor(
    private readonly feed: EventFeedQuery,
    private readonly streams: EventStreams,
    private readonly visibility: EventVisibility,
  ) {}

  @Get()
  @Roles(...FEED_READERS)
  @ApiOperation({
    summary: 'Feed of events',
    description:
      'The global log (`$all`) in position order, one page at a time, each event with its full envelope (positions and ' +
      'revisions as decimal strings; data in its latest schema version). `after` is exclusive. Follow `next` (also given ' +
      'as a `Link: <…>; rel="next"` header) while it is not null; once it is null the page reached the end of the log: ' +
      'poll again later with `after=<checkpoint>`. With `partnershipId`, a page scans a bounded number of events, so it ' +
      'may hold fewer events than `limit` (even none) and still have a `next`.',
  })
  @ApiQuery({ name: 'after', required: false, description: 'Exclusive position (`next` or `checkpoint` of the previous page); omit to start at the beginning' })
  @ApiQuery({ name: 'limit', required: false, description: `1–${FEED_MAX_LIMIT} (default ${FEED_DEFAULT_LIMIT})` })
  @ApiQuery({ name: 'types', required: false, description: TYPES_DESCRIPTION })
  @ApiQuery({ name: 'partnershipId', required: false, description: PARTNERSHIP_DESCRIPTION })
  @ApiProduces('application/json')
  @ApiResponse({
    status: 200,
    description: 'A page of events',
    schema: FEED_PAGE_SCHEMA,
    headers: { Link: { description: '`</events?after=<next>&…>; rel="next"` when there is a next page', schema: { type: 'string' } } },
  })
  @ApiProblems(400, 401, 403, 429, 503)
  async page(
    @Query('after') after: unknown,
    @Query('limit') limit: unknown,
    @Query('types') types: unknown,
    @Query('partnershipId') partnershipId: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FeedPage> {
    const query = parseFeedQuery({ after, limit, types, partnershipId });
    const visible = await this.visibility.forPrincipal(principal);
    const page = await this.feed.page({ ...query, ...(visible ? { visible } : {}) });
    if (page.next !== null) res.setHeader('Link', `<${nextLink(req.originalUrl.split('?')[0]!, page.next, query.limit, query.filter)}>; rel="next"`);
    return page;
  }

  @Get('stream')
  @Roles(...FEED_READERS)
  @ApiOperation({ summary: 'Live stream of events (Server-Sent Events)', description: SSE_STREAM_DESCRIPTION })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The `id` (position) of the last event received; the stream resumes exactly after it. Wins over `after`.' })
  @ApiQuery({ name: 'after', required: false, description: 'Exclusive position to start after when there is no Last-Event-ID; omit to start at the beginning of the log' })
  @ApiQuery({ name: 'types', required: false, description: TYPES_DESCRIPTION })
  @ApiQuery({ name: 'partnershipId', required: false, description: PARTNERSHIP_DESCRIPTION })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'An endless text/event-stream: `id: <position>`, `event: <type>`, `data: <event envelope JSON>` per event; `: heartbeat` comments',
    content: { 'text/event-stream': { schema: { type: 'string', example: 'id: 42\nevent: PartnershipProposed\ndata: {"eventId":"0193…","type":"PartnershipProposed",…}\n\n' } } },
  })
  @ApiProblems(400, 401, 403, 429, 503)
  async stream(
    @Query('after') after: unknown,
    @Query('types') types: unknown,
    @Query('partnershipId') partnershipId: unknown,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ): Promise<void> {
    const query = parseStreamQuery({ after, types, partnershipId }, lastEventId);
    const visible = await this.visibility.forPrincipal(principal);
    await this.streams.serve(res, { ...query, ...(visible ? { visible } : {}) });
  }
}

function nextLink(path: string, next: string, limit: number, filter: FeedFilter): string {
  const params = new URLSearchParams({ after: next, limit: String(limit) });
  if (filter.types) params.set('types', filter.types.join(','));
  if (filter.partnershipId) params.set('partnershipId', filter.partnershipId);
  return `${path}?${params.toString()}`;
}
