/** Read model "Effectiveness" over HTTP: `GET /partnerships/:id/effectiveness`. */
import { Module } from '@nestjs/common';
import { EffectivenessController } from './effectiveness.controller';
import { EffectivenessQueries } from './effectiveness.queries';

const controllers = [EffectivenessController];
const queries = [EffectivenessQueries];

@Module({ controllers: [...controllers], providers: [...queries] })
export class EffectivenessModule {}
