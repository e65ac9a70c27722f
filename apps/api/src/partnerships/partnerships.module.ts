import { Module } from '@nestjs/common';
import { PartnershipCommandsController } from './partnership-commands.controller';
import { PartnershipReadsController } from './partnership-reads.controller';
import { PartnershipCommandsService } from './partnership-commands.service';
import { PartnershipQueriesService } from './partnership-queries.service';
import { AsOfSnapshots } from './as-of/as-of-snapshots';

const controllers = [PartnershipCommandsController, PartnershipReadsController];
const services = [PartnershipCommandsService, PartnershipQueriesService, AsOfSnapshots];

@Module({ controllers: [...controllers], providers: [...services] })
export class PartnershipsModule {}
