/** `GET /audit/verify`: every stream's hash chain at once, for auditors and admins (extension). */
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@trellis/platform';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { AuditVerificationService, MAX_LISTED_BROKEN } from './audit-verification.service';

const BROKEN_STREAM_SCHEMA = {
  type: 'object',
  required: ['streamId', 'checkedEvents', 'headHash'],
  properties: {
    streamId: { type: 'string', example: 'partnership-0193…' },
    checkedEvents: { type: 'integer', description: 'Events that verified before the first invalid one' },
    headHash: { type: 'string', description: 'Hash of the last valid event' },
    firstInvalidRevision: { type: 'string' },
    reason: { type: 'string' },
  },
};

const LOG_VERIFICATION_SCHEMA = {
  type: 'object',
  required: ['valid', 'streamsChecked', 'eventsChecked', 'validStreams', 'brokenStreams', 'through', 'broken', 'brokenTruncated'],
  properties: {
    valid: { type: 'boolean', description: 'True when every stream checked verifies' },
    streamsChecked: { type: 'integer' },
    eventsChecked: { type: 'integer', description: 'Events verified (in broken streams: those before the first invalid one)' },
    validStreams: { type: 'integer' },
    brokenStreams: { type: 'integer' },
    through: { type: 'string', pattern: '^\\d+$', description: 'Head position of the log when the check started' },
    broken: { type: 'array', items: BROKEN_STREAM_SCHEMA, description: `The broken streams (at most ${MAX_LISTED_BROKEN})` },
    brokenTruncated: { type: 'boolean', description: 'True when more streams are broken than listed' },
  },
};

@ApiTags('Partnerships')
@ApiBearerAuth()
@Controller('audit')
export class AuditVerificationController {
  constructor(private readonly audit: AuditVerificationService) {}

  @Get('verify')
  @Roles('admin', 'auditor')
  @ApiOperation({
    summary: 'Verify every stream’s hash chain (extension)',
    description:
      'Finds every stream of the log (partnerships, their reminders, compliance) by reading `$all` up to its current head ' +
      '— never the read models, which may lag — and verifies each chain like `GET /partnerships/:id/verify`. Reads the whole ' +
      'log twice: an audit operation, not for polling. A key bound to an organization checks only the streams of the ' +
      'partnerships its organization is or was a member of.',
  })
  @ApiResponse({ status: 200, description: 'Summary and the broken streams', schema: LOG_VERIFICATION_SCHEMA })
  @ApiProblems(401, 403, 429, 503)
  verify(@CurrentPrincipal() principal: Principal) {
    return this.audit.verifyAll(principal);
  }
}
