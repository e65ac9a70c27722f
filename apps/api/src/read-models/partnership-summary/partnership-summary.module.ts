/** Read model "Partnership summary" over HTTP: `GET /partnerships`. */
import { Module } from '@nestjs/common';
import { PartnershipSummaryController } from './partnership-summary.controller';
import { PartnershipSummaryQueries } from './partnership-summary.queries';

const controllers = [PartnershipSummaryController];
const queries = [PartnershipSummaryQueries];

@Module({ controllers: [...controllers], providers: [...queries] })
export class PartnershipSummaryModule {}
