/** `GET /metrics` and the HTTP latency histogram (DESIGN.md §10). */
import { Module } from '@nestjs/common';
import { WebhookStoresModule } from '@trellis/integrations';
import { MetricsController } from './metrics.controller';
import { SharedGauges } from './shared-gauges';

@Module({
  imports: [WebhookStoresModule],
  controllers: [MetricsController],
  providers: [SharedGauges],
})
export class MetricsModule {}
