export * from './webhook-workers.module';
