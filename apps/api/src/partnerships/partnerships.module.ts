import { Module } from '@nestjs/common';
import { PartnershipCommandsController } from './partnership-commands.controller';
import { PartnershipReadsController } from './partnership-reads.controller';
import { PartnershipCommandsService } from './partnership-commands.service';
import { PartnershipQueriesService } from './partnership-queries.service';

const controllers = [PartnershipCommandsController, PartnershipReadsController];
const services = [PartnershipCommandsService, PartnershipQueriesService];

@Module({ controllers: [...controllers], providers: [...services] })
export class PartnershipsModule {}
