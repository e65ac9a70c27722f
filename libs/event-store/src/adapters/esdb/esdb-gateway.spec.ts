/**
 * GrpcSubscriptionItems over the client's own Subscription stream class (6.2.1), fed with
 * hand-made gRPC responses instead of a server (none can run on these machines): checkpoints and
 * `caughtUp` come out in order with the events, and a dropped stream surfaces as an error.
 */
import { PassThrough } from 'node:stream';
import type { AllStreamSubscription } from '@eventstore/db-client';
import { GrpcSubscriptionItems, type EsdbSubscriptionItem } from './esdb-gateway';

// The client's Transform behind subscribeToAll; not part of its public exports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Subscription } = require('@eventstore/db-client/dist/streams/utils/Subscription') as {
  Subscription: new (
    create: () => Promise<PassThrough>,
    convert: (e: unknown) => unknown,
    options: object,
    checkpointReached?: (s: unknown, p: { commit: bigint; prepare: bigint }) => Promise<void>,
  ) => AllStreamSubscription;
};

const eventResponse = (n: number) => ({
  hasEvent: () => true,
  getEvent: () => ({
    event: { streamId: 's', id: `id-${n}`, revision: BigInt(n), type: 'T', data: { n }, metadata: {}, position: { commit: BigInt(n * 100), prepare: BigInt(n * 100) } },
  }),
});
const checkpointResponse = (commit: number) => ({
  hasCheckpoint: () => true,
  getCheckpoint: () => ({ getCommitPosition: () => String(commit), getPreparePosition: () => '0' }),
});
const caughtUpResponse = () => ({ hasCaughtUp: () => true });

function open(): { grpc: PassThrough; items: GrpcSubscriptionItems } {
  // Stands in for the gRPC call the client pipes from (and cancels on unsubscribe).
  const grpc = Object.assign(new PassThrough({ objectMode: true }), { cancel: () => grpc.destroy() });
  const items = new GrpcSubscriptionItems();
  items.attach(new Subscription(() => Promise.resolve(grpc), (e) => e, {}, (_s, position) => items.checkpoint(position)));
  return { grpc, items };
}

const describeItem = (item: EsdbSubscriptionItem) =>
  item.kind === 'event' ? `event ${item.record.revision}` : item.kind === 'checkpoint' ? `checkpoint ${item.position.commit}` : item.kind;

describe('GrpcSubscriptionItems (client Subscription stream, no server)', () => {
  it('hands out events, checkpoints and caughtUp in server order, pulling one at a time', async () => {
    const { grpc, items } = open();
    for (const response of [eventResponse(1), eventResponse(2), checkpointResponse(250), eventResponse(3), caughtUpResponse(), eventResponse(4)]) {
      grpc.write(response);
    }
    const seen: string[] = [];
    while (seen.length < 6) {
      const next = await items.next();
      seen.push(describeItem(next.value!));
    }
    // A checkpoint never overtakes the events sent before it, nor is it delayed past later ones
    // (the client waits for it before transforming more). `caughtUp` is never early; it may come
    // after events the server sent later, which only makes it conservative.
    expect(seen.slice(0, 4)).toEqual(['event 1', 'event 2', 'checkpoint 250', 'event 3']);
    expect(seen.slice(4).sort()).toEqual(['caughtUp', 'event 4']);
    const record = await (async () => {
      grpc.write(eventResponse(5));
      return (await items.next()).value;
    })();
    expect(record).toMatchObject({ kind: 'event', record: { eventId: 'id-5', position: { commit: 500n, prepare: 500n } } });
    await items.close();
    expect(await items.next()).toEqual({ done: true, value: undefined });
  });

  it('rejects next() when the gRPC stream fails, so the subscription can resubscribe', async () => {
    const { grpc, items } = open();
    grpc.write(eventResponse(1));
    expect((await items.next()).value).toMatchObject({ kind: 'event' });
    const pending = items.next();
    grpc.destroy(Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: 14, details: 'Connection dropped', metadata: { getMap: () => ({}) } }));
    await expect(pending).rejects.toThrow(/UNAVAILABLE|dropped/i);
    await items.close();
  });
});
