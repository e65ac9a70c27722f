/**
 * A read model's views exist once the projection runtime has built it; until then a query fails
 * with PostgreSQL's 42P01 (undefined table), and the answer is 503 with Retry-After, never a 500.
 * Every read-model query maps its errors through here.
 */
import { ProblemException } from '../http/problem';

/** Whether `error` is the read store saying a table or view does not exist (42P01). */
export function isReadModelMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '42P01';
}

/** The 503 problem for a read model not built yet (`readModel` as people call it), or `error` unchanged. */
export function readModelUnavailable(error: unknown, readModel: string): unknown {
  if (isReadModelMissing(error)) {
    return new ProblemException(503, 'SERVICE_UNAVAILABLE', 'Read model not available', `The ${readModel} read model has not been built yet; retry shortly`, {}, { 'Retry-After': '5' });
  }
  return error;
}
