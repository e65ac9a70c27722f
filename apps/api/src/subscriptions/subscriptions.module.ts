/** Webhook subscriptions for integrators: `/subscriptions…`, DESIGN.md §6. */
import { Module } from '@nestjs/common';

@Module({})
export class SubscriptionsModule {}
