/**
 * `GET /partnerships?status=&phase=&organizationId=&cursor=&limit=` (DESIGN.md §5): the partnership
 * list from the partnership-summary read model, cursor-paginated in creation order.
 */
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PARTNERSHIP_STATUSES } from '@trellis/domain';
import { READERS, Roles } from '../../auth/auth.decorators';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { OPEN_PHASES } from '@trellis/domain';
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT, parsePartnershipListQuery } from './partnership-summary.params';
import { PARTNERSHIP_SUMMARY_PAGE_SCHEMA } from './partnership-summary.openapi';
import { PartnershipSummaryQueries, type PartnershipSummaryPage } from './partnership-summary.queries';

@ApiTags('Read models')
@ApiBearerAuth()
@Controller('partnerships')
export class PartnershipSummaryController {
  constructor(private readonly queries: PartnershipSummaryQueries) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({
    summary: 'List partnerships',
    description:
      'Partnerships from the partnership-summary read model, oldest first: name, status, types, focus, organizations by ' +
      'side, open workstreams and their phases, last activity (recorded time and the date it occurred) and the current ' +
      'signals (evaluated at request time). Pages are keyset-paginated in creation order, so partnerships created while ' +
      'you page appear at the end and never shift or repeat items. `phase` matches partnerships with an open workstream ' +
      'in that phase; `organizationId` matches partnerships the organization belongs or belonged to.',
  })
  @ApiQuery({ name: 'status', required: false, enum: [...PARTNERSHIP_STATUSES] })
  @ApiQuery({ name: 'phase', required: false, enum: OPEN_PHASES })
  @ApiQuery({ name: 'organizationId', required: false, description: 'An organization id ([A-Za-z0-9_-]{1,100})' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page (opaque)' })
  @ApiQuery({ name: 'limit', required: false, description: `1–${LIST_MAX_LIMIT} (default ${LIST_DEFAULT_LIMIT})` })
  @ApiResponse({ status: 200, description: 'A page of partnerships', schema: PARTNERSHIP_SUMMARY_PAGE_SCHEMA })
  @ApiProblems(400, 401, 403, 429, 503)
  list(
    @Query('status') status: unknown,
    @Query('phase') phase: unknown,
    @Query('organizationId') organizationId: unknown,
    @Query('cursor') cursor: unknown,
    @Query('limit') limit: unknown,
  ): Promise<PartnershipSummaryPage> {
    return this.queries.list(parsePartnershipListQuery({ status, phase, organizationId, cursor, limit }), new Date());
  }
}
