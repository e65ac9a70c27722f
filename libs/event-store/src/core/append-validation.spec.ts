import { InvalidAppendError } from './event-store.errors';
import { normalizeAppend } from './append-validation';

const id = '018F2B6E-7A4B-7C3D-9E1F-0A1B2C3D4E5F';
const event = (overrides: Record<string, unknown> = {}) => ({ eventId: id, type: 'T', schemaVersion: 1, data: {}, metadata: {}, ...overrides });

describe('normalizeAppend', () => {
  it('lower-cases ids and reduces data and metadata to plain JSON', () => {
    const [normalized] = normalizeAppend('s', [event({ data: { at: new Date('2024-01-01T00:00:00Z'), gone: undefined, n: 1 } })], 'any');
    expect(normalized).toEqual({
      eventId: id.toLowerCase(),
      type: 'T',
      schemaVersion: 1,
      data: { at: '2024-01-01T00:00:00.000Z', n: 1 },
      metadata: {},
    });
  });

  it.each([
    ['an empty append', 's', [], 'any'],
    ['a missing stream id', '', [event()], 'any'],
    ['a bad event id', 's', [event({ eventId: 'nope' })], 'any'],
    ['an empty type', 's', [event({ type: ' ' })], 'any'],
    ['a schemaVersion of 0', 's', [event({ schemaVersion: 0 })], 'any'],
    ['a fractional schemaVersion', 's', [event({ schemaVersion: 1.5 })], 'any'],
    ['data that is an array', 's', [event({ data: [] })], 'any'],
    ['metadata.prevHash', 's', [event({ metadata: { prevHash: 'x' } })], 'any'],
    ['metadata.hash', 's', [event({ metadata: { hash: 'x' } })], 'any'],
    ['a repeated event id', 's', [event(), event({ eventId: id.toLowerCase() })], 'any'],
    ['a NUL character', 's', [event({ data: { s: 'a\u0000b' } })], 'any'],
    ['a lone surrogate', 's', [event({ metadata: { s: '\ud800' } })], 'any'],
    ['a bigint in data', 's', [event({ data: { n: 1n } })], 'any'],
    ['an unknown expectedRevision', 's', [event()], 'latest'],
    ['a revision below -1', 's', [event()], -2n],
  ])('refuses %s', (_label, streamId, events, expected) => {
    expect(() => normalizeAppend(streamId, events, expected)).toThrow(InvalidAppendError);
  });

  it('accepts an escaped backslash before text that looks like an escape', () => {
    expect(() => normalizeAppend('s', [event({ data: { s: '\\u0000 and \\ud800' } })], -1n)).not.toThrow();
  });
});
