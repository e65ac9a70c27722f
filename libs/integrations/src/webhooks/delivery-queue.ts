/**
 * Hands lane heads to the BullMQ delivery queue. Job ids are deterministic — subscription, event,
 * replay generation (and re-drive count) — so offering the same head twice (a dispatcher re-run, a
 * resume racing a completion, the periodic sweep) adds one job. The outbox in the read store is the
 * truth: a head whose job was lost (Redis down, a crash between commit and enqueue) is offered again by
 * the next sweep, and the processor skips anything that is no longer pending.
 */
import type { Queue } from 'bullmq';
import type { WebhookConfig } from '@trellis/platform';
import type { DeliveryHead } from './delivery.store';

export const WEBHOOK_JOBS = {
  deliver: 'deliver',
  dispatch: 'dispatch',
  replay: 'replay',
} as const;

export interface DeliveryJobData {
  readonly deliveryId: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  /** Decimal string (JSON has no bigint). */
  readonly position: string;
  readonly generation: number;
}

export interface ReplayJobData {
  readonly subscriptionId: string;
  readonly generation: number;
  /** Inclusive, decimal string. */
  readonly fromPosition: string;
}

/** `<subscription>.<event>.<generation>[.r<redrives>][.s<re-offer epoch>]` (BullMQ ids may not contain ':'). */
export const deliveryJobId = (head: Pick<DeliveryHead, 'subscriptionId' | 'eventId' | 'generation' | 'redrives' | 'reofferEpoch'>): string =>
  `${head.subscriptionId}.${head.eventId}.${head.generation}${head.redrives > 0 ? `.r${head.redrives}` : ''}` +
  (head.reofferEpoch !== undefined ? `.s${head.reofferEpoch}` : '');

export const replayJobId = (subscriptionId: string, generation: number): string => `replay.${subscriptionId}.${generation}`;

export async function enqueueHeads(queue: Queue, heads: readonly DeliveryHead[], config: Pick<WebhookConfig, 'maxAttempts' | 'backoffMs' | 'backoffJitter'>): Promise<void> {
  if (heads.length === 0) return;
  await queue.addBulk(
    heads.map((head) => {
      const data: DeliveryJobData = {
        deliveryId: head.deliveryId,
        subscriptionId: head.subscriptionId,
        eventId: head.eventId,
        position: head.position.toString(),
        generation: head.generation,
      };
      return {
        name: WEBHOOK_JOBS.deliver,
        data,
        opts: {
          jobId: deliveryJobId(head),
          attempts: config.maxAttempts,
          backoff: { type: 'exponential', delay: config.backoffMs, jitter: config.backoffJitter },
          // Removed at once so that a head skipped while paused can be offered again on resume; the
          // delivery log in the read store is the record.
          removeOnComplete: true,
          removeOnFail: true,
        },
      };
    }),
  );
}
