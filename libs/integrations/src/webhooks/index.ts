export * from './webhook-workers.module';
// Primitives: signatures, CloudEvents body, target policy and the HTTP sender.
export * from './signing';
export * from './cloud-event';
export * from './target-policy';
export * from './http-sender';
export * from './webhook-schema';
export * from './subscription.store';
export * from './delivery.store';
export * from './delivery-queue';
export * from './webhook-dispatcher';
export * from './webhook-delivery';
export * from './webhook-stores.module';
