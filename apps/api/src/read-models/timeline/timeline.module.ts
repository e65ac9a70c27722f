/** Read model "Audit timeline" over HTTP: `GET /partnerships/:id/timeline`. */
import { Module } from '@nestjs/common';
import { TimelineController } from './timeline.controller';
import { TimelineQuery } from './timeline.query';

const controllers = [TimelineController];
const queries = [TimelineQuery];

@Module({ controllers: [...controllers], providers: [...queries] })
export class TimelineModule {}
