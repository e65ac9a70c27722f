import { PHASES, type Phase } from '../shared/vocabulary';
import {
  BACKWARD_EDGES,
  FORWARD_EDGES,
  PHASE_GATES,
  SKIP_EDGES,
  addDays,
  transitionDirection,
} from './partnership.rules';

describe('the phase graph', () => {
  it('has DOMAIN.md’s twelve forward, nine backward and eight skip edges, none overlapping', () => {
    expect(FORWARD_EDGES).toHaveLength(12);
    expect(BACKWARD_EDGES).toHaveLength(9);
    expect(SKIP_EDGES).toHaveLength(8);
    const keys = [...FORWARD_EDGES, ...BACKWARD_EDGES, ...SKIP_EDGES].map(([f, t]) => `${f}>${t}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('leaves concluded with no edge at all', () => {
    for (const to of PHASES) expect(transitionDirection('concluded', to)).toBeUndefined();
  });

  it('lets every open phase reach concluded (early conclusion is a skip, except from use_dissemination)', () => {
    const open = PHASES.filter((p): p is Exclude<Phase, 'concluded'> => p !== 'concluded');
    for (const from of open) {
      expect(transitionDirection(from, 'concluded')).toBe(from === 'use_dissemination' ? 'forward' : 'skip');
    }
  });

  it('gives every gate a forward edge from each phase it may be recorded in', () => {
    for (const { target, from } of Object.values(PHASE_GATES)) {
      for (const phase of from) expect(transitionDirection(phase, target)).toBe('forward');
    }
  });
});

describe('addDays (UTC calendar arithmetic)', () => {
  it.each([
    ['2024-01-31', 1, '2024-02-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2024-12-31', 1, '2025-01-01'],
    ['2024-03-09', 1, '2024-03-10'], // a US daylight-saving change is irrelevant in UTC
    ['2024-10-27', 1, '2024-10-28'], // and so is the EU one
    ['2024-06-30', 0, '2024-06-30'],
    ['2024-01-01', 366, '2025-01-01'],
    ['2024-03-01', -1, '2024-02-29'],
  ])('%s + %i = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});
