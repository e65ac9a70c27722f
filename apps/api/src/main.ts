/**
 * `npm start`: the engine in one process — API plus workers — on the embedded store by default.
 * Start-up stops with one clear line when the configuration is invalid or Redis is unreachable.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, probeRedis, redactSecrets, RedisUnavailableError } from '@trellis/platform';
import { createApp } from './app.factory';

async function main(): Promise<void> {
  const config = loadConfig();
  await probeRedis(config.redisUrl);
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const url = await app.getUrl();
  new Logger('Trellis').log(
    `Trellis listening on ${url.replace('[::1]', 'localhost')} (event store: ${config.eventStore}, read store: ${config.readStore}, workers: ${config.runWorkers ? 'in process' : 'off'}); OpenAPI at /docs`,
  );
}

main().catch((error: unknown) => {
  // Written before (or without) the logger, so masked here as the logger would (a URL's password, a key).
  if (error instanceof ConfigError || error instanceof RedisUnavailableError) {
    process.stderr.write(redactSecrets(`trellis: ${error.message}\n`));
  } else {
    process.stderr.write(redactSecrets(`trellis: failed to start: ${(error as Error)?.stack ?? String(error)}\n`));
  }
  process.exit(1);
});
