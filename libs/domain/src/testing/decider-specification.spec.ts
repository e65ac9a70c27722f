import type { Decider, DomainEvent } from '../shared/decider';
import { RuleViolation } from '../shared/domain-error';
import { DeciderSpecification, SpecificationFailure, deepEqual } from './decider-specification';

type Counted = DomainEvent<'Counted', { by: number; note?: string }>;
type Count = { type: 'Count'; data: { by: number }; metadata: Record<string, never> };

const counter: Decider<number, Count, Counted> = {
  initialState: () => 0,
  evolve: (state, event) => state + event.data.by,
  decide: (command, state) => {
    if (command.data.by < 0) throw new RuleViolation('OUT_OF_SEQUENCE', 'cannot count down', { state });
    return command.data.by === 0 ? [] : [{ type: 'Counted', data: { by: command.data.by } }];
  },
};
const spec = DeciderSpecification.for(counter);
const count = (by: number): Count => ({ type: 'Count', data: { by }, metadata: {} });
const counted = (by: number): Counted => ({ type: 'Counted', data: { by } });

describe('DeciderSpecification', () => {
  it('then: passes on equal events (a single event or a list) and returns them', () => {
    expect(
      spec
        .given([counted(2)])
        .when(count(3))
        .then(counted(3)),
    ).toEqual([counted(3)]);
    spec
      .given()
      .when(count(1))
      .then([counted(1)]);
  });

  it('then: treats undefined properties as absent', () => {
    spec
      .given([])
      .when(count(1))
      .then([{ type: 'Counted', data: { by: 1, note: undefined } }]);
  });

  it('then: fails with both lists and the first difference', () => {
    expect(() =>
      spec
        .given([])
        .when(count(1))
        .then([counted(2)]),
    ).toThrow(SpecificationFailure);
    expect(() =>
      spec
        .given([])
        .when(count(1))
        .then([counted(2)]),
    ).toThrow(/first difference at \$\[0\]\.data\.by: expected 2, received 1/);
  });

  it('then: fails when the command is refused, naming the code', () => {
    expect(() => spec.given([]).when(count(-1)).then([])).toThrow(/refused \(OUT_OF_SEQUENCE: cannot count down\)/);
  });

  it('thenThrows: matches a code or a predicate and returns the error', () => {
    const error = spec
      .given([counted(5)])
      .when(count(-1))
      .thenThrows('OUT_OF_SEQUENCE');
    expect(error.details).toEqual({ state: 5 });
    spec
      .given([])
      .when(count(-1))
      .thenThrows((e) => e.message === 'cannot count down');
    spec.given([]).when(count(-1)).thenThrows();
  });

  it('thenThrows: fails on another code, a failed predicate, or acceptance', () => {
    expect(() => spec.given([]).when(count(-1)).thenThrows('STUDY_GATES')).toThrow(
      /expected STUDY_GATES, got OUT_OF_SEQUENCE/,
    );
    expect(() =>
      spec
        .given([])
        .when(count(-1))
        .thenThrows(() => false),
    ).toThrow(/does not match the predicate/);
    expect(() => spec.given([]).when(count(1)).thenThrows('OUT_OF_SEQUENCE')).toThrow(/but it was accepted/);
  });

  it('thenThrows: fails on an error that is not a DomainError', () => {
    const broken = DeciderSpecification.for<number, Count, Counted>({
      ...counter,
      decide: () => {
        throw new TypeError('bug');
      },
    });
    expect(() => broken.given([]).when(count(1)).thenThrows()).toThrow(/expected a DomainError, got TypeError: bug/);
  });

  it('thenNothingHappened and thenState', () => {
    spec
      .given([counted(1)])
      .when(count(0))
      .thenNothingHappened();
    expect(() => spec.given([]).when(count(1)).thenNothingHappened()).toThrow(/expected no events/);
    spec
      .given([counted(1)])
      .when(count(2))
      .thenState((state, events) => {
        expect(state).toBe(3);
        expect(events).toEqual([counted(2)]);
      });
  });

  it('deepEqual compares structurally', () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });
});
