/**
 * `GET /metrics` (DESIGN.md §10): Prometheus text exposition of this api process's instruments
 * (HTTP and command latency, events appended, Node process metrics; and, when workers run in this
 * process, webhook attempts and reminders issued) and of the shared gauges (log head, projection lag,
 * queue depth, webhook backlog). For admins and auditors: give the scraper an auditor key
 * (`authorization: { credentials: <key> }` in the Prometheus scrape config).
 */
import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { processMetrics, type Principal } from '@trellis/platform';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { ProblemException } from '../http/problem';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { SharedGauges } from './shared-gauges';

@ApiTags('Operations')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly gauges: SharedGauges) {}

  @Get()
  @Roles('admin', 'auditor')
  @Header('Content-Type', processMetrics.contentType)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Text exposition format 0.0.4. Per process: `trellis_http_request_duration_seconds{method,route,status}`, ' +
      '`trellis_command_duration_seconds{type,outcome}` (outcome: recorded, refused, conflict, rejected, error), ' +
      '`trellis_events_appended_total{type}`, `trellis_webhook_attempts_total{outcome}` and ' +
      '`trellis_reminders_issued_total{policy}` (when workers run in this process), and Node process metrics ' +
      '(`trellis_process_*`, `trellis_nodejs_*`). Shared by every replica (read at scrape time): ' +
      '`trellis_event_store_head_position`, `trellis_projection_lag_positions{projection}`, ' +
      '`trellis_projection_last_batch_lag_seconds{projection}`, `trellis_projection_rebuilding{projection}`, ' +
      '`trellis_projection_failing{projection}`, `trellis_queue_jobs{queue,state}`, `trellis_webhook_deliveries{status}` ' +
      '(pending, dead_lettered) and `trellis_webhook_subscriptions{status}`. Admins and auditors whose key is not ' +
      'bound to an organization (a bound key: 403 ORGANIZATION_BOUND_KEY).',
  })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiProblems(401, 403, 429, 503)
  async metrics(@CurrentPrincipal() principal: Principal): Promise<string> {
    // Counts over every partnership: not for a key that may see only its organization's.
    if (principal.organizationId) {
      throw new ProblemException(403, 'ORGANIZATION_BOUND_KEY', 'Forbidden', 'Metrics cover every partnership; use a key not bound to an organization');
    }
    await this.gauges.refresh();
    return Registry.merge([processMetrics, this.gauges.registry]).metrics();
  }
}
