/**
 * Infrastructure for both apps: configuration, the stores, API keys, idempotency records and the
 * logger. A dynamic module so each process (api, worker, tests) passes its own validated config.
 */
import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { EVENT_STORE } from '@trellis/event-store';
import { PARTNERSHIP_UPCASTERS } from '@trellis/domain';
import { TRELLIS_CONFIG, type TrellisConfig } from './config/trellis-config';
import { openStores, type Stores } from './persistence/stores';
import { ApiKeyStore } from './auth/api-key.store';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { API_KEY_STORE, IDEMPOTENCY_STORE, SQL_CLIENT } from './tokens';
import { loggerOptions } from './logging/logger-options';

const STORES = Symbol('STORES');

class PlatformLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Trellis');

  constructor(
    @Inject(TRELLIS_CONFIG) private readonly config: TrellisConfig,
    @Inject(STORES) private readonly stores: Stores,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.keys.migrate();
    await this.idempotency.migrate();
    const { generatedSecret } = await this.keys.ensureBootstrapAdmin({
      secret: this.config.adminApiKey,
      generateIfMissing: this.config.env === 'development',
    });
    if (generatedSecret) {
      // Printed exactly once, when it is created; only its hash is stored.
      this.logger.warn(
        `ADMIN_API_KEY is not set; generated a bootstrap admin key (shown once, store it now): ${generatedSecret}`,
      );
    }
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.stores.close();
    this.logger.log(`Stores closed${signal ? ` after ${signal}` : ''}; shutdown complete`);
  }
}

@Module({})
export class PlatformModule {
  static forRoot(config: TrellisConfig): DynamicModule {
    return {
      module: PlatformModule,
      global: true, // imported once by each root module; every feature module sees its ports
      imports: [LoggerModule.forRoot(loggerOptions(config))],
      providers: [
        { provide: TRELLIS_CONFIG, useValue: config },
        {
          provide: STORES,
          useFactory: () => {
            const logger = new Logger('Stores');
            return openStores(config, {
              upcasters: PARTNERSHIP_UPCASTERS,
              onError: (e) => logger.warn(`database connection error: ${e.message}`),
            });
          },
        },
        { provide: EVENT_STORE, useFactory: (s: Stores) => s.eventStore, inject: [STORES] },
        { provide: SQL_CLIENT, useFactory: (s: Stores) => s.sql, inject: [STORES] },
        { provide: API_KEY_STORE, useFactory: (s: Stores) => new ApiKeyStore(s.sql, config.dbSchema), inject: [STORES] },
        {
          provide: IDEMPOTENCY_STORE,
          useFactory: (s: Stores) => new IdempotencyStore(s.sql, config.dbSchema, { ttlHours: config.idempotencyTtlHours }),
          inject: [STORES],
        },
        PlatformLifecycle,
      ],
      exports: [TRELLIS_CONFIG, EVENT_STORE, SQL_CLIENT, API_KEY_STORE, IDEMPOTENCY_STORE, LoggerModule],
    };
  }
}
