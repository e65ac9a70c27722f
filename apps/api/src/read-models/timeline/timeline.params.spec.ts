import { ProblemException } from '../../http/problem';
import { parseTimelineQuery } from './timeline.params';

function refusal(raw: Parameters<typeof parseTimelineQuery>[0]): ProblemException {
  try {
    parseTimelineQuery(raw);
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('parseTimelineQuery', () => {
  it('defaults to the first 200 events, unfiltered', () => {
    expect(parseTimelineQuery({})).toEqual({ limit: 200 });
    expect(parseTimelineQuery({ afterPosition: '', limit: '', workstreamId: '', type: '' })).toEqual({ limit: 200 });
  });

  it('accepts a position (up to 2^63 − 1), a limit of 1–1000, a workstream id and an event type', () => {
    expect(parseTimelineQuery({ afterPosition: '9223372036854775807', limit: '1000', workstreamId: 'ws-routines_2', type: 'PhaseTransitioned' })).toEqual({
      afterPosition: 9_223_372_036_854_775_807n,
      limit: 1000,
      workstreamId: 'ws-routines_2',
      type: 'PhaseTransitioned',
    });
    expect(parseTimelineQuery({ afterPosition: '0', limit: '1' })).toEqual({ afterPosition: 0n, limit: 1 });
  });

  it('refuses every bad parameter at once, naming each, with INVALID_QUERY', () => {
    const problem = refusal({ afterPosition: '-1', limit: '1001', workstreamId: 'ws routines', type: 'PilotRan' });
    expect(problem).toMatchObject({ status: 400, code: 'INVALID_QUERY' });
    expect((problem.extensions['errors'] as Array<{ field: string }>).map((e) => e.field)).toEqual(['query.afterPosition', 'query.limit', 'query.workstreamId', 'query.type']);
  });

  it.each([
    [{ afterPosition: '9223372036854775808' }, 'query.afterPosition'],
    [{ afterPosition: '12abc' }, 'query.afterPosition'],
    [{ limit: '0' }, 'query.limit'],
    [{ limit: '2.5' }, 'query.limit'],
    [{ type: ['PhaseTransitioned', 'PilotStarted'] }, 'query.type'],
    [{ workstreamId: { $ne: 1 } }, 'query.workstreamId'],
  ])('refuses %j naming %s', (raw, field) => {
    expect((refusal(raw).extensions['errors'] as Array<{ field: string }>).map((e) => e.field)).toEqual([field]);
  });
});
