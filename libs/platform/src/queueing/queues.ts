/** Queue and job names in one place (STYLE.md §8). */
export const QUEUES = {
  maintenance: 'maintenance',
  projections: 'projections',
} as const;

export const MAINTENANCE_JOBS = {
  purgeIdempotencyKeys: 'purge-idempotency-keys',
} as const;

export type MaintenanceJobName = (typeof MAINTENANCE_JOBS)[keyof typeof MAINTENANCE_JOBS];
