/**
 * The webhook stores and the target policy, for the API (subscriptions) and the workers (dispatcher,
 * delivery). Creates the tables at start-up, in every process, so either may start first.
 */
import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { SqlClient } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { DeliveryStore } from './delivery.store';
import { SubscriptionStore } from './subscription.store';
import { WebhookTargetPolicy } from './target-policy';

const stores = [
  { provide: SubscriptionStore, useFactory: (sql: SqlClient, config: TrellisConfig) => new SubscriptionStore(sql, config.dbSchema), inject: [SQL_CLIENT, TRELLIS_CONFIG] },
  { provide: DeliveryStore, useFactory: (sql: SqlClient, config: TrellisConfig) => new DeliveryStore(sql, config.dbSchema), inject: [SQL_CLIENT, TRELLIS_CONFIG] },
];

const policy = {
  provide: WebhookTargetPolicy,
  useFactory: (config: TrellisConfig) =>
    new WebhookTargetPolicy({ allowPrivateNetworks: config.webhooks.allowPrivateNetworks, allowedHosts: config.webhooks.allowedHosts }),
  inject: [TRELLIS_CONFIG],
};

@Module({
  providers: [...stores, policy],
  exports: [...stores.map((s) => s.provide), WebhookTargetPolicy],
})
export class WebhookStoresModule implements OnModuleInit {
  constructor(@Inject(SubscriptionStore) private readonly subscriptions: SubscriptionStore) {}

  async onModuleInit(): Promise<void> {
    await this.subscriptions.migrate();
  }
}
