/** `GET /partnerships/:id/agreements`: the agreements register (DOMAIN.md "Read models"). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { READERS, Roles } from '../../auth/auth.decorators';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { parsePartnershipId } from '../../http/request-parsing';
import { AGREEMENTS_REGISTER_SCHEMA } from './agreements.openapi';
import { AgreementsQuery } from './agreements.query';
import type { AgreementsRegisterView } from '@trellis/projections';

@ApiTags('Read models')
@ApiBearerAuth()
@Controller('partnerships')
export class AgreementsController {
  constructor(private readonly query: AgreementsQuery) {}

  @Get(':id/agreements')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Agreements register',
    description:
      'The MOU or charter (parties, co-leads, term, amendments) and every data-sharing agreement: parties, legal basis, ' +
      'purpose, data categories, PII, term and days until expiry, end and destruction deadline, certified disposal or ' +
      'overdue disposal, the no-surprises review window, and the data transfers made under it. Days are counted at ' +
      'request time. Served from a read model: a partnership it does not know yet is 404.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiResponse({ status: 200, description: 'The register', schema: AGREEMENTS_REGISTER_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  register(@Param('id') rawId: string): Promise<AgreementsRegisterView> {
    return this.query.register(parsePartnershipId(rawId), new Date());
  }
}
