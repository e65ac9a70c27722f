/**
 * Commands over HTTP (DESIGN.md §4). Thin: parse the envelope and headers, call the pipeline, write
 * the outcome (including a replayed Idempotency-Key response).
 */
import { Body, Controller, Headers, HttpCode, Param, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Principal } from '@trellis/platform';
import { CurrentPrincipal, Roles, WRITERS } from '../auth/auth.decorators';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { parseIdempotencyKey, parseIfMatch, parsePartnershipId } from '../http/request-parsing';
import { parseCommandRequest, parseProposalRequest } from './command-request';
import { PartnershipCommandsService, type HttpOutcome } from './partnership-commands.service';
import { PersonReferencesInterceptor } from '../people/person-references.interceptor';

@ApiTags('Commands')
@ApiBearerAuth()
@Controller('partnerships')
export class PartnershipCommandsController {
  constructor(private readonly commands: PartnershipCommandsService) {}

  @Post()
  @HttpCode(201)
  @Roles(...WRITERS)
  @ApiOperation({
    summary: 'Propose a partnership',
    description:
      'Body: the ProposePartnership data, plus an optional `occurredAt` (extension) to back-date the proposal. ' +
      'Answers `201 {partnershipId, revision}` with `ETag: W/"<revision>"` and `Location`.',
  })
  @ApiBody({ schema: { $ref: '#/components/schemas/ProposePartnershipRequest' } })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Replays the first response for the same key and body; another body → 409' })
  @ApiResponse({ status: 201, description: 'Proposed', schema: { $ref: '#/components/schemas/ProposedPartnership' } })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  async propose(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    const idempotencyKey = parseIdempotencyKey(idempotencyKeyHeader);
    const { data, occurredAt } = parseProposalRequest(body);
    const outcome = await this.commands.propose({
      principal,
      correlationId: req.correlationId!,
      type: 'ProposePartnership',
      data,
      ...(occurredAt ? { occurredAt } : {}),
      idempotencyKey,
      scope: `${principal.apiKeyId} POST /partnerships`,
      fingerprint: { method: 'POST', path: '/partnerships', body: body as object },
    });
    return write(res, outcome);
  }

  @Post(':id/commands')
  @HttpCode(201)
  @Roles(...WRITERS)
  @UseInterceptors(PersonReferencesInterceptor)
  @ApiOperation({
    summary: 'Record a fact in a partnership',
    description:
      'Body `{type, data, occurredAt?, corrects?, actorParticipantId?}`; `type` is one of the command types and `data` its ' +
      'schema. A domain rule refusing the command answers 422 with the rule `code`. Without If-Match a revision ' +
      'conflict is retried a bounded number of times; with it, a mismatch answers 412.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiBody({ schema: { $ref: '#/components/schemas/PartnershipCommandRequest' } })
  @ApiHeader({ name: 'If-Match', required: false, description: 'W/"<revision>" from an ETag: the command applies only at that revision (else 412)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Replays the first response for the same key and body; another body → 409' })
  @ApiResponse({ status: 201, description: 'Recorded', schema: { $ref: '#/components/schemas/CommandResult' } })
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503)
  async execute(
    @Param('id') rawId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    const partnershipId = parsePartnershipId(rawId);
    const expectedRevision = parseIfMatch(ifMatch);
    const idempotencyKey = parseIdempotencyKey(idempotencyKeyHeader);
    const command = parseCommandRequest(body);
    const outcome = await this.commands.execute(partnershipId, {
      principal,
      correlationId: req.correlationId!,
      ...command,
      expectedRevision,
      idempotencyKey,
      scope: `${principal.apiKeyId} POST /partnerships/${partnershipId}/commands`,
      fingerprint: { method: 'POST', path: `/partnerships/${partnershipId}/commands`, body: body as object, ifMatch: ifMatch ?? null },
    });
    return write(res, outcome);
  }
}

function write(res: Response, outcome: HttpOutcome): unknown {
  res.status(outcome.status);
  for (const [name, value] of Object.entries(outcome.headers)) res.setHeader(name, value);
  if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return outcome.body;
}
