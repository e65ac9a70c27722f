/** Read model "Stalled workstreams" over HTTP: `GET /workstreams`. */
import { Module } from '@nestjs/common';
import { StalledWorkstreamsController } from './stalled-workstreams.controller';
import { StalledWorkstreamsQuery } from './stalled-workstreams.query';
import { STALL_THRESHOLDS, parseStallThresholds } from './stall-thresholds.config';

const controllers = [StalledWorkstreamsController];
const queries = [StalledWorkstreamsQuery];
const configuration = [{ provide: STALL_THRESHOLDS, useFactory: () => parseStallThresholds(process.env) }];

@Module({ controllers: [...controllers], providers: [...configuration, ...queries] })
export class WorkstreamsModule {}
