/**
 * `GET /partnerships?status=&phase=&organizationId=&cursor=&limit=` (DESIGN.md §5): the partnership
 * list from the partnership-summary read model, cursor-paginated in creation order.
 */
import { Controller, Get, Optional, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PARTNERSHIP_STATUSES } from '@trellis/domain';
import { READERS, Roles } from '../../auth/auth.decorators';
import { OrganizationMembership } from '../../auth/organization-membership';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { OPEN_PHASES } from '@trellis/domain';
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT, parsePartnershipListQuery } from './partnership-summary.params';
import { PARTNERSHIP_SUMMARY_PAGE_SCHEMA } from './partnership-summary.openapi';
import { PartnershipSummaryQueries, type PartnershipSummaryPage } from './partnership-summary.queries';

@ApiTags('Read models')
@ApiBearerAuth()
@Controller('partnerships')
export class PartnershipSummaryController {
  constructor(
    private readonly queries: PartnershipSummaryQueries,
    // Absent only in read-model test apps, which have no authentication (hence no principal) either.
    @Optional() private readonly membership?: OrganizationMembership,
  ) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({
    summary: 'List partnerships',
    description:
      'Partnerships from the partnership-summary read model, oldest first: name, status, types, focus, organizations by ' +
      'side, open workstreams and their phases, last activity (recorded time and the date it occurred) and the current ' +
      'signals (evaluated at request time). Pages are keyset-paginated in creation order, so partnerships created while ' +
      'you page appear at the end and never shift or repeat items. `phase` matches partnerships with an open workstream ' +
      'in that phase; `organizationId` matches partnerships the organization belongs or belonged to. A key bound to an ' +
      'organization lists only the partnerships its organization is or was a member of (read from the log, so a ' +
      'partnership it just proposed or joined is never filtered out; it appears once the read model has it).',
  })
  @ApiQuery({ name: 'status', required: false, enum: [...PARTNERSHIP_STATUSES] })
  @ApiQuery({ name: 'phase', required: false, enum: OPEN_PHASES })
  @ApiQuery({ name: 'organizationId', required: false, description: 'An organization id ([A-Za-z0-9_-]{1,100})' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page (opaque)' })
  @ApiQuery({ name: 'limit', required: false, description: `1–${LIST_MAX_LIMIT} (default ${LIST_DEFAULT_LIMIT})` })
  @ApiResponse({ status: 200, description: 'A page of partnerships', schema: PARTNERSHIP_SUMMARY_PAGE_SCHEMA })
  @ApiProblems(400, 401, 403, 429, 503)
  async list(
    @Query('status') status: unknown,
    @Query('phase') phase: unknown,
    @Query('organizationId') organizationId: unknown,
    @Query('cursor') cursor: unknown,
    @Query('limit') limit: unknown,
    @Req() req: Request,
  ): Promise<PartnershipSummaryPage> {
    const query = parsePartnershipListQuery({ status, phase, organizationId, cursor, limit });
    const within = await this.membership?.visibleTo(req.principal);
    return this.queries.list(query, new Date(), within);
  }
}
