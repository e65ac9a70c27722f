/**
 * Writes realistic partnership histories straight into an event store (no HTTP), fast: every
 * command is decided by the real partnership decider (TestLog, with the histories of
 * `read-model-histories`: the tool path, the state-agency path, pilots, a closed and an abandoned
 * partnership), then appended with its partnership's exact expected revision. Histories of many
 * partnerships interleave in `$all`, as they do in production.
 *
 * One writer (one TestLog) per log: TestLog's event ids are unique within the log only. Used by the
 * resilience tests and by the benchmarks (bench/) to generate logs of any size.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend, RecordedEvent } from '@trellis/event-store';
import { abandonedCommands, closedCommands, pilotCommands, stateAgencyCommands, toolPathCommands } from './read-model-histories';
import { TestLog, type LogCommand, type PartnershipLog } from './test-log';

/** The read-model history templates a writer takes in turn. */
export const HISTORY_TEMPLATES: ReadonlyArray<() => LogCommand[]> = [toolPathCommands, stateAgencyCommands, pilotCommands, closedCommands, abandonedCommands];

/** One append: consecutive commands of one partnership. */
export interface PlannedAppend {
  readonly partnershipId: string;
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expectedRevision: bigint | 'no_stream';
}

export interface CreatedPartnership {
  readonly partnershipId: string;
  /** Position of its PartnershipProposed event. */
  readonly position: bigint;
  /** Date.now() when the proposal's append returned. */
  readonly at: number;
}

export interface ContinuousWriter {
  /** Stops after the appends in flight; rejects with the first append error, if any. */
  stop(): Promise<{ appends: number; events: number }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HistoryWriter {
  private readonly log = new TestLog();
  private nextTemplate = 0;
  /** Every partnership whose proposal was appended, in append order. */
  readonly created: CreatedPartnership[] = [];
  events = 0;

  constructor(private readonly store: EventStore) {}

  /**
   * Decides the histories of `partnerships` new partnerships (the templates in turn) and splits
   * them into appends of up to `commandsPerAppend` commands, interleaved round-robin.
   */
  plan(partnerships: number, commandsPerAppend = 8): PlannedAppend[] {
    const plans = Array.from({ length: partnerships }, () => ({ p: this.log.partnership(randomUUID()), commands: this.template(), next: 0 }));
    const appends: PlannedAppend[] = [];
    for (let open = plans.length; open > 0; ) {
      open = 0;
      for (const plan of plans) {
        if (plan.next >= plan.commands.length) continue;
        const group = plan.commands.slice(plan.next, plan.next + commandsPerAppend);
        plan.next += group.length;
        appends.push(toAppend(plan.p, plan.p.run(group)));
        if (plan.next < plan.commands.length) open += 1;
      }
    }
    this.forgetDecided();
    return appends;
  }

  /** Appends in order per partnership, partnerships concurrently (up to `concurrency` appends in flight). */
  async append(appends: readonly PlannedAppend[], concurrency = 256): Promise<void> {
    const tails = new Map<string, Promise<void>>();
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    for (const a of appends) {
      if (failure) break;
      const previous = tails.get(a.streamId) ?? Promise.resolve();
      const done = previous.then(() => this.appendOne(a));
      tails.set(a.streamId, done);
      const tracked = done.then(
        () => void inFlight.delete(tracked),
        (error: unknown) => {
          failure ??= error;
          inFlight.delete(tracked);
        },
      );
      inFlight.add(tracked);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
  }

  /** Plans and appends `partnerships` histories in slices, deciding the next slice while the previous one is written. */
  async write(partnerships: number, options: { slice?: number; commandsPerAppend?: number; concurrency?: number } = {}): Promise<void> {
    const slice = options.slice ?? 100;
    let pending: Promise<void> = Promise.resolve();
    for (let done = 0; done < partnerships; done += slice) {
      const appends = this.plan(Math.min(slice, partnerships - done), options.commandsPerAppend);
      await pending;
      pending = this.append(appends, options.concurrency);
    }
    await pending;
  }

  /**
   * Keeps appending until stopped: `lanes` loops, each moving `active` partnerships forward one
   * command per append, round-robin, starting a new partnership whenever one has played out its
   * history; `pauseMs` between a lane's appends.
   */
  continuous(options: { lanes?: number; active?: number; pauseMs?: number } = {}): ContinuousWriter {
    const { lanes = 1, active = 8, pauseMs = 5 } = options;
    let stopping = false;
    let appends = 0;
    const eventsBefore = this.events;
    const lane = async () => {
      const slots = Array.from({ length: active }, () => ({ p: this.log.partnership(randomUUID()), commands: this.template(), next: 0 }));
      for (let i = 0; !stopping; i = (i + 1) % slots.length) {
        let slot = slots[i]!;
        if (slot.next >= slot.commands.length) slot = slots[i] = { p: this.log.partnership(randomUUID()), commands: this.template(), next: 0 };
        const append = toAppend(slot.p, slot.p.run([slot.commands[slot.next]!]));
        this.forgetDecided();
        await this.appendOne(append);
        slot.next += 1;
        appends += 1;
        if (pauseMs > 0) await sleep(pauseMs);
      }
    };
    const running = Promise.all(Array.from({ length: lanes }, () => lane()));
    // Surface a failure at stop(), not as an unhandled rejection in between.
    running.catch(() => undefined);
    return {
      stop: async () => {
        stopping = true;
        await running;
        return { appends, events: this.events - eventsBefore };
      },
    };
  }

  /** The decided events live on in the appends; the log need not keep them (a long run would grow without bound). */
  private forgetDecided(): void {
    this.log.events.length = 0;
  }

  private template(): LogCommand[] {
    const t = HISTORY_TEMPLATES[this.nextTemplate % HISTORY_TEMPLATES.length]!;
    this.nextTemplate += 1;
    return t();
  }

  private async appendOne(a: PlannedAppend): Promise<void> {
    const result = await this.store.append(a.streamId, a.events, { expectedRevision: a.expectedRevision });
    this.events += a.events.length;
    const proposal = a.events.findIndex((e) => e.type === 'PartnershipProposed');
    if (proposal >= 0) this.created.push({ partnershipId: a.partnershipId, position: result.events[proposal]!.position, at: Date.now() });
  }
}

/** Decided events as the append that records them, with the partnership's exact expected revision. */
export function toAppend(p: PartnershipLog, recorded: readonly RecordedEvent[]): PlannedAppend {
  const first = recorded[0];
  if (!first) throw new Error(`no events decided for ${p.partnershipId}`);
  return {
    partnershipId: p.partnershipId,
    streamId: p.streamId,
    expectedRevision: first.revision === 0n ? 'no_stream' : first.revision - 1n,
    // The store chains the hashes itself: callers must not set prevHash / hash.
    events: recorded.map(({ eventId, type, schemaVersion, data, metadata }) => {
      const { prevHash: _prev, hash: _hash, ...rest } = metadata;
      return { eventId, type, schemaVersion, data, metadata: rest };
    }),
  };
}
