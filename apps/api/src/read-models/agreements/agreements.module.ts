/** Read model "Agreements register" over HTTP: `GET /partnerships/:id/agreements`. */
import { Module } from '@nestjs/common';
import { AgreementsController } from './agreements.controller';
import { AgreementsQuery } from './agreements.query';

const controllers = [AgreementsController];
const queries = [AgreementsQuery];

@Module({ controllers: [...controllers], providers: [...queries] })
export class AgreementsModule {}
