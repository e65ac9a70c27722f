/** DI token of the projections this process knows (the read models of the build). */
export const PROJECTIONS = Symbol('PROJECTIONS');

export const PROJECTION_JOBS = {
  run: 'run',
  rebuild: 'rebuild',
} as const;

export interface RunJobData {
  readonly projection: string;
}
export interface RebuildJobData {
  /** Rebuilt together, in one pass over the log. */
  readonly projections: readonly string[];
  readonly reason: string;
}
