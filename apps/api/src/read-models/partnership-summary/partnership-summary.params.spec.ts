import { ProblemException } from '../../http/problem';
import { decodeListCursor, encodeListCursor, parsePartnershipListQuery } from './partnership-summary.params';

function refusal(raw: Parameters<typeof parsePartnershipListQuery>[0]): ProblemException {
  try {
    parsePartnershipListQuery(raw);
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('parsePartnershipListQuery', () => {
  it('defaults to the first 50 items with no filter', () => {
    expect(parsePartnershipListQuery({})).toEqual({ limit: 50 });
    expect(parsePartnershipListQuery({ status: '', phase: '', organizationId: '', cursor: '', limit: '' })).toEqual({ limit: 50 });
  });

  it('accepts filters from the vocabulary, a client id, a cursor and a limit of 1–200', () => {
    expect(parsePartnershipListQuery({ status: 'paused', phase: 'pilot', organizationId: 'org-valley_1', cursor: encodeListCursor('1234'), limit: '200' })).toEqual({
      status: 'paused',
      phase: 'pilot',
      organizationId: 'org-valley_1',
      after: 1234n,
      limit: 200,
    });
    expect(parsePartnershipListQuery({ limit: '1' }).limit).toBe(1);
  });

  it('refuses every bad parameter at once, naming each, with INVALID_QUERY', () => {
    const problem = refusal({ status: 'dormant', phase: 'concluded', organizationId: 'org valley', cursor: 'not-a-cursor', limit: '201' });
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('INVALID_QUERY');
    expect((problem.extensions['errors'] as Array<{ field: string }>).map((e) => e.field)).toEqual([
      'query.status',
      'query.phase',
      'query.organizationId',
      'query.cursor',
      'query.limit',
    ]);
  });

  it.each([['0'], ['-1'], ['2.5'], ['abc'], ['1e2'], ['9999999']])('refuses the limit %s', (limit) => {
    expect(refusal({ limit }).code).toBe('INVALID_QUERY');
  });

  it('refuses a parameter given twice', () => {
    expect(refusal({ status: ['active', 'paused'] }).extensions['errors']).toEqual([{ field: 'query.status', messages: ['must be given once, as a single value'] }]);
  });

  it('refuses an organization id longer than 100 characters', () => {
    expect(refusal({ organizationId: 'o'.repeat(101) }).code).toBe('INVALID_QUERY');
  });
});

describe('list cursors', () => {
  it('are opaque base64url and round-trip the sort key', () => {
    const cursor = encodeListCursor('9007199254740993');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeListCursor(cursor)).toBe(9007199254740993n);
  });

  it.each([
    ['garbage', 'x!y'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['wrong version', Buffer.from(JSON.stringify({ v: 2, k: '1' })).toString('base64url')],
    ['a non-numeric key', Buffer.from(JSON.stringify({ v: 1, k: 'abc' })).toString('base64url')],
    ['a key beyond bigint', Buffer.from(JSON.stringify({ v: 1, k: '9999999999999999999' })).toString('base64url')],
    ['too long', 'a'.repeat(201)],
  ])('reject %s', (_name, raw) => {
    expect(decodeListCursor(raw)).toBeUndefined();
  });
});
