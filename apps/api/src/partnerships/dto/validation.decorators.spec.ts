import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ApprovalDto } from './approval.dto';
import { appendPath, validateAgainst } from './command-validation';
import { RecordReflectionDto, REFLECTION_RATINGS_SPEC } from './reflection-and-brokering.dto';
import { IsNested, isCalendarDate, keyedRecordIssues, keyedRecordSchema, PATH_ISSUES, type KeyedRecordSpec } from './validation.decorators';

describe('isCalendarDate', () => {
  it.each(['2026-09-01', '2024-02-29', '2000-02-29', '1999-12-31'])('accepts %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each(['2024-02-30', '2023-02-29', '1900-02-29', '2024-04-31', '2024-00-10', '2024-1-1', '2024-01-01T00:00:00Z', '+2024-01-01', '', 20240101, null])(
    'refuses %j',
    (value) => {
      expect(isCalendarDate(value)).toBe(false);
    },
  );
});

describe('keyed records', () => {
  const spec: KeyedRecordSpec = { keys: ['a', 'b'], keyName: 'letter', minKeys: 1, value: { min: 0, max: 9 } };

  it('reports each problem at its own path', () => {
    expect(keyedRecordIssues({ a: 10, c: 1 }, spec, 'counts')).toEqual([
      { path: ['a'], message: 'counts.a must be an integer from 0 to 9' },
      { path: ['c'], message: 'property c should not exist: letter must be one of a, b' },
    ]);
  });

  it('counts only allowed keys towards the minimum', () => {
    expect(keyedRecordIssues({ c: 1 }, spec, 'counts').map((i) => i.path)).toEqual([['c'], []]);
  });

  it('has no issues for a valid record', () => {
    expect(keyedRecordIssues({ b: 0 }, spec, 'counts')).toEqual([]);
  });

  it('describes nested records as closed JSON Schemas', () => {
    const schema = keyedRecordSchema({ keys: ['x'], keyName: 'outer', minKeys: 1, value: spec });
    expect(schema).toEqual({
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        x: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { a: { type: 'integer', minimum: 0, maximum: 9 }, b: { type: 'integer', minimum: 0, maximum: 9 } },
        },
      },
    });
  });

  it('gives consumers that do not expand the issues one message naming every problem', () => {
    const dto = plainToInstance(RecordReflectionDto, {
      instrument: 'Annual reflection',
      ratings: { research: { d1: 6 }, practice: { d7: 2 } },
      actionsAgreed: [],
    });
    const [error] = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    expect(error?.property).toBe('ratings');
    expect(error?.constraints).toEqual({
      isKeyedRecord:
        'ratings.research.d1 must be an integer from 1 to 5; property d7 should not exist: dimension must be one of d1, d2, d3, d4, d5; ' +
        'ratings.practice must have at least 1 dimension (d1, d2, d3, d4, d5)',
    });
    expect(typeof error?.contexts?.['isKeyedRecord']?.[PATH_ISSUES]).toBe('function');
  });

  it('ratings use the sides and dimensions of the vocabulary', () => {
    expect(REFLECTION_RATINGS_SPEC.keys).toEqual(['research', 'practice', 'community', 'intermediary', 'funder']);
    expect((REFLECTION_RATINGS_SPEC.value as KeyedRecordSpec).keys).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
  });
});

describe('appendPath', () => {
  it.each([
    ['data', 'name', false, 'data.name'],
    ['data', '0', true, 'data[0]'],
    ['data', '0', false, 'data["0"]'],
    ['data', 'odd key', false, 'data["odd key"]'],
    ['data', 'a.b', false, 'data["a.b"]'],
    ['', 'name', false, 'name'],
  ])('appendPath(%j, %j, %j) is %j', (base, key, isIndex, expected) => {
    expect(appendPath(base, key, isIndex)).toBe(expected);
  });
});

describe('IsNested', () => {
  class Holder {
    @IsNested(ApprovalDto)
    approval!: ApprovalDto;
  }
  const approval = { organizationId: 'org-riverbend-usd', kind: 'District research review', ref: 'RRB-1' };

  it('validates the nested object and reports its fields by path', () => {
    expect(validateAgainst(Holder, { approval }, 'data').ok).toBe(true);
    const result = validateAgainst(Holder, { approval: { ...approval, ref: '' } }, 'data');
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['data.approval.ref']);
  });

  it.each([
    ['an array of valid objects', [approval]],
    ['null', null],
    ['a string', 'RRB-1'],
  ])('refuses %s with one message', (_label, value) => {
    expect(validateAgainst(Holder, { approval: value }, 'data')).toEqual({
      ok: false,
      errors: [{ field: 'data.approval', messages: ['approval must be an object'] }],
    });
  });
});
