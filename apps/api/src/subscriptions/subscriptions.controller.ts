/**
 * Webhook subscriptions (DESIGN.md §6): create (the secret is shown once), list, get, delete, pause,
 * resume, rotate the secret, replay from a position, the delivery log, and re-driving dead-lettered
 * deliveries (an extension). Admins and integrators; an integrator key sees only its own.
 */
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DELIVERY_STATUSES, type DeliveryStatus } from '@trellis/integrations';
import type { Principal } from '@trellis/platform';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { badRequest, validationFailed } from '../http/problem';
import { isUuid, parseLimit, parseNonNegativeInteger } from '../http/request-parsing';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { validateAgainst } from '../partnerships/dto/command-validation';
import { CreateSubscriptionDto, PauseSubscriptionDto, ReplayDto } from './subscription.dto';
import {
  CREATED_SUBSCRIPTION_SCHEMA,
  DELIVERY_PAGE_SCHEMA,
  REDRIVE_SCHEMA,
  REPLAY_ACCEPTED_SCHEMA,
  ROTATED_SECRET_SCHEMA,
  SUBSCRIPTION_PAGE_SCHEMA,
  SUBSCRIPTION_SCHEMA,
} from './subscriptions.openapi';
import { SubscriptionsService } from './subscriptions.service';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

function parseId(raw: string, field = 'id', what = 'subscription'): string {
  if (!isUuid(raw)) throw badRequest('INVALID_ID', `"${String(raw).slice(0, 60)}" is not a ${what} id (a UUID)`, { errors: [{ field: `path.${field}`, messages: ['must be a UUID'] }] });
  return raw.toLowerCase();
}

/** Validates a body against its DTO; fields are reported relative to the body. */
function parseBody<T extends object>(dto: new () => T, body: unknown, optional = false): T {
  if (optional && (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0))) return {} as T;
  const result = validateAgainst(dto, body, 'body');
  if (!result.ok) throw validationFailed(result.errors.map((e) => ({ ...e, field: e.field.replace(/^body\.?/, '') || 'body' })));
  return result.value as T;
}

function parseFromPosition(body: unknown): bigint {
  const { fromPosition } = parseBody(ReplayDto, body) as { fromPosition: unknown };
  const ok =
    (typeof fromPosition === 'string' && /^\d{1,19}$/.test(fromPosition)) ||
    (typeof fromPosition === 'number' && Number.isSafeInteger(fromPosition) && fromPosition >= 0);
  if (!ok || BigInt(fromPosition as string | number) > BigInt('9223372036854775807')) {
    throw validationFailed([{ field: 'fromPosition', messages: ['fromPosition must be a non-negative integer (a decimal string or a number)'] }]);
  }
  return BigInt(fromPosition as string | number);
}

