/**
 * The live streams of `GET /events/stream`. Each one is a catch-up subscription to `$all` (stored
 * events after the resume position, then live appends, through one cursor: no gap and no duplicate at
 * the switch) written as SSE. It pulls the next event only once the previous one is written out, so
 * a slow client holds at most one page of the subscription. A stream ends, leaving no subscription or
 * timer behind, when the client leaves, when the store fails (the client resumes with Last-Event-ID),
 * or when the application shuts down (before the HTTP server waits for its connections to close).
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { EVENT_STORE, toExportedEvent, type EventStore, type EventSubscription } from '@trellis/event-store';
import { TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { ProblemException } from '../http/problem';
import type { FeedFilter } from './event-feed.params';
import { inProcessMatcher, toStoreFilter } from './event-feed.query';
import type { EventPredicate } from './event-visibility';
import { SseWriter } from './sse-writer';

export interface StreamRequest {
  readonly after?: bigint;
  readonly filter: FeedFilter;
  readonly visible?: EventPredicate;
}

interface OpenStream {
  /** Ends the response and closes the subscription (which wakes it if it waits for appends). */
  stop(): void;
  readonly done: Promise<void>;
}

@Injectable()
export class EventStreams implements BeforeApplicationShutdown {
  private readonly logger = new Logger('EventStreams');
  private readonly streams = new Set<OpenStream>();
  private shuttingDown = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(TRELLIS_CONFIG) private readonly config: Pick<TrellisConfig, 'sseHeartbeatMs'>,
  ) {}

  /** Streams currently open (for tests and metrics). */
  get openCount(): number {
    return this.streams.size;
  }

  /**
   * Serves one stream until it ends. Throws (before anything is written) only when the application
   * is shutting down; afterwards failures end the response, since the headers are gone.
   */
  serve(res: ServerResponse, request: StreamRequest): Promise<void> {
    if (this.shuttingDown) {
      throw new ProblemException(503, 'SERVICE_UNAVAILABLE', 'Shutting down', 'The server is shutting down; reconnect in a moment', {}, { 'Retry-After': '1' });
    }
    const writer = new SseWriter(res, this.config.sseHeartbeatMs);
    const storeFilter = toStoreFilter(request.filter);
    const subscription = this.store.subscribeAll({
      ...(request.after !== undefined ? { after: request.after } : {}),
      ...(storeFilter ? { filter: storeFilter } : {}),
    });
    const stop = () => {
      writer.end();
      void subscription.close();
    };
    // The client left: stop at once, even while the subscription waits for appends (or already
    // left while the request was being authenticated, in which case 'close' will not come again).
    res.once('close', stop);
    if (res.destroyed || !res.socket || res.socket.destroyed) stop();
    const stream: OpenStream = {
      stop,
      done: this.pump(writer, subscription, inProcessMatcher(request.filter, request.visible)).finally(() => {
        res.off('close', stop);
        this.streams.delete(stream);
      }),
    };
    this.streams.add(stream);
    return stream.done;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    const open = [...this.streams];
    for (const stream of open) stream.stop();
    await Promise.all(open.map((s) => s.done));
  }

  private async pump(writer: SseWriter, subscription: EventSubscription, matches: EventPredicate | undefined): Promise<void> {
    try {
      writer.open();
      for await (const event of subscription) {
        if (writer.closed) break;
        if (matches && !(await matches(event))) continue;
        await writer.send({ id: event.position.toString(), event: event.type, data: JSON.stringify(toExportedEvent(event)) });
        if (writer.closed) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Event stream ended by an error; the client resumes with Last-Event-ID');
    } finally {
      writer.end();
      await subscription.close();
    }
  }
}
