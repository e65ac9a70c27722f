/**
 * Webhook subscriptions for integrators (DESIGN.md §6): ownership (an integrator key manages only
 * the subscriptions it created; an admin sees all), the stores, and the queues. The read store is the
 * truth: when Redis cannot take a job right now (resume, re-drive), the dispatcher's sweep offers it
 * again, so these calls succeed without Redis.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import {
  DeliveryStore,
  enqueueHeads,
  replayJobId,
  SubscriptionStore,
  WEBHOOK_JOBS,
  WebhookTargetPolicy,
  type DeliveryPage,
  type DeliveryStatus,
  type NewSubscription,
  type ReplayJobData,
  type SubscriptionPage,
  type WebhookSubscription,
} from '@trellis/integrations';
import { EVENT_STORE, type EventStore } from '@trellis/event-store';
import { PartnershipNotFound } from '@trellis/domain';
import { QUEUES, TRELLIS_CONFIG, type Principal, type TrellisConfig } from '@trellis/platform';
import { OrganizationMembership } from '../auth/organization-membership';
import { ProblemException, validationFailed } from '../http/problem';

/** How long a request waits for Redis before leaving the job to the sweep. */
const ENQUEUE_TIMEOUT_MS = 2_000;

export const subscriptionNotFound = (id: string) =>
  new ProblemException(404, 'SUBSCRIPTION_NOT_FOUND', 'Not found', `No subscription ${id.slice(0, 60)} (for this API key)`);

/** The owner filter of a principal: integrators see their own subscriptions, admins all. */
export const ownerOf = (principal: Principal): string | undefined => (principal.role === 'admin' ? undefined : principal.apiKeyId);

