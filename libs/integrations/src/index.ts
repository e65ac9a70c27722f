// Integrators (DESIGN.md §6): the event catalog and webhook delivery.
export * from './catalog';
export * from './webhooks';
