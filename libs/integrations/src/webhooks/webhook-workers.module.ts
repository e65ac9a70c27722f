/** The webhook dispatcher and delivery processors (run by `apps/worker`, or in process by `npm start`). */
import { Module } from '@nestjs/common';

@Module({})
export class WebhookWorkersModule {}
