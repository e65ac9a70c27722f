/**
 * For the read-model endpoints' HTTP tests: a Nest application with only the given modules, the
 * API's problem filter, and the read store (`SQL_CLIENT`, `TRELLIS_CONFIG.dbSchema`) provided
 * globally — no auth guard, no other modules.
 */
import { Global, Module, type INestApplication, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { SqlExecutor } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG } from '@trellis/platform';
import { ProblemDetailsFilter } from '../../http/problem-details.filter';

export async function readModelApp(sql: SqlExecutor, dbSchema: string, modules: readonly Type[]): Promise<INestApplication> {
  @Global()
  @Module({
    providers: [
      { provide: SQL_CLIENT, useValue: sql },
      { provide: TRELLIS_CONFIG, useValue: { dbSchema } },
    ],
    exports: [SQL_CLIENT, TRELLIS_CONFIG],
  })
  class ReadStoreForTest {}
  const moduleRef = await Test.createTestingModule({
    imports: [ReadStoreForTest, ...modules],
    providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}
