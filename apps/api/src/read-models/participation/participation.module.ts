/** Read model "Participation ledger" over HTTP: `GET /partnerships/:id/participation`. */
import { Module } from '@nestjs/common';
import { ParticipationController } from './participation.controller';
import { ParticipationQuery } from './participation.query';

const controllers = [ParticipationController];
const queries = [ParticipationQuery];

@Module({ controllers: [...controllers], providers: [...queries] })
export class ParticipationModule {}