@Injectable()
export class SubscriptionsService {
  private readonly logger = new Logger('Subscriptions');

  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly deliveries: DeliveryStore,
    private readonly policy: WebhookTargetPolicy,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(TRELLIS_CONFIG) private readonly config: TrellisConfig,
    @InjectQueue(QUEUES.webhookDelivery) private readonly deliveryQueue: Queue,
    @InjectQueue(QUEUES.webhookDispatch) private readonly dispatchQueue: Queue,
    private readonly membership: OrganizationMembership,
  ) {}

  async create(principal: Principal, input: Omit<NewSubscription, 'ownerKeyId'>): Promise<{ subscription: WebhookSubscription; secret: string }> {
    await this.assertScope(principal, input.partnershipIds);
    const check = this.policy.checkUrl(input.url);
    if (!check.ok) {
      if (check.kind === 'invalid') throw validationFailed([{ field: 'url', messages: [`url ${check.reason}`] }]);
      throw new ProblemException(422, 'WEBHOOK_TARGET_NOT_ALLOWED', 'Webhook target not allowed', `The url is refused: ${check.reason}`, {
        errors: [{ field: 'url', messages: [check.reason] }],
      });
    }
    // Read before the insert: whatever is appended from now on is after it, and reaches the subscription.
    const headPosition = await this.store.headPosition();
    return this.subscriptions.create({ ...input, ownerKeyId: principal.apiKeyId, headPosition });
  }

  /**
   * Organization scoping of webhooks: a key bound to an organization subscribes only to named
   * partnerships its organization is or was a member of (as for reads), so its deliveries — live and
   * replayed — never carry another organization's events. The dispatcher needs no notion of
   * organizations: the stored `partnershipIds` filter is the scope.
   */
  private async assertScope(principal: Principal, partnershipIds: readonly string[] | undefined): Promise<void> {
    const organizationId = principal.organizationId;
    if (organizationId === undefined) return;
    if (!partnershipIds || partnershipIds.length === 0) {
      throw validationFailed(
        [{ field: 'partnershipIds', messages: [`partnershipIds is required for a key bound to an organization (${organizationId}): name the partnerships to deliver`] }],
      );
    }
    for (const id of partnershipIds) {
      if ((await this.membership.status(organizationId, id, 'read')) === 'none') {
        throw new PartnershipNotFound(`Partnership ${id.toLowerCase()} does not exist`);
      }
    }
  }

  list(principal: Principal, options: { after?: string; limit: number }): Promise<SubscriptionPage> {
    const owner = ownerOf(principal);
    return this.subscriptions.list({ ...(owner ? { owner } : {}), ...options });
  }

  async get(principal: Principal, id: string): Promise<WebhookSubscription> {
    return (await this.subscriptions.get(id, ownerOf(principal))) ?? throwNotFound(id);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    if (!(await this.subscriptions.delete(id, ownerOf(principal)))) throwNotFound(id);
  }

  async pause(principal: Principal, id: string, reason?: string): Promise<WebhookSubscription> {
    return (await this.subscriptions.pause(id, ownerOf(principal), reason)) ?? throwNotFound(id);
  }

  async resume(principal: Principal, id: string): Promise<WebhookSubscription> {
    const subscription = (await this.subscriptions.resume(id, ownerOf(principal))) ?? throwNotFound(id);
    await this.offer(async () => enqueueHeads(this.deliveryQueue, await this.deliveries.allHeads(id), this.config.webhooks));
    return subscription;
  }

  async rotateSecret(principal: Principal, id: string): Promise<{ secret: string; subscription: WebhookSubscription }> {
    return (await this.subscriptions.rotateSecret(id, ownerOf(principal), this.config.webhooks.secretGraceSeconds)) ?? throwNotFound(id);
  }

  async replay(principal: Principal, id: string, fromPosition: bigint): Promise<{ generation: number; jobId: string }> {
    const generation = (await this.subscriptions.nextReplayGeneration(id, ownerOf(principal))) ?? throwNotFound(id);
    const data: ReplayJobData = { subscriptionId: id, generation, fromPosition: fromPosition.toString() };
    const jobId = replayJobId(id, generation);
    // Unlike a lane head, a replay exists only as this job: it must be taken now (503 otherwise).
    await this.dispatchQueue.add(WEBHOOK_JOBS.replay, data, { jobId, attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: 100, removeOnFail: 100 });
    return { generation, jobId };
  }

  async deliveriesOf(principal: Principal, id: string, options: { status?: DeliveryStatus; eventId?: string; before?: bigint; limit: number }): Promise<DeliveryPage> {
    await this.get(principal, id);
    return this.deliveries.list(id, options);
  }

  /** Re-drives one dead-lettered delivery, or all of them; returns how many lanes got work back. */
  async redrive(principal: Principal, id: string, deliveryId?: string): Promise<{ redriven: number }> {
    await this.get(principal, id);
    if (deliveryId !== undefined) {
      const status = await this.deliveries.status(id, deliveryId);
      if (status === null) throw new ProblemException(404, 'DELIVERY_NOT_FOUND', 'Not found', `No delivery ${deliveryId.slice(0, 60)} in subscription ${id}`);
      if (status !== 'dead_lettered') {
        throw new ProblemException(409, 'DELIVERY_NOT_DEAD_LETTERED', 'Conflict', `Delivery ${deliveryId} is ${status}; only dead-lettered deliveries can be re-driven`);
      }
    }
    const { redriven, lanes } = await this.deliveries.redrive(id, deliveryId);
    await this.offer(async () => enqueueHeads(this.deliveryQueue, await this.deliveries.heads(lanes), this.config.webhooks));
    return { redriven };
  }

  /** Best effort: the dispatcher's sweep offers whatever could not be enqueued now. */
  private async offer(enqueue: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        enqueue(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ENQUEUE_TIMEOUT_MS))),
      ]);
    } catch (error) {
      this.logger.warn(`Deliveries not enqueued now (the dispatcher's sweep will): ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function throwNotFound(id: string): never {
  throw subscriptionNotFound(id);
}
