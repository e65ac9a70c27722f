/** `node dist/apps/worker/main.js`: the BullMQ processors in their own process. */
import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig, probeRedis, RedisUnavailableError } from '@trellis/platform';
import { WorkerAppModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.eventStore === 'embedded') {
    throw new ConfigError(['EVENT_STORE=embedded lives inside one process: run `npm start` (API and workers together), or use EVENT_STORE=postgres for separate workers']);
  }
  await probeRedis(config.redisUrl);
  const app = await NestFactory.createApplicationContext(WorkerAppModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  new NestLogger('Trellis').log('Trellis worker started');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof RedisUnavailableError) process.stderr.write(`trellis-worker: ${error.message}\n`);
  else process.stderr.write(`trellis-worker: failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
