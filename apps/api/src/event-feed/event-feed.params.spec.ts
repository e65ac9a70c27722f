import { ProblemException } from '../http/problem';
import { parseFeedQuery, parseStreamQuery } from './event-feed.params';

const ID = '0193A1B2-0000-7000-8000-00000000000A';

function refusal(parse: () => unknown): ProblemException {
  try {
    parse();
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('parseFeedQuery', () => {
  it('defaults to 100 events from the beginning, unfiltered', () => {
    expect(parseFeedQuery({})).toEqual({ limit: 100, filter: {} });
    expect(parseFeedQuery({ after: '', limit: '', types: '', partnershipId: '' })).toEqual({ limit: 100, filter: {} });
  });

  it('accepts a position up to 2^63 − 1, a limit of 1–1000, types (comma-separated or repeated) and a partnership id', () => {
    expect(parseFeedQuery({ after: '9223372036854775807', limit: '1000', types: 'PartnershipProposed, PhaseTransitioned', partnershipId: ID })).toEqual({
      after: 9_223_372_036_854_775_807n,
      limit: 1000,
      filter: { types: ['PartnershipProposed', 'PhaseTransitioned'], partnershipId: ID.toLowerCase() },
    });
    expect(parseFeedQuery({ after: '0', limit: '1', types: ['OrganizationJoined', 'OrganizationJoined,ParticipantJoined'] })).toEqual({
      after: 0n,
      limit: 1,
      filter: { types: ['OrganizationJoined', 'ParticipantJoined'] },
    });
  });

  it.each([
    ['after negative', { after: '-1' }, 'query.after'],
    ['after not a number', { after: 'abc' }, 'query.after'],
    ['after beyond 2^63 − 1', { after: '9223372036854775808' }, 'query.after'],
    ['after given twice', { after: ['1', '2'] }, 'query.after'],
    ['limit 0', { limit: '0' }, 'query.limit'],
    ['limit 1001', { limit: '1001' }, 'query.limit'],
    ['limit fractional', { limit: '1.5' }, 'query.limit'],
    ['an unknown type', { types: 'PartnershipProposed,NoSuchEvent' }, 'query.types'],
    ['a type in the wrong case', { types: 'partnershipproposed' }, 'query.types'],
    ['an empty entry in types', { types: 'PartnershipProposed,,PhaseTransitioned' }, 'query.types'],
  ])('refuses %s with INVALID_QUERY naming the field', (_, raw, field) => {
    const problem = refusal(() => parseFeedQuery(raw));
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('INVALID_QUERY');
    expect(problem.extensions['errors']).toEqual([expect.objectContaining({ field })]);
  });

  it('names the unknown types', () => {
    const problem = refusal(() => parseFeedQuery({ types: 'NoSuchEvent,PartnershipProposed,AlsoMissing' }));
    const [error] = problem.extensions['errors'] as Array<{ messages: string[] }>;
    expect(error!.messages[0]).toContain('"NoSuchEvent", "AlsoMissing"');
    expect(error!.messages[0]).not.toContain('PartnershipProposed');
  });

  it('refuses a partnership id that is not a UUID with INVALID_ID, and every bad field at once with INVALID_QUERY', () => {
    expect(refusal(() => parseFeedQuery({ partnershipId: 'not-a-uuid' })).code).toBe('INVALID_ID');
    const all = refusal(() => parseFeedQuery({ partnershipId: 'x', limit: '0', after: 'y', types: 'Nope' }));
    expect(all.code).toBe('INVALID_QUERY');
    expect((all.extensions['errors'] as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['query.after', 'query.limit', 'query.partnershipId', 'query.types']);
  });
});

describe('parseStreamQuery', () => {
  it('resumes after Last-Event-ID, which wins over after (a reconnecting EventSource keeps its URL)', () => {
    expect(parseStreamQuery({ after: '5' }, '42')).toEqual({ after: 42n, filter: {} });
    expect(parseStreamQuery({ after: '5' }, undefined)).toEqual({ after: 5n, filter: {} });
    expect(parseStreamQuery({}, '')).toEqual({ filter: {} });
    expect(parseStreamQuery({ types: 'PhaseTransitioned', partnershipId: ID }, ' 7 ')).toEqual({
      after: 7n,
      filter: { types: ['PhaseTransitioned'], partnershipId: ID.toLowerCase() },
    });
  });

  it('refuses a Last-Event-ID that is not a position with INVALID_HEADER', () => {
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const problem = refusal(() => parseStreamQuery({}, bad));
      expect(problem.code).toBe('INVALID_HEADER');
      expect(problem.extensions['errors']).toEqual([expect.objectContaining({ field: 'header.Last-Event-ID' })]);
    }
  });

  it('applies the feed rules to its filters', () => {
    expect(refusal(() => parseStreamQuery({ types: 'Nope' }, undefined)).code).toBe('INVALID_QUERY');
    expect(refusal(() => parseStreamQuery({ partnershipId: '123' }, undefined)).code).toBe('INVALID_ID');
    expect(refusal(() => parseStreamQuery({ after: 'x' }, '3')).code).toBe('INVALID_QUERY');
  });
});
