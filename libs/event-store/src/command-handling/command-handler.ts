/**
 * The one generic command pipeline (DESIGN.md §4): load the stream, fold it, decide, append with
 * the revision the decision was based on. Without a caller-pinned revision (If-Match) a conflict is
 * retried from a fresh read a bounded number of times; with one, the conflict is the caller's.
 *
 * Generic over any decider, so this library never learns what a partnership is.
 */
import type { EventStore, EventToAppend, RecordedEvent } from '../core/event-store.port';
import { WrongExpectedRevisionError } from '../core/event-store.errors';
import { StateCache } from './state-cache';

export interface DeciderLike<State, Command, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
  /** A step function for one fold over many events (only its last state is kept); default `evolve`. */
  folder?(): (state: State, event: Event) => State;
}

export interface CommandHandlerOptions<State, Command, Event, Context = unknown> {
  readonly decider: DeciderLike<State, Command, Event>;
  /** Maps a stored event to the decider's event shape. */
  fromRecorded(event: RecordedEvent): Event;
  /** Gives decided events their envelope (ids, schema versions, metadata), in order. */
  toAppend(events: readonly Event[], command: Command, context: Context): EventToAppend[];
  /** Conflict retries when the caller did not pin a revision. */
  readonly maxRetries: number;
  /**
   * Upper bound of the first retry's random delay, doubled on each further retry ("full jitter"):
   * writers that collided spread out instead of colliding again in lockstep. Default 4 ms.
   */
  readonly retryBaseDelayMs?: number;
  /**
   * Folded states kept between commands, keyed by stream and revision (events are immutable, so a
   * cached state at revision r stays right forever). Requires `evolve` not to mutate its input.
   */
  readonly stateCacheSize?: number;
}

export interface LoadedStream<State> {
  readonly state: State;
  /** Revision of the last event, or -1n when the stream does not exist. */
  readonly revision: bigint;
}

export interface HandledCommand<State> {
  readonly streamId: string;
  readonly events: ReadonlyArray<{ eventId: string; type: string; revision: bigint; position: bigint }>;
  /** The stream's revision after the command. */
  readonly revision: bigint;
  readonly state: State;
  /** True when the events were already in the stream (an idempotent re-append). */
  readonly idempotent: boolean;
}

export interface HandleOptions<Context = unknown> {
  /** Passed to `toAppend` (request-level envelope facts: correlation id, actor, …). */
  readonly context?: Context;
  /** Pinned by the caller (If-Match): a mismatch is not retried. -1n means "the stream must not exist". */
  readonly expectedRevision?: bigint;
  /** Called with the events about to be appended, after deciding and before appending. */
  readonly beforeAppend?: (events: readonly EventToAppend[]) => Promise<void>;
}

/** Retries after revision conflicts were exhausted. */
export class ConcurrencyRetriesExhaustedError extends Error {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(readonly streamId: string, readonly attempts: number) {
    super(`Stream ${streamId} kept changing; gave up after ${attempts} attempts`);
    this.name = 'ConcurrencyRetriesExhaustedError';
  }
}

const MAX_RETRY_DELAY_MS = 250;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CommandHandler<State, Command, Event, Context = unknown> {
  private readonly cache?: StateCache<State>;

  constructor(
    private readonly store: EventStore,
    private readonly options: CommandHandlerOptions<State, Command, Event, Context>,
  ) {
    if (options.stateCacheSize && options.stateCacheSize > 0) this.cache = new StateCache(options.stateCacheSize);
  }

  /** Folds the stream (from the cached state when there is one). */
  async load(streamId: string): Promise<LoadedStream<State>> {
    const cached = this.cache?.get(streamId);
    let state = cached?.state ?? this.options.decider.initialState();
    let revision = cached?.revision ?? -1n;
    const decider = this.options.decider;
    const step = decider.folder?.() ?? ((s: State, e: Event) => decider.evolve(s, e));
    for await (const event of this.store.readStream(streamId, { fromRevision: revision + 1n })) {
      state = step(state, this.options.fromRecorded(event));
      revision = event.revision;
    }
    if (revision >= 0n) this.cache?.set(streamId, { revision, state });
    return { state, revision };
  }

  async handle(streamId: string, command: Command, options: HandleOptions<Context> = {}): Promise<HandledCommand<State>> {
    const pinned = options.expectedRevision;
    const attempts = pinned === undefined ? this.options.maxRetries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(streamId);
      if (pinned !== undefined && pinned !== revision) {
        throw new WrongExpectedRevisionError(streamId, pinned < 0n ? 'no_stream' : pinned, revision);
      }
      const decided = this.options.decider.decide(command, state);
      if (decided.length === 0) return { streamId, events: [], revision, state, idempotent: false };
      const toAppend = this.options.toAppend(decided, command, options.context as Context);
      await options.beforeAppend?.(toAppend);
      try {
        const result = await this.store.append(streamId, toAppend, {
          expectedRevision: revision < 0n ? 'no_stream' : revision,
        });
        let next = state;
        if (!result.idempotent) {
          for (const e of decided) next = this.options.decider.evolve(next, e);
          this.cache?.set(streamId, { revision: result.nextExpectedRevision, state: next });
        }
        return {
          streamId,
          events: result.events.map((e, i) => ({ ...e, type: toAppend[i]?.type ?? '' })),
          revision: result.nextExpectedRevision,
          state: result.idempotent ? (await this.load(streamId)).state : next,
          idempotent: result.idempotent,
        };
      } catch (e) {
        if (!(e instanceof WrongExpectedRevisionError)) throw e;
        if (pinned !== undefined) throw e;
        if (attempt >= attempts) throw new ConcurrencyRetriesExhaustedError(streamId, attempt);
        await sleep(Math.random() * Math.min(MAX_RETRY_DELAY_MS, (this.options.retryBaseDelayMs ?? 4) * 2 ** (attempt - 1)));
      }
    }
  }
}
