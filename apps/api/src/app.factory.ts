/**
 * Builds the configured HTTP application; shared by `main.ts` and the end-to-end tests so that the
 * tests exercise exactly what runs in production.
 */
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { TrellisConfig } from '@trellis/platform';
import { AppModule } from './app.module';
import { bodyParsingMiddlewares } from './http/body-parsing';
import { correlationIdMiddleware } from './http/correlation-id';
import { applyServerLimits, urlLengthLimit } from './http/request-limits';
import { securityHeaders } from './http/security-headers';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { mountOpenApi } from './openapi/openapi';
import { mountQueueDashboard, QUEUE_DASHBOARD_PATH } from './admin/queue-dashboard';
import { RATE_LIMITER } from './rate-limit/rate-limit.module';
import type { RateLimiter } from './rate-limit/rate-limiter';
import { unauthenticatedRateLimit } from './rate-limit/unauthenticated-rate-limit';

export async function createApp(config: TrellisConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  applyServerLimits(app.getHttpServer() as Server, config.maxHeaderBytes);
  // Order matters: every answer below (even a 414 or a 429) carries the correlation id and the headers.
  app.use(correlationIdMiddleware);
  app.use(httpMetricsMiddleware);
  app.use(securityHeaders({ docs: '/docs', queueDashboard: QUEUE_DASHBOARD_PATH }));
  app.use(urlLengthLimit(config.maxUrlLength));
  app.use(unauthenticatedRateLimit(app.get<RateLimiter>(RATE_LIMITER), config));
  for (const middleware of bodyParsingMiddlewares(config.bodyLimitBytes)) app.use(middleware);
  app.enableShutdownHooks();
  mountQueueDashboard(app);
  mountOpenApi(app);
  return app;
}
