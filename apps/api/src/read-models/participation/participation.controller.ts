/**
 * `GET /partnerships/:id/participation` (DESIGN.md §5; DOMAIN.md "Participation ledger"): per
 * workstream and phase occurrence, which roles, organization types and sides were at the table, and
 * the respondents to stakeholder input — counts of people under 5 shown as "<5".
 */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ParticipationView } from '@trellis/projections';
import { READERS, Roles } from '../../auth/auth.decorators';
import { parsePartnershipId } from '../../http/request-parsing';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { PARTICIPATION_VIEW_SCHEMA } from './participation.openapi';
import { ParticipationQuery } from './participation.query';

@ApiTags('Read models')
@ApiBearerAuth()
@Controller('partnerships')
export class ParticipationController {
  constructor(private readonly query: ParticipationQuery) {}

  @Get(':id/participation')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Participation ledger',
    description:
      'Who was at the table, per workstream and per phase occurrence (a workstream may enter a phase several times): ' +
      'distinct participants by role, organizations taking part by type and by side, and respondents to stakeholder ' +
      'input by role or organization type, with the partnership\'s totals. Present in an occurrence are the participants ' +
      'named in the events recorded while the workstream was in it and the recorders of those events (with the roles ' +
      'they held), their organizations, the organizations the events name (sites, approvers, recipients, reviewers, ' +
      'deciders), and respondents in aggregate. Every count of people under 5 is shown as "<5" (small-cell ' +
      'suppression); counts of organizations and events are exact; no participant id appears. Signals per occurrence: ' +
      'PHASE_WITHOUT_PRACTICE where it was left with no practitioner (in a collaborative, no community member) present, ' +
      'and FAMILIES_COMMUNITY_ABSENT on every occurrence while an equity-focused partnership has had no family or ' +
      'community presence in any phase. Served from a read model: a partnership it does not know yet is 404, and 503 ' +
      'with Retry-After while it is being built for the first time.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiResponse({ status: 200, description: 'The ledger', schema: PARTICIPATION_VIEW_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  ledger(@Param('id') rawId: string): Promise<ParticipationView> {
    return this.query.ledger(parsePartnershipId(rawId));
  }
}
