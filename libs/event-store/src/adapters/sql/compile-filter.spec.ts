import { InvalidAppendError } from '../../core/event-store.errors';
import { compileFilter } from './sql-event-store';

describe('compileFilter', () => {
  it('is undefined without criteria', () => {
    expect(compileFilter(undefined)).toBeUndefined();
    expect(compileFilter({})).toBeUndefined();
  });

  it('turns prefixes into LIKE patterns with their wildcards escaped', () => {
    expect(compileFilter({ streamPrefix: 'partnership-' })).toEqual({ streamPatterns: ['partnership-%'] });
    expect(compileFilter({ streamPrefix: ['a%b_', 'c\\d'], eventTypes: ['X'] })).toEqual({
      eventTypes: ['X'],
      streamPatterns: ['a\\%b\\_%', 'c\\\\d%'],
    });
  });

  it('keeps empty lists (they match nothing) and refuses non-strings', () => {
    expect(compileFilter({ eventTypes: [] })).toEqual({ eventTypes: [] });
    expect(() => compileFilter({ eventTypes: [1 as unknown as string] })).toThrow(InvalidAppendError);
  });
});
