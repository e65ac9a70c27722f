/**
 * `GET /partnerships/:id/timeline` (DESIGN.md §5; DOMAIN.md "Audit timeline"): every event of a
 * partnership with who recorded it and who it names (pseudonymous ids with roles, organization type
 * and side at the time), the phase at that moment, back-dating, corrections and the signals raised;
 * backward moves and skips with their reasons; the data-disclosure ledger. JSON pages by default;
 * a request that prefers `text/html` (a browser) gets the timeline page — workstream lanes, phase
 * spans, events, who was at the table, reminders and the chain verification — as does
 * `GET /partnerships/:id/timeline.html` (html/).
 */
import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PARTNERSHIP_EVENT_TYPES } from '@trellis/domain';
import { TIMELINE_DEFAULT_LIMIT, TIMELINE_MAX_LIMIT, type TimelineView } from '@trellis/projections';
import { READERS, Roles } from '../../auth/auth.decorators';
import { ProblemException } from '../../http/problem';
import { parsePartnershipId } from '../../http/request-parsing';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { TIMELINE_PAGE_DESCRIPTION, TIMELINE_PAGE_HTML_SCHEMA, TIMELINE_VIEW_SCHEMA } from './timeline.openapi';
import { parseTimelineQuery } from './timeline.params';
import { TimelineQuery } from './timeline.query';
import { negotiateTimeline, setHtmlHeaders, TimelinePageErrorFilter } from './html/timeline-page.http';
import { timelinePageModel } from './html/timeline-page.model';
import { renderTimelinePage } from './html/timeline-page.render';
import { TimelinePageSource } from './html/timeline-page.source';

@ApiTags('Read models')
@ApiBearerAuth()
@Controller('partnerships')
export class TimelineController {
  constructor(
    private readonly query: TimelineQuery,
    private readonly pageSource: TimelinePageSource,
  ) {}

  @Get(':id/timeline')
  @Roles(...READERS)
  @UseFilters(new TimelinePageErrorFilter('negotiated'))
  @ApiOperation({
    summary: 'Audit timeline',
    description:
      'Every event of the partnership in recorded order (position), one page at a time: occurred and recorded times ' +
      '(`backDated` when recorded more than one hour after it occurred), the recorder (API key, participant with the roles ' +
      'they held then, organization, its type and side), the participants and organizations the event names with their ' +
      'capacity, the phase (and phase occurrence) of its workstream at that moment, the transition (from, to, direction, ' +
      'reason, gate event), corrections (`corrects`, `correctedBy`), a one-line summary (ids and vocabulary only, never ' +
      'free text or names) and the signals the event raised. Beside the page, for the whole partnership (not paged or ' +
      'filtered): every backward move and every skip with its reason, the signals raised by code, and the data-disclosure ' +
      'ledger (agreements, transfers, ends, disposals) of the agreements register. Participants appear only as ' +
      'pseudonymous ids (plus `displayName` from the people vault where a participant references a person). ' +
      '`application/json` is the default (no Accept, `*/*`, or JSON preferred). (extension) A request that prefers ' +
      '`text/html` — a browser\'s default Accept — gets the timeline page instead: ' +
      TIMELINE_PAGE_DESCRIPTION +
      ' A request that accepts neither is answered 406 NOT_ACCEPTABLE. Served from read models: a partnership they do not ' +
      'know yet is 404, and 503 with Retry-After while they are being built for the first time.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiHeader({ name: 'Accept', required: false, description: 'application/json (default; also for */* or no header); text/html (preferred over JSON) for the timeline page (extension)' })
  @ApiQuery({ name: 'afterPosition', required: false, description: 'Exclusive: events after this position (nextAfterPosition of the previous page). JSON only (validated, not applied, for the page)' })
  @ApiQuery({ name: 'limit', required: false, description: `1–${TIMELINE_MAX_LIMIT} (default ${TIMELINE_DEFAULT_LIMIT}). JSON only` })
  @ApiQuery({ name: 'workstreamId', required: false, description: 'Only the events of this workstream. JSON only' })
  @ApiQuery({ name: 'type', required: false, enum: [...PARTNERSHIP_EVENT_TYPES], description: 'Only events of this type. JSON only' })
  @ApiProduces('application/json', 'text/html')
  @ApiResponse({
    status: 200,
    description: 'A page of the timeline (JSON), or the timeline page (HTML)',
    content: { 'application/json': { schema: TIMELINE_VIEW_SCHEMA }, 'text/html': { schema: TIMELINE_PAGE_HTML_SCHEMA } },
  })
  @ApiProblems(400, 401, 403, 404, 406, 429, 503)
  async timeline(
    @Param('id') rawId: string,
    @Query('afterPosition') afterPosition: unknown,
    @Query('limit') limit: unknown,
    @Query('workstreamId') workstreamId: unknown,
    @Query('type') type: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TimelineView | string> {
    const id = parsePartnershipId(rawId);
    // The answer depends on Accept: caches must keep the two representations apart.
    res.vary('Accept');
    const representation = negotiateTimeline(req);
    if (!representation) {
      throw new ProblemException(406, 'NOT_ACCEPTABLE', 'Not acceptable', 'The timeline is served as application/json or text/html');
    }
    const query = parseTimelineQuery({ afterPosition, limit, workstreamId, type });
    if (representation === 'text/html') return this.page(id, res);
    return this.query.page(id, query);
  }

  @Get(':id/timeline.html')
  @Roles(...READERS)
  @UseFilters(new TimelinePageErrorFilter('page'))
  @ApiOperation({
    summary: 'Timeline page (extension)',
    description:
      '(extension) The timeline page whatever the Accept header: ' +
      TIMELINE_PAGE_DESCRIPTION +
      ' Errors are an HTML page too, unless the client prefers application/problem+json or application/json over text/html.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The timeline page', content: { 'text/html': { schema: TIMELINE_PAGE_HTML_SCHEMA } } })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async timelinePage(@Param('id') rawId: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    return this.page(parsePartnershipId(rawId), res);
  }

  private async page(partnershipId: string, res: Response): Promise<string> {
    const data = await this.pageSource.read(partnershipId);
    setHtmlHeaders(res);
    return renderTimelinePage(timelinePageModel(data));
  }
}
