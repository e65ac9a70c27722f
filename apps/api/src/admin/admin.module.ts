import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller';
import { ProjectionsAdminController } from './projections-admin.controller';

@Module({ controllers: [ProjectionsAdminController, ApiKeysController] })
export class AdminModule {}
