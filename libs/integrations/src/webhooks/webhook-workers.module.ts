/** The webhook dispatcher and delivery processors (run by `apps/worker`, or in process by `npm start`). */
import { Module } from '@nestjs/common';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDispatchProcessor } from './webhook-dispatch.processor';
import { WebhookStoresModule } from './webhook-stores.module';

@Module({
  imports: [WebhookStoresModule],
  providers: [WebhookDispatchProcessor, WebhookDeliveryProcessor],
})
export class WebhookWorkersModule {}
