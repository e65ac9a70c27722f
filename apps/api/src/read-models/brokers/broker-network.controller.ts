/** `GET /partnerships/:id/brokers`: the broker network (DOMAIN.md "Read models"). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { READERS, Roles } from '../../auth/auth.decorators';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { parsePartnershipId } from '../../http/request-parsing';
import { BROKER_NETWORK_SCHEMA } from './broker-network.openapi';
import { BrokerNetworkQuery } from './broker-network.query';
import type { BrokerNetworkView } from '@trellis/projections';

@ApiTags('Read models')
@ApiBearerAuth()
@Controller('partnerships')
export class BrokerNetworkController {
  constructor(private readonly query: BrokerNetworkQuery) {}

  @Get(':id/brokers')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Broker network',
    description:
      'Every broker (participants holding `broker`, and anyone who recorded brokering; departed ones stay, marked departed) ' +
      'with the organizations they bridged (from → to, counts by activity kind, last date); organization pairs and the ' +
      'pairs connected through one broker only (a fragility indicator); organizations brokering connects to no other; ' +
      'recognised brokers with no brokering in 180 days (counted at request time); totals. Served from a read model: a ' +
      'partnership it does not know yet is 404.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiResponse({ status: 200, description: 'The network', schema: BROKER_NETWORK_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  network(@Param('id') rawId: string): Promise<BrokerNetworkView> {
    return this.query.network(parsePartnershipId(rawId), new Date());
  }
}
