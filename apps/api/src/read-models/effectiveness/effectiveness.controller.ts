/**
 * `GET /partnerships/:id/effectiveness` (DESIGN.md §5): five-dimension health of a partnership —
 * indicators from the log beside the partners' own ratings, and current signals by dimension.
 */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { READERS, Roles } from '../../auth/auth.decorators';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { parsePartnershipId } from '../../http/request-parsing';
import { EFFECTIVENESS_VIEW_SCHEMA } from './effectiveness.openapi';
import { EffectivenessQueries } from './effectiveness.queries';
import type { EffectivenessView } from '@trellis/projections';

@ApiTags('Read models')
@ApiBearerAuth()
@Controller('partnerships')
export class EffectivenessController {
  constructor(private readonly queries: EffectivenessQueries) {}

  @Get(':id/effectiveness')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Effectiveness along five dimensions',
    description:
      'Along Henrick et al.\'s five dimensions of RPP effectiveness: event-derived indicators (counts and dates from the ' +
      'log) shown beside the partners\' own reflection ratings by side (latest and history), and the current signals ' +
      'grouped by the dimension they bear on. There is no composite score. Respondent counts under 5 are shown as "<5".',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiResponse({ status: 200, description: 'The five dimensions', schema: EFFECTIVENESS_VIEW_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  get(@Param('id') rawId: string): Promise<EffectivenessView> {
    return this.queries.get(parsePartnershipId(rawId), new Date());
  }
}
