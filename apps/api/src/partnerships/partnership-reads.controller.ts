/**
 * Queries and audit over the log (DESIGN.md §5): state (current or as of a time), history with
 * streamed NDJSON / CSV exports, and hash-chain verification.
 */
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { once } from 'node:events';
import { READERS, Roles } from '../auth/auth.decorators';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { badRequest, ProblemException } from '../http/problem';
import { parseInstant, parseLimit, parseNonNegativeInteger, parsePartnershipId } from '../http/request-parsing';
import { CSV_HEADER, toCsvRow, toExportedEvent, toNdjsonLine } from '@trellis/event-store';
import { participantIdsNamedIn } from '../people/person-labels';
import { encodeView } from './as-of/view-json';
import { PartnershipQueriesService, type TimeAxis } from './partnership-queries.service';

@ApiTags('Partnerships')
@ApiBearerAuth()
@Controller('partnerships')
export class PartnershipReadsController {
  constructor(private readonly queries: PartnershipQueriesService) {}

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Partnership state',
    description:
      'The state folded from the log, with its revision (also as ETag). With `asOf`, the state as the system knew it at ' +
      'that time (`time=recorded`, default) or as things had happened by then (`time=occurred`): back-dated facts make ' +
      'the two differ.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiQuery({ name: 'asOf', required: false, description: 'RFC 3339 date-time (or date)' })
  @ApiQuery({ name: 'time', required: false, enum: ['recorded', 'occurred'] })
  @ApiResponse({ status: 200, description: 'State', schema: { $ref: '#/components/schemas/PartnershipView' } })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async get(
    @Param('id') rawId: string,
    @Query('asOf') asOfRaw: unknown,
    @Query('time') timeRaw: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const id = parsePartnershipId(rawId);
    if (timeRaw !== undefined && timeRaw !== 'recorded' && timeRaw !== 'occurred') {
      throw badRequest('INVALID_QUERY', 'time must be recorded or occurred', { errors: [{ field: 'query.time', messages: ['must be recorded or occurred'] }] });
    }
    if (asOfRaw === undefined) {
      if (timeRaw !== undefined) throw badRequest('INVALID_QUERY', 'time needs asOf', { errors: [{ field: 'query.time', messages: ['is only meaningful with asOf'] }] });
      const view = await this.queries.current(id);
      res.setHeader('ETag', `W/"${view.revision}"`);
      res.json(view);
      return;
    }
    const asOf = parseInstant(asOfRaw);
    if (!asOf.ok) throw badRequest('INVALID_QUERY', `asOf ${asOf.message}`, { errors: [{ field: 'query.asOf', messages: [asOf.message] }] });
    const view = await this.queries.asOf(id, asOf.iso, (timeRaw as TimeAxis | undefined) ?? 'recorded');
    // The same JSON as `res.json(view)`, reusing the encoding of what the answer shares with its snapshot.
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(encodeView(view));
  }

  @Get(':id/history')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Event history',
    description:
      'Events with their full envelope, exactly as stored (never upcast, so the hash chain verifies). JSON pages by ' +
      'default; `Accept: application/x-ndjson` or `text/csv` streams an export of every event after `afterRevision`. ' +
      'Names are resolved now from the people vault and put beside the envelopes, never in them: `people` ' +
      '(participantId → name, or "erased participant (role, organization type)") on the page, on each NDJSON line that ' +
      'names a linked participant, and in the last CSV column; the hashed fields are untouched, so exports verify offline.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiQuery({ name: 'afterRevision', required: false, description: 'Exclusive; omit to start at revision 0' })
  @ApiQuery({ name: 'limit', required: false, description: 'JSON page size, 1–1000 (default 100); caps exports when given' })
  @ApiProduces('application/json', 'application/x-ndjson', 'text/csv')
  @ApiResponse({ status: 200, description: 'A page of events', schema: { $ref: '#/components/schemas/HistoryPage' } })
  @ApiProblems(400, 401, 403, 404, 406, 429, 503)
  async history(
    @Param('id') rawId: string,
    @Query('afterRevision') afterRaw: unknown,
    @Query('limit') limitRaw: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const id = parsePartnershipId(rawId);
    const after = parseNonNegativeInteger(afterRaw, 'afterRevision');
    const format = req.accepts(['application/json', 'application/x-ndjson', 'text/csv']);
    if (!format) {
      throw new ProblemException(406, 'NOT_ACCEPTABLE', 'Not acceptable', 'History is available as application/json, application/x-ndjson or text/csv');
    }
    await this.queries.assertExists(id);
    const people = await this.queries.people(id);

    if (format === 'application/json') {
      const limit = parseLimit(limitRaw, 100, 1_000);
      const events = [];
      for await (const e of this.queries.history(id, after, limit + 1)) events.push(toExportedEvent(e));
      const more = events.length > limit;
      const page = more ? events.slice(0, limit) : events;
      res.json({
        partnershipId: id,
        events: page,
        nextAfterRevision: more ? page[page.length - 1]!.revision : null,
        people: people.labels(page.flatMap(participantIdsNamedIn)),
      });
      return;
    }

    const limit = limitRaw === undefined ? undefined : parseLimit(limitRaw, 100, 1_000_000);
    const csv = format === 'text/csv';
    res.status(200);
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="partnership-${id}.${csv ? 'csv' : 'ndjson'}"`);
    if (csv) res.write(CSV_HEADER);
    try {
      for await (const e of this.queries.history(id, after, limit)) {
        const named = people.isEmpty ? {} : people.labels(participantIdsNamedIn(e));
        const line = csv ? toCsvRow(e, named) : toNdjsonLine(e, named);
        // Respect back-pressure: never buffer the whole history in memory.
        if (!res.write(line)) await once(res, 'drain');
      }
      res.end();
    } catch (error) {
      // Headers are gone; the only honest signal left is an aborted response.
      res.destroy(error as Error);
    }
  }

  @Get(':id/verify')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Verify the hash chain',
    description: 'Recomputes every hash from the stored events and checks each link; reports the first broken revision.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiResponse({ status: 200, description: 'Verification result', schema: { $ref: '#/components/schemas/ChainVerification' } })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async verify(@Param('id') rawId: string) {
    return this.queries.verify(parsePartnershipId(rawId));
  }
}
