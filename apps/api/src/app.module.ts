/**
 * The API process: HTTP feature modules over the platform. With `runWorkers` (the single-machine
 * default of `npm start`) the BullMQ processors run in the same process.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ProjectionsModule, READ_MODEL_PROJECTIONS } from '@trellis/projections';
import { PlatformModule, QueueingModule, WorkersModule, type TrellisConfig } from '@trellis/platform';
import { AdminModule } from './admin/admin.module';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuthModule } from './auth/auth.module';
import { AuditModule } from './audit/audit.module';
import { WebhookWorkersModule } from '@trellis/integrations';
import { EventCatalogModule } from './event-catalog/event-catalog.module';
import { EventFeedModule } from './event-feed/event-feed.module';
import { HealthController } from './health/health.controller';
import { MetricsModule } from './metrics/metrics.module';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { PartnershipsModule } from './partnerships/partnerships.module';
import { AgreementsModule } from './read-models/agreements/agreements.module';
import { BrokersModule } from './read-models/brokers/brokers.module';
import { EffectivenessModule } from './read-models/effectiveness/effectiveness.module';
import { ParticipationModule } from './read-models/participation/participation.module';
import { PartnershipSummaryModule } from './read-models/partnership-summary/partnership-summary.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { RemindersApiModule } from './reminders/reminders.module';
import { PeopleModule } from './people/people.module';
import { RemindersModule } from '@trellis/reminders';
import { TimelineModule } from './read-models/timeline/timeline.module';
import { WorkstreamsModule } from './read-models/workstreams/workstreams.module';

@Module({})
export class AppModule {
  static forRoot(config: TrellisConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config),
        QueueingModule.forRoot(config),
        RateLimitModule.forRoot(config),
        ProjectionsModule.forRoot({ projections: READ_MODEL_PROJECTIONS, workers: config.runWorkers }),
        TerminusModule,
        AuthModule,
        PartnershipsModule,
        PartnershipSummaryModule,
        TimelineModule,
        ParticipationModule,
        EffectivenessModule,
        WorkstreamsModule,
        AgreementsModule,
        BrokersModule,
        AdminModule,
        AuditModule,
        EventFeedModule,
        EventCatalogModule,
        SubscriptionsModule,
        RemindersApiModule,
        PeopleModule,
        MetricsModule,
        ...(config.runWorkers ? [WorkersModule.forRoot(), WebhookWorkersModule, RemindersModule] : []),
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // Right after authentication (and the role and scope checks in it), so the key names the bucket.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
