/**
 * Given/when/then specifications for deciders, after Emmett's `DeciderSpecification`:
 *
 *   const spec = DeciderSpecification.for(partnershipDecider);
 *   spec.given(history).when(command).then([expectedEvents]);
 *   spec.given(history).when(command).thenThrows('STUDY_GATES');
 *
 * It asserts by throwing plain `Error`s (no test-runner globals), so it works under any runner and
 * compiles wherever the library does. Comparison is structural; properties whose value is
 * `undefined` count as absent (as they do once serialised to JSON).
 */
import { DomainError } from '../shared/domain-error';
import type { Command, Decider, DomainEvent } from '../shared/decider';

export class SpecificationFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecificationFailure';
  }
}

/** A rule code (`'STUDY_GATES'`, `'PARTNERSHIP_NOT_FOUND'`, …) or a predicate on the thrown error. */
export type ErrorExpectation = string | ((error: DomainError) => boolean);

export interface ThenClause<State, E extends DomainEvent> {
  /** The decided events equal `expected` (in order; metadata of `expected` ignored when absent). */
  then(expected: E | readonly E[]): E[];
  /** `decide` throws a DomainError matching the code or predicate; returns it for further checks. */
  thenThrows(expectation?: ErrorExpectation): DomainError;
  /** `decide` returns no events. */
  thenNothingHappened(): void;
  /** The state after folding the decided events into the given state. */
  thenState(check: (state: State, events: E[]) => void): void;
}

export interface WhenClause<State, C extends Command, E extends DomainEvent> {
  when(command: C): ThenClause<State, E>;
}

export interface Specification<State, C extends Command, E extends DomainEvent> {
  given(events?: E | readonly E[]): WhenClause<State, C, E>;
}

export const DeciderSpecification = {
  for<State, C extends Command, E extends DomainEvent>(decider: Decider<State, C, E>): Specification<State, C, E> {
    return {
      given(givenEvents = []) {
        const history = asArray(givenEvents);
        return {
          when(command) {
            const state = () => history.reduce<State>((s, e) => decider.evolve(s, e), decider.initialState());
            const run = (): { state: State; events: E[] } => {
              const current = state();
              return { state: current, events: decider.decide(command, current) };
            };
            return {
              then(expected) {
                const { events } = runOrFail(run, command);
                const want = asArray(expected);
                if (!deepEqual(events, want)) {
                  throw new SpecificationFailure(
                    `${command.type}: decided events differ from the expected ones.\n` +
                      `expected: ${show(want)}\n` +
                      `received: ${show(events)}\n${firstDifference(want, events)}`,
                  );
                }
                return events;
              },
              thenThrows(expectation) {
                let events: E[];
                try {
                  events = run().events;
                } catch (error) {
                  if (!DomainError.is(error)) {
                    throw new SpecificationFailure(`${command.type}: expected a DomainError, got ${String(error)}`);
                  }
                  if (typeof expectation === 'string' && error.code !== expectation) {
                    throw new SpecificationFailure(
                      `${command.type}: expected ${expectation}, got ${error.code}: ${error.message}`,
                    );
                  }
                  if (typeof expectation === 'function' && !expectation(error)) {
                    throw new SpecificationFailure(
                      `${command.type}: the thrown ${error.code} does not match the predicate: ${error.message}`,
                    );
                  }
                  return error;
                }
                throw new SpecificationFailure(
                  `${command.type}: expected ${typeof expectation === 'string' ? expectation : 'a DomainError'}, but it was accepted with ${show(events)}`,
                );
              },
              thenNothingHappened() {
                const { events } = runOrFail(run, command);
                if (events.length > 0) {
                  throw new SpecificationFailure(`${command.type}: expected no events, got ${show(events)}`);
                }
              },
              thenState(check) {
                const { state: before, events } = runOrFail(run, command);
                check(
                  events.reduce<State>((s, e) => decider.evolve(s, e), before),
                  events,
                );
              },
            };
          },
        };
      },
    };
  },
};

function runOrFail<T>(run: () => T, command: Command): T {
  try {
    return run();
  } catch (error) {
    const detail = DomainError.is(error) ? `${error.code}: ${error.message}` : String(error);
    throw new SpecificationFailure(`${command.type}: expected to be accepted, but it was refused (${detail})`);
  }
}

function asArray<T>(value: T | readonly T[]): T[] {
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

const show = (value: unknown): string => JSON.stringify(value, null, 2);

/** Structural equality; object properties that are `undefined` count as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const keys = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** A pointer to the first differing path, to read long event lists quickly. */
function firstDifference(expected: unknown, received: unknown, path = '$'): string {
  if (deepEqual(expected, received)) return '';
  if (typeof expected === 'object' && typeof received === 'object' && expected !== null && received !== null) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(received)]);
    for (const key of keys) {
      const e = (expected as Record<string, unknown>)[key];
      const r = (received as Record<string, unknown>)[key];
      if (!deepEqual(e, r))
        return firstDifference(e, r, Array.isArray(expected) ? `${path}[${key}]` : `${path}.${key}`);
    }
  }
  return `first difference at ${path}: expected ${JSON.stringify(expected)}, received ${JSON.stringify(received)}`;
}
