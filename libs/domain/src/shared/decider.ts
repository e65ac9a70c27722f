/**
 * Event sourcing as small pure functions over plain data (after Emmett): a decider turns a command
 * and the current state into new events; `evolve` folds events into state.
 */
export type Command<Type extends string = string, Data = unknown, Metadata = unknown> = Readonly<{
  type: Type;
  data: Readonly<Data>;
  metadata: Readonly<Metadata>;
}>;

/**
 * A domain event: plain readonly data. `metadata` is present when the event was read back from the
 * store (the domain only ever looks at `occurredAt` and `eventId` in it); freshly decided events
 * carry none — the command pipeline adds the envelope.
 */
export type DomainEvent<Type extends string = string, Data = unknown> = Readonly<{
  type: Type;
  data: Readonly<Data>;
  metadata?: Readonly<RecordedEventInfo>;
}>;

export interface RecordedEventInfo {
  eventId: string;
  occurredAt: string;
  recordedAt: string;
}

export interface Decider<State, C extends Command, E extends DomainEvent> {
  decide(command: C, state: State): E[];
  evolve(state: State, event: E): State;
  initialState(): State;
  /**
   * Optional: a step function for one fold over many events, equal to `evolve` in result but free to
   * reuse what it built in earlier steps of the same fold (only the last state may be kept).
   */
  folder?(): (state: State, event: E) => State;
}

/** Folds events into state, starting from the decider's initial state. */
export function fold<State, E extends DomainEvent>(
  decider: Pick<Decider<State, never, E>, 'evolve' | 'initialState' | 'folder'>,
  events: Iterable<E>,
): State {
  const step = decider.folder?.() ?? ((s: State, e: E) => decider.evolve(s, e));
  let state = decider.initialState();
  for (const event of events) state = step(state, event);
  return state;
}
