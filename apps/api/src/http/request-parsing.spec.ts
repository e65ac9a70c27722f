import type { FieldError } from './problem';
import { ProblemException } from './problem';
import { checkOccurredAt, parseIdempotencyKey, parseIfMatch, parseInstant, parseLimit, parseNonNegativeInteger, parsePartnershipId } from './request-parsing';

const problemCode = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof ProblemException ? `${e.status} ${e.code}` : 'other';
  }
  return 'none';
};

describe('parsePartnershipId', () => {
  it('accepts UUIDs and lower-cases them', () => {
    expect(parsePartnershipId('0193A000-0000-7000-8000-00000000ABCD')).toBe('0193a000-0000-7000-8000-00000000abcd');
  });
  it.each(['abc', '0193a000-0000-7000-8000', '0193a000-0000-7000-8000-00000000abcdx', "1' OR '1'='1"])('refuses %s with 400 INVALID_ID', (raw) => {
    expect(problemCode(() => parsePartnershipId(raw))).toBe('400 INVALID_ID');
  });
});

describe('parseIfMatch', () => {
  it('reads weak and strong ETags, and * pins nothing', () => {
    expect(parseIfMatch('W/"12"')).toBe(12n);
    expect(parseIfMatch('"0"')).toBe(0n);
    expect(parseIfMatch(' W/"7" ')).toBe(7n);
    expect(parseIfMatch('*')).toBeUndefined();
    expect(parseIfMatch(undefined)).toBeUndefined();
  });
  it.each(['12', 'W/12', 'W/"-1"', 'W/"1", W/"2"', 'W/"abc"'])('refuses %s with 400 INVALID_HEADER', (raw) => {
    expect(problemCode(() => parseIfMatch(raw))).toBe('400 INVALID_HEADER');
  });
});

describe('parseIdempotencyKey', () => {
  it('accepts 1–255 visible ASCII characters', () => {
    expect(parseIdempotencyKey('order-2026-11-22:42')).toBe('order-2026-11-22:42');
    expect(parseIdempotencyKey('x'.repeat(255))).toHaveLength(255);
  });
  it.each(['', 'has space', 'x'.repeat(256), 'ключ'])('refuses %j', (raw) => {
    expect(problemCode(() => parseIdempotencyKey(raw))).toBe('400 INVALID_HEADER');
  });
});

describe('parseInstant', () => {
  it('normalises RFC 3339 date-times with offsets to UTC, and dates to midnight UTC', () => {
    expect(parseInstant('2026-03-01T09:30:00+02:00')).toEqual({ ok: true, iso: '2026-03-01T07:30:00.000Z' });
    expect(parseInstant('2026-03-01T09:30:00.123456Z')).toEqual({ ok: true, iso: '2026-03-01T09:30:00.123Z' });
    expect(parseInstant('2026-03-01')).toEqual({ ok: true, iso: '2026-03-01T00:00:00.000Z' });
  });
  it.each(['2026-02-30', '2026-13-01', '2026-03-01T24:00:00Z', '2026-03-01T10:00:00', 'March 1', 1700000000, '1850-01-01'])('refuses %j', (raw) => {
    expect(parseInstant(raw).ok).toBe(false);
  });
});

describe('checkOccurredAt', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  it('accepts the past and the present, refuses the future', () => {
    const errors: FieldError[] = [];
    expect(checkOccurredAt('2026-11-22T12:00:00Z', now, errors)).toBe('2026-11-22T12:00:00.000Z');
    expect(checkOccurredAt('2026-11-22T12:00:01Z', now, errors)).toBeUndefined();
    expect(errors).toEqual([{ field: 'occurredAt', messages: ['occurredAt must not be in the future'] }]);
  });
});

describe('query numbers', () => {
  it('parses non-negative integers and limits within bounds', () => {
    expect(parseNonNegativeInteger('42', 'afterRevision')).toBe(42n);
    expect(parseNonNegativeInteger(undefined, 'afterRevision')).toBeUndefined();
    expect(parseLimit(undefined, 100, 1000)).toBe(100);
    expect(parseLimit('1000', 100, 1000)).toBe(1000);
  });
  it.each(['-1', '1.5', 'abc', '99999999999999999999'])('refuses afterRevision=%s', (raw) => {
    expect(problemCode(() => parseNonNegativeInteger(raw, 'afterRevision'))).toBe('400 INVALID_QUERY');
  });
  it.each(['0', '1001', 'ten'])('refuses limit=%s', (raw) => {
    expect(problemCode(() => parseLimit(raw, 100, 1000))).toBe('400 INVALID_QUERY');
  });
});
