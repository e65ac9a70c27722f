/**
 * Projections for a process: the service (registry, status, rebuild requests) always; the BullMQ
 * processor only where workers run. Relies on the global PlatformModule and QueueingModule.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import type { Projection } from '../core/projection';
import { ProjectionsProcessor } from './projections.processor';
import { ProjectionsService } from './projections.service';
import { PROJECTIONS } from './projections.tokens';

@Module({})
export class ProjectionsModule {
  static forRoot(options: { projections: readonly Projection[]; workers: boolean }): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      providers: [{ provide: PROJECTIONS, useValue: options.projections }, ProjectionsService, ...(options.workers ? [ProjectionsProcessor] : [])],
      exports: [ProjectionsService],
    };
  }
}
