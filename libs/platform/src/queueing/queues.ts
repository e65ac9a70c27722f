/** Queue and job names in one place (STYLE.md §8). */
export const QUEUES = {
  maintenance: 'maintenance',
  projections: 'projections',
  /** The webhook dispatcher: one repeatable job reading `$all` from its checkpoint. */
  webhookDispatch: 'webhook-dispatch',
  /** One job per (subscription, event) delivery attempt series. */
  webhookDelivery: 'webhook-delivery',
  /** Reminders: the scheduler's slices, one delayed job per pending reminder step, and the e-mails. */
  reminders: 'reminders',
} as const;

export const MAINTENANCE_JOBS = {
  purgeIdempotencyKeys: 'purge-idempotency-keys',
} as const;

export type MaintenanceJobName = (typeof MAINTENANCE_JOBS)[keyof typeof MAINTENANCE_JOBS];
