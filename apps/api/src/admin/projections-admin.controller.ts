/**
 * Replay for admins (DESIGN.md §7): projection status with lag, and blue/green rebuilds that run as
 * BullMQ jobs with progress, refused while one is already running, cancellable.
 */
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { NoRebuildRunningError, ProjectionsService, RebuildAlreadyRunningError, UnknownProjectionError } from '@trellis/projections';
import { Roles } from '../auth/auth.decorators';
import { ProblemException, validationFailed } from '../http/problem';
import { ApiProblems } from '../openapi/api-problems.decorator';

const STATUS_SCHEMA = { $ref: '#/components/schemas/ProjectionStatus' };

@ApiTags('Admin')
@ApiBearerAuth()
@Controller('admin/projections')
@Roles('admin')
export class ProjectionsAdminController {
  constructor(private readonly projections: ProjectionsService) {}

  @Get()
  @ApiOperation({ summary: 'Every projection: version, status, checkpoint, head and lag' })
  @ApiResponse({ status: 200, schema: { type: 'object', properties: { projections: { type: 'array', items: STATUS_SCHEMA } } } })
  @ApiProblems(401, 403, 503)
  async list() {
    return { projections: await this.projections.list() };
  }

  @Post('rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rebuild several projections (default: all) in one pass over the log (extension)',
    description:
      'Like the per-projection rebuild, but the log is read once for all of them and they swap together. Body (optional): ' +
      '`{projections?: string[], reason?}`. 409 when any of them is already being rebuilt.',
  })
  @ApiBody({
    required: false,
    schema: { type: 'object', properties: { projections: { type: 'array', items: { type: 'string' } }, reason: { type: 'string', maxLength: 200 } }, additionalProperties: false },
  })
  @ApiResponse({ status: 202, schema: { type: 'object', properties: { jobId: { type: 'string' }, projections: { type: 'array', items: { type: 'string' } } } } })
  @ApiProblems(400, 401, 403, 404, 409, 503)
  async rebuildMany(@Body() body: unknown) {
    const { projections, reason } = parseGroupBody(body);
    return guard(() => this.projections.requestRebuild(projections ?? this.projections.projections.map((p) => p.name), reason));
  }

  @Get(':name')
  @ApiOperation({ summary: 'One projection, with the progress of a rebuild in flight (position, head, events/s, ETA)' })
  @ApiParam({ name: 'name', example: 'partnership_summary' })
  @ApiResponse({ status: 200, schema: STATUS_SCHEMA })
  @ApiProblems(401, 403, 404, 503)
  async get(@Param('name') name: string) {
    return guard(() => this.projections.status(name));
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rebuild a projection blue/green',
    description:
      'Builds the projection into new tables from the whole log while the live version keeps answering, catches up with ' +
      'events appended meanwhile, then swaps atomically. Never re-fires webhooks or reminders. 409 while a rebuild of the ' +
      'same projection runs. Body (optional): `{reason}`.',
  })
  @ApiParam({ name: 'name', example: 'partnership_summary' })
  @ApiBody({ required: false, schema: { type: 'object', properties: { reason: { type: 'string', maxLength: 200 } }, additionalProperties: false } })
  @ApiResponse({ status: 202, schema: { type: 'object', properties: { jobId: { type: 'string' } } } })
  @ApiProblems(400, 401, 403, 404, 409, 503)
  async rebuild(@Param('name') name: string, @Body() body: unknown) {
    const reason = parseReason(body);
    return guard(() => this.projections.requestRebuild(name, reason));
  }

  @Post(':name/rebuild/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel the rebuild in flight; the live version is untouched' })
  @ApiParam({ name: 'name', example: 'partnership_summary' })
  @ApiResponse({ status: 202, schema: { type: 'object', properties: { jobId: { type: 'string' }, cancelRequested: { type: 'boolean' } } } })
  @ApiProblems(401, 403, 404, 409, 503)
  async cancel(@Param('name') name: string) {
    const { jobId } = await guard(() => this.projections.cancelRebuild(name));
    return { jobId, cancelRequested: true };
  }
}

function parseGroupBody(body: unknown): { projections?: string[]; reason: string } {
  if (body === undefined || body === null) return { reason: 'requested by an admin' };
  if (typeof body !== 'object' || Array.isArray(body)) throw validationFailed([{ field: 'body', messages: ['body must be an object {projections?, reason?}'] }]);
  const { projections, ...rest } = body as Record<string, unknown>;
  if (projections !== undefined) {
    if (!Array.isArray(projections) || projections.length === 0 || projections.length > 50 || !projections.every((p) => typeof p === 'string' && /^[a-z][a-z0-9_]{0,30}$/.test(p))) {
      throw validationFailed([{ field: 'projections', messages: ['projections must be a non-empty list of projection names'] }]);
    }
  }
  return { ...(projections ? { projections: projections as string[] } : {}), reason: parseReason(rest) };
}

function parseReason(body: unknown): string {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0)) return 'requested by an admin';
  if (typeof body !== 'object' || Array.isArray(body)) throw validationFailed([{ field: 'body', messages: ['body must be an object {reason?}'] }]);
  const { reason, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw validationFailed(extra.map((k) => ({ field: k, messages: [`property ${k} should not exist`] })));
  if (reason !== undefined && (typeof reason !== 'string' || reason.trim() === '' || reason.length > 200)) {
    throw validationFailed([{ field: 'reason', messages: ['reason must be a non-empty string of at most 200 characters'] }]);
  }
  return (reason as string | undefined) ?? 'requested by an admin';
}

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof UnknownProjectionError) throw new ProblemException(404, 'PROJECTION_NOT_FOUND', 'Not found', error.message);
    if (error instanceof RebuildAlreadyRunningError) {
      throw new ProblemException(409, 'REBUILD_IN_PROGRESS', 'A rebuild is already running', error.message, { jobId: error.jobId });
    }
    if (error instanceof NoRebuildRunningError) throw new ProblemException(409, 'NO_REBUILD_IN_PROGRESS', 'Nothing to cancel', error.message);
    throw error;
  }
}
