/**
 * `GET /workstreams?stalled=true` (DESIGN.md §5): stalled workstreams across partnerships, from the
 * stalled-workstreams read model. Days are counted at request time.
 */
import { Controller, Get, Optional, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { READERS, Roles } from '../../auth/auth.decorators';
import { OrganizationMembership } from '../../auth/organization-membership';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { badRequest } from '../../http/problem';
import { isUuid, parseLimit } from '../../http/request-parsing';
import { OPEN_PHASES, type OpenPhase } from '@trellis/domain';
import { STALLED_WORKSTREAMS_PAGE_SCHEMA } from './stalled-workstreams.openapi';
import { StalledWorkstreamsQuery, decodeStalledCursor, type StalledWorkstreamsPage } from './stalled-workstreams.query';

@ApiTags('Read models')
@ApiBearerAuth()
@Controller('workstreams')
export class StalledWorkstreamsController {
  constructor(
    private readonly query: StalledWorkstreamsQuery,
    // Absent only in read-model test apps, which have no authentication (hence no principal) either.
    @Optional() private readonly membership?: OrganizationMembership,
  ) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Open workstreams and whether they are stalled',
    description:
      'Open workstreams of partnerships that are not closed or abandoned, most overdue first, each with its phase, when it ' +
      'entered it, its last activity, the threshold of its phase (from the reminder policies R-03…R-11; configurable with ' +
      'STALL_THRESHOLD_DAYS_<CLOCK>), days over the threshold and what blocks it. A workstream is stalled when more days than ' +
      'the threshold have passed since the later of phase entry and last activity (for a pilot: its planned start or end). ' +
      'Paused time never counts: a paused partnership\'s workstreams are shown as paused (clock frozen), never as stalled. ' +
      '`stalled=true` lists only stalled ones; absent or `false` lists every open workstream. A key bound to an ' +
      'organization sees only the workstreams of partnerships its organization is or was a member of.',
  })
  @ApiQuery({ name: 'stalled', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'partnershipId', required: false, description: 'Only this partnership (UUID)' })
  @ApiQuery({ name: 'phase', required: false, enum: OPEN_PHASES })
  @ApiQuery({ name: 'limit', required: false, description: '1–500 (default 50)' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiResponse({ status: 200, description: 'A page of workstreams', schema: STALLED_WORKSTREAMS_PAGE_SCHEMA })
  @ApiProblems(400, 401, 403, 429, 503)
  async list(
    @Query('stalled') stalledRaw: unknown,
    @Query('partnershipId') partnershipIdRaw: unknown,
    @Query('phase') phaseRaw: unknown,
    @Query('limit') limitRaw: unknown,
    @Query('cursor') cursorRaw: unknown,
    @Req() req: Request,
  ): Promise<StalledWorkstreamsPage> {
    const after = cursorRaw === undefined ? undefined : decodeStalledCursor(typeof cursorRaw === 'string' ? cursorRaw : '');
    if (cursorRaw !== undefined && after === undefined) throw invalid('cursor', 'is not a cursor returned by this endpoint');
    const partnershipId = partnershipIdRaw === undefined ? undefined : isUuid(partnershipIdRaw) ? partnershipIdRaw.toLowerCase() : undefined;
    if (partnershipIdRaw !== undefined && partnershipId === undefined) throw invalid('partnershipId', 'must be a UUID');
    const within = await this.membership?.visibleTo(req.principal);
    return this.query.list(
      {
        ...(within ? { within } : {}),
        stalled: parseStalled(stalledRaw),
        ...(partnershipId ? { partnershipId } : {}),
        ...(phaseRaw === undefined ? {} : { phase: parsePhase(phaseRaw) }),
        limit: parseLimit(limitRaw, 50, 500),
        ...(after ? { after } : {}),
      },
      new Date(),
    );
  }
}

function parseStalled(raw: unknown): boolean {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw invalid('stalled', 'must be true or false');
}

function parsePhase(raw: unknown): OpenPhase {
  if (typeof raw === 'string' && (OPEN_PHASES as readonly string[]).includes(raw)) return raw as OpenPhase;
  throw invalid('phase', `must be one of ${OPEN_PHASES.join(', ')} (concluded workstreams are not listed)`);
}

const invalid = (field: string, message: string) =>
  badRequest('INVALID_QUERY', `${field} ${message}`, { errors: [{ field: `query.${field}`, messages: [message] }] });
