/**
 * Builds the configured HTTP application; shared by `main.ts` and the end-to-end tests so that the
 * tests exercise exactly what runs in production.
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { TrellisConfig } from '@trellis/platform';
import { AppModule } from './app.module';
import { bodyParsingMiddlewares } from './http/body-parsing';
import { correlationIdMiddleware } from './http/correlation-id';
import { mountOpenApi } from './openapi/openapi';
import { mountQueueDashboard } from './admin/queue-dashboard';

export async function createApp(config: TrellisConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(correlationIdMiddleware);
  for (const middleware of bodyParsingMiddlewares(config.bodyLimitBytes)) app.use(middleware);
  app.enableShutdownHooks();
  mountQueueDashboard(app);
  mountOpenApi(app);
  return app;
}
