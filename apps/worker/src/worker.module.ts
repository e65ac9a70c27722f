/**
 * The worker process: BullMQ processors only, no HTTP (DESIGN.md §1). Run as many replicas as needed;
 * every processor is safe with several.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, QueueingModule, WorkersModule, type TrellisConfig } from '@trellis/platform';
import { ProjectionsModule, READ_MODEL_PROJECTIONS } from '@trellis/projections';
import { WebhookWorkersModule } from '@trellis/integrations';
import { RemindersModule } from '@trellis/reminders';

@Module({})
export class WorkerAppModule {
  static forRoot(config: TrellisConfig): DynamicModule {
    return {
      module: WorkerAppModule,
      imports: [
        PlatformModule.forRoot(config),
        QueueingModule.forRoot(config),
        ProjectionsModule.forRoot({ projections: READ_MODEL_PROJECTIONS, workers: true }),
        WorkersModule.forRoot(),
        WebhookWorkersModule,
        RemindersModule,
      ],
    };
  }
}
