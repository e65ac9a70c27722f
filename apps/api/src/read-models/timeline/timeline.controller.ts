/**
 * `GET /partnerships/:id/timeline` (DESIGN.md §5; DOMAIN.md "Audit timeline"): every event of a
 * partnership with who recorded it and who it names (pseudonymous ids with roles, organization type
 * and side at the time), the phase at that moment, back-dating, corrections and the signals raised;
 * backward moves and skips with their reasons; the data-disclosure ledger. JSON for now: the HTML
 * page of DESIGN.md §5 comes later, so a request that prefers `text/html` is 406.
 */
import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { PARTNERSHIP_EVENT_TYPES } from '@trellis/domain';
import { TIMELINE_DEFAULT_LIMIT, TIMELINE_MAX_LIMIT, type TimelineView } from '@trellis/projections';
import { READERS, Roles } from '../../auth/auth.decorators';
import { ProblemException } from '../../http/problem';
import { parsePartnershipId } from '../../http/request-parsing';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { TIMELINE_VIEW_SCHEMA } from './timeline.openapi';
import { parseTimelineQuery } from './timeline.params';
import { TimelineQuery } from './timeline.query';

@ApiTags('Read models')
@ApiBearerAuth()
@Controller('partnerships')
export class TimelineController {
  constructor(private readonly query: TimelineQuery) {}

  @Get(':id/timeline')
  @Roles(...READERS)
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
      'pseudonymous ids. Only `application/json` is served for now: an HTML page comes in a later release, and until then a ' +
      'request that prefers `text/html` (or accepts neither) is answered 406 NOT_ACCEPTABLE. Served from read models: a ' +
      'partnership they do not know yet is 404, and 503 with Retry-After while they are being built for the first time.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiHeader({ name: 'Accept', required: false, description: 'application/json (default; also for */* or no header). text/html: 406 until the HTML page ships.' })
  @ApiQuery({ name: 'afterPosition', required: false, description: 'Exclusive: events after this position (nextAfterPosition of the previous page)' })
  @ApiQuery({ name: 'limit', required: false, description: `1–${TIMELINE_MAX_LIMIT} (default ${TIMELINE_DEFAULT_LIMIT})` })
  @ApiQuery({ name: 'workstreamId', required: false, description: 'Only the events of this workstream' })
  @ApiQuery({ name: 'type', required: false, enum: [...PARTNERSHIP_EVENT_TYPES], description: 'Only events of this type' })
  @ApiProduces('application/json')
  @ApiResponse({ status: 200, description: 'A page of the timeline', schema: TIMELINE_VIEW_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 406, 429, 503)
  timeline(
    @Param('id') rawId: string,
    @Query('afterPosition') afterPosition: unknown,
    @Query('limit') limit: unknown,
    @Query('workstreamId') workstreamId: unknown,
    @Query('type') type: unknown,
    @Req() req: Request,
  ): Promise<TimelineView> {
    const id = parsePartnershipId(rawId);
    if (req.accepts(['application/json', 'text/html']) !== 'application/json') {
      throw new ProblemException(406, 'NOT_ACCEPTABLE', 'Not acceptable', 'The timeline is served as application/json; the HTML page is not available yet');
    }
    return this.query.page(id, parseTimelineQuery({ afterPosition, limit, workstreamId, type }));
  }
}