@ApiTags('Webhooks')
@ApiBearerAuth()
@Controller('subscriptions')
@Roles('admin', 'integrator')
export class SubscriptionsController {
  constructor(private readonly service: SubscriptionsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Subscribe a webhook',
    description:
      'Deliveries start with the events appended after the subscription is created (use replay for the past). Each is a ' +
      'CloudEvents 1.0 structured JSON event signed per Standard Webhooks (`webhook-id` = eventId, `webhook-timestamp`, ' +
      '`webhook-signature`). The `secret` is returned only here. The url must be http(s), at most 2048 characters, and its ' +
      'host must not be (or resolve to) a private, loopback or link-local address unless the server allows it ' +
      '(422 WEBHOOK_TARGET_NOT_ALLOWED). A key bound to an organization must name `partnershipIds` (400 otherwise), each ' +
      'a partnership its organization is or was a member of (404 PARTNERSHIP_NOT_FOUND otherwise): its deliveries never ' +
      'carry another organization\'s events.',
  })
  @ApiBody({ type: CreateSubscriptionDto })
  @ApiResponse({ status: 201, description: 'Created; Location names it', schema: CREATED_SUBSCRIPTION_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 413, 415, 422, 429, 503)
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response) {
    const dto = parseBody(CreateSubscriptionDto, body);
    const { subscription, secret } = await this.service.create(principal, {
      url: dto.url,
      ...(dto.eventTypes ? { eventTypes: dto.eventTypes } : {}),
      ...(dto.partnershipIds ? { partnershipIds: dto.partnershipIds } : {}),
      ...(dto.description !== undefined ? { description: dto.description } : {}),
    });
    res.setHeader('Location', `/subscriptions/${subscription.id}`);
    return { ...subscription, secret };
  }

  @Get()
  @ApiOperation({ summary: 'List subscriptions', description: 'In creation order, without secrets. An integrator key sees the subscriptions it created; an admin sees all.' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: `1–${MAX_LIMIT} (default ${DEFAULT_LIMIT})` })
  @ApiResponse({ status: 200, description: 'A page of subscriptions', schema: SUBSCRIPTION_PAGE_SCHEMA })
  @ApiProblems(400, 401, 403, 429, 503)
  list(@Query('cursor') cursor: unknown, @Query('limit') limit: unknown, @CurrentPrincipal() principal: Principal) {
    if (cursor !== undefined && !isUuid(cursor)) throw badRequest('INVALID_QUERY', 'cursor must be the nextCursor of a previous page', { errors: [{ field: 'query.cursor', messages: ['must be a nextCursor'] }] });
    return this.service.list(principal, { ...(cursor !== undefined ? { after: (cursor as string).toLowerCase() } : {}), limit: parseLimit(limit, DEFAULT_LIMIT, MAX_LIMIT) });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A subscription', description: 'Status, pause reason (an automatic pause says why), delivery health; never the secret.' })
  @ApiParam({ name: 'id', description: 'Subscription id (UUID)' })
  @ApiResponse({ status: 200, description: 'The subscription', schema: SUBSCRIPTION_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.service.get(principal, parseId(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription', description: 'Nothing more is delivered; pending deliveries are cancelled.' })
  @ApiParam({ name: 'id', description: 'Subscription id (UUID)' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async delete(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.service.delete(principal, parseId(id));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause deliveries', description: 'The subscription keeps its place: events matched while paused are delivered, in order, after resume. Optional body `{reason}`.' })
  @ApiParam({ name: 'id', description: 'Subscription id (UUID)' })
  @ApiBody({ type: PauseSubscriptionDto, required: false })
  @ApiResponse({ status: 200, description: 'Paused', schema: SUBSCRIPTION_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 415, 429, 503)
  pause(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const subscriptionId = parseId(id);
    const { reason } = parseBody(PauseSubscriptionDto, body, true);
    return this.service.pause(principal, subscriptionId, reason);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume deliveries', description: 'Also after an automatic pause; the failure window starts afresh.' })
  @ApiParam({ name: 'id', description: 'Subscription id (UUID)' })
  @ApiResponse({ status: 200, description: 'Active', schema: SUBSCRIPTION_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  resume(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.service.resume(principal, parseId(id));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description:
      'Returns the new secret (only here). During the grace period (WEBHOOK_SECRET_GRACE_SECONDS) every delivery carries two ' +
      'signatures, space-separated in `webhook-signature`: the new secret’s first, then the previous one’s.',
  })
  @ApiParam({ name: 'id', description: 'Subscription id (UUID)' })
  @ApiResponse({ status: 200, description: 'The new secret', schema: ROTATED_SECRET_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async rotateSecret(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const { secret, subscription } = await this.service.rotateSecret(principal, parseId(id));
    return { secret, previousSecretExpiresAt: subscription.previousSecretExpiresAt };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Replay from a position',
    description:
      'Sends again, as new deliveries, every matching event at or after `fromPosition` (up to where live delivery has ' +
      'reached), in position order per partnership, queued behind what is pending. The `webhook-id` stays the eventId, ' +
      'so receivers that de-duplicate on it see the same messages.',
  })
  @ApiParam({ name: 'id', description: 'Subscription id (UUID)' })
  @ApiBody({ type: ReplayDto })
  @ApiResponse({ status: 202, description: 'Accepted', schema: REPLAY_ACCEPTED_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 415, 429, 503)
  async replay(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const subscriptionId = parseId(id);
    const fromPosition = parseFromPosition(body);
    const { generation, jobId } = await this.service.replay(principal, subscriptionId, fromPosition);
    return { subscriptionId, replayGeneration: generation, fromPosition: fromPosition.toString(), jobId };
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'The delivery log',
    description: 'Newest first; each delivery with every attempt (time, HTTP status, latency, error). Filter by status (`dead_lettered` for the dead-letter list) or eventId.',
  })
  @ApiParam({ name: 'id', description: 'Subscription id (UUID)' })
  @ApiQuery({ name: 'status', required: false, enum: [...DELIVERY_STATUSES] })
  @ApiQuery({ name: 'eventId', required: false })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: `1–${MAX_LIMIT} (default ${DEFAULT_LIMIT})` })
  @ApiResponse({ status: 200, description: 'A page of deliveries', schema: DELIVERY_PAGE_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  deliveries(
    @Param('id') id: string,
    @Query('status') status: unknown,
    @Query('eventId') eventId: unknown,
    @Query('cursor') cursor: unknown,
    @Query('limit') limit: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const subscriptionId = parseId(id);
    if (status !== undefined && !(DELIVERY_STATUSES as readonly unknown[]).includes(status)) {
      throw badRequest('INVALID_QUERY', `status must be one of: ${DELIVERY_STATUSES.join(', ')}`, { errors: [{ field: 'query.status', messages: [`must be one of: ${DELIVERY_STATUSES.join(', ')}`] }] });
    }
    if (eventId !== undefined && !isUuid(eventId)) throw badRequest('INVALID_QUERY', 'eventId must be a UUID', { errors: [{ field: 'query.eventId', messages: ['must be a UUID'] }] });
    const before = parseNonNegativeInteger(cursor, 'cursor');
    return this.service.deliveriesOf(principal, subscriptionId, {
      ...(status !== undefined ? { status: status as DeliveryStatus } : {}),
      ...(eventId !== undefined ? { eventId: (eventId as string).toLowerCase() } : {}),
      ...(before !== undefined ? { before } : {}),
      limit: parseLimit(limit, DEFAULT_LIMIT, MAX_LIMIT),
    });
  }

  @Post(':id/deliveries/:deliveryId/redrive')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-drive a dead-lettered delivery (extension)', description: 'Puts it back at the end of its lane with a fresh set of attempts. 409 DELIVERY_NOT_DEAD_LETTERED otherwise.' })
  @ApiParam({ name: 'id', description: 'Subscription id (UUID)' })
  @ApiParam({ name: 'deliveryId', description: 'Delivery id (UUID)' })
  @ApiResponse({ status: 202, description: 'Accepted', schema: REDRIVE_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 409, 429, 503)
  redriveOne(@Param('id') id: string, @Param('deliveryId') deliveryId: string, @CurrentPrincipal() principal: Principal) {
    return this.service.redrive(principal, parseId(id), parseId(deliveryId, 'deliveryId', 'delivery'));
  }

  @Post(':id/redrive')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-drive every dead-lettered delivery (extension)', description: 'Each goes back to the end of its lane, in its original order.' })
  @ApiParam({ name: 'id', description: 'Subscription id (UUID)' })
  @ApiResponse({ status: 202, description: 'Accepted', schema: REDRIVE_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  redriveAll(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.service.redrive(principal, parseId(id));
  }
}
