/** Webhook subscriptions for integrators: `/subscriptions…`, DESIGN.md §6. */
import { Module } from '@nestjs/common';
import { WebhookStoresModule } from '@trellis/integrations';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

@Module({
  imports: [WebhookStoresModule],
  controllers: [SubscriptionsController],
  providers: [SubscriptionsService],
})
export class SubscriptionsModule {}
