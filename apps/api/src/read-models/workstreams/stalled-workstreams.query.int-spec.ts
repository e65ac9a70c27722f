/**
 * StalledWorkstreamsQuery against the real view of the stalled-workstreams read model, built from a
 * history mixing both seed paths with a paused, a closed and an abandoned partnership and pilots.
 */
import { serveReadModels, createTestSchema, type TestSchema } from '@trellis/projections/testing';

import { ProblemException } from '../../http/problem';
import { DEFAULT_STALL_THRESHOLDS, stalledWorkstreamsProjection, type StallThresholds } from '@trellis/projections';
import { StalledWorkstreamsQuery, decodeStalledCursor, encodeStalledCursor, type StalledWorkstreamsFilter } from './stalled-workstreams.query';
import {
  CLOSED_PARTNERSHIP_ID,
  PILOT_PARTNERSHIP_ID,
  STATE_PARTNERSHIP_ID,
  TOOL_PARTNERSHIP_ID,
  mixedHistory,
} from '@trellis/projections/testing';

let db: TestSchema;
let query: StalledWorkstreamsQuery;

const on = (date: string) => new Date(`${date}T15:00:00.000Z`);
const all: StalledWorkstreamsFilter = { stalled: false, limit: 50 };
const ids = (page: { items: Array<{ workstreamId: string }> }) => page.items.map((i) => i.workstreamId);

beforeAll(async () => {
  db = await createTestSchema('stallq');
  await serveReadModels(db.sql, db.schema, [stalledWorkstreamsProjection], mixedHistory().log.events);
  query = new StalledWorkstreamsQuery(db.sql, { dbSchema: db.schema }, DEFAULT_STALL_THRESHOLDS);
});
afterAll(async () => db?.drop());

it('lists every open workstream of listed partnerships, soonest due first', async () => {
  const page = await query.list(all, on('2025-12-01'));
  expect(page.asOf).toBe('2025-12-01T15:00:00.000Z');
  expect(page.nextCursor).toBeNull();
  expect(page.items.map((i) => [i.workstreamId, i.clock, i.dueOn, i.stalled])).toEqual([
    ['ws-study', 'formal_study', '2025-01-24', true],
    ['ws-waiting', 'pilot', '2025-03-31', true],
    ['ws-retention', 'formal_study_running', '2025-05-09', false], // paused
    ['ws-late', 'pilot', '2025-06-30', true],
    ['ws-routines', 'use_dissemination', '2025-11-20', true],
    ['ws-coaching', 'problem_framing', '2025-11-22', true],
  ]);
});

it('describes each workstream: phase, entry, last activity, threshold, days over and what blocks it', async () => {
  const page = await query.list({ ...all, partnershipId: PILOT_PARTNERSHIP_ID }, on('2025-12-01'));
  const study = page.items.find((i) => i.workstreamId === 'ws-study')!;
  expect(study).toEqual({
    partnershipId: PILOT_PARTNERSHIP_ID,
    partnershipName: 'Harbor math pilots',
    partnershipStatus: 'active',
    workstreamId: 'ws-study',
    title: 'Fractions study',
    phase: 'formal_study',
    openedAt: '2024-12-01T10:00:00.000Z',
    enteredAt: '2024-12-10T10:00:00.000Z',
    lastActivityAt: '2024-12-10T10:00:00.000Z',
    clock: 'formal_study',
    policy: 'R-09',
    thresholdDays: 45,
    clockStartedOn: '2024-12-10',
    dueOn: '2025-01-24',
    pausedDays: 0,
    elapsedDays: 356,
    daysOverThreshold: 311,
    stalled: true,
    paused: false,
    pausedSince: null,
    blockedBy: [
      { code: 'STUDY_NOT_STARTED', description: 'Formal study ws-study-study was approved but has not started', since: '2024-12-10', policy: 'R-09', subject: { kind: 'study', id: 'ws-study-study' } },
      expect.objectContaining({ code: 'DSA_EXPIRED', since: '2025-08-31', subject: { kind: 'dsa', id: 'dsa-harbor' } }),
    ],
  });
  expect(page.items.find((i) => i.workstreamId === 'ws-late')!.blockedBy).toEqual([expect.objectContaining({ code: 'PILOT_PAST_PLANNED_END', since: '2025-05-31' })]);
  expect(page.items.find((i) => i.workstreamId === 'ws-waiting')!.blockedBy).toEqual([expect.objectContaining({ code: 'PILOT_NOT_STARTED', since: '2025-03-01' })]);
});

it('shows a paused partnership as paused with its clock frozen, and never as stalled', async () => {
  const page = await query.list({ ...all, partnershipId: STATE_PARTNERSHIP_ID }, on('2026-03-10'));
  expect(page.items).toEqual([
    expect.objectContaining({
      workstreamId: 'ws-retention',
      partnershipStatus: 'paused',
      paused: true,
      pausedSince: '2025-03-01',
      stalled: false,
      clockStartedOn: '2024-11-10', // last activity 2024-09-10 + 61 days of the first pause
      pausedDays: 61,
      elapsedDays: 111, // 2024-11-10 → 2025-03-01, frozen there
      daysOverThreshold: 0,
      blockedBy: [expect.objectContaining({ code: 'PARTNERSHIP_PAUSED', since: '2025-03-01' }), expect.objectContaining({ code: 'DSA_EXPIRING', since: '2026-03-02' })],
    }),
  ]);
  expect((await query.list({ stalled: true, partnershipId: STATE_PARTNERSHIP_ID, limit: 50 }, on('2027-01-01'))).items).toEqual([]);
});

it('stalled=true keeps only workstreams over their threshold: not on the due day, from the day after', async () => {
  const stalledOn = async (date: string) => ids(await query.list({ stalled: true, partnershipId: TOOL_PARTNERSHIP_ID, limit: 50 }, on(date)));
  expect(await stalledOn('2025-11-20')).toEqual([]);
  expect(await stalledOn('2025-11-21')).toEqual(['ws-routines']);
  expect(await stalledOn('2025-11-22')).toEqual(['ws-routines']);
  expect(await stalledOn('2025-11-23')).toEqual(['ws-routines', 'ws-coaching']);
  const [, coaching] = (await query.list({ stalled: true, partnershipId: TOOL_PARTNERSHIP_ID, limit: 50 }, on('2025-11-23'))).items;
  expect(coaching).toMatchObject({ thresholdDays: 45, elapsedDays: 46, daysOverThreshold: 1, blockedBy: [{ code: 'AGENDA_NOT_AGREED', since: '2025-10-08' }] });
});

it('filters by partnership and phase; closed and abandoned partnerships list nothing', async () => {
  expect(ids(await query.list({ ...all, phase: 'pilot' }, on('2025-12-01')))).toEqual(['ws-waiting', 'ws-late']);
  expect(ids(await query.list({ ...all, partnershipId: TOOL_PARTNERSHIP_ID, phase: 'problem_framing' }, on('2025-12-01')))).toEqual(['ws-coaching']);
  expect(ids(await query.list({ ...all, partnershipId: CLOSED_PARTNERSHIP_ID }, on('2025-12-01')))).toEqual([]);
  expect(ids(await query.list({ ...all, partnershipId: '99999999-9999-4999-8999-999999999999' }, on('2025-12-01')))).toEqual([]);
});

it('pages with a cursor, without gaps or repeats', async () => {
  const seen: string[] = [];
  let after: StalledWorkstreamsFilter['after'];
  let pages = 0;
  do {
    const page = await query.list({ ...all, limit: 2, ...(after ? { after } : {}) }, on('2025-12-01'));
    seen.push(...ids(page));
    after = page.nextCursor === null ? undefined : decodeStalledCursor(page.nextCursor);
    pages += 1;
  } while (after);
  expect(pages).toBe(3);
  expect(seen).toEqual(['ws-study', 'ws-waiting', 'ws-retention', 'ws-late', 'ws-routines', 'ws-coaching']);
});

it('applies the thresholds it is configured with (in SQL and in the items)', async () => {
  const thresholds: StallThresholds = { ...DEFAULT_STALL_THRESHOLDS, problem_framing: 10, use_dissemination: 365 };
  const custom = new StalledWorkstreamsQuery(db.sql, { dbSchema: db.schema }, thresholds);
  const page = await custom.list({ stalled: true, partnershipId: TOOL_PARTNERSHIP_ID, limit: 50 }, on('2025-10-19'));
  expect(page.items.map((i) => [i.workstreamId, i.thresholdDays, i.dueOn, i.daysOverThreshold])).toEqual([['ws-coaching', 10, '2025-10-18', 1]]);
});

it('reads only the view: a schema without the read model answers 503', async () => {
  const empty = new StalledWorkstreamsQuery(db.sql, { dbSchema: 'public' }, DEFAULT_STALL_THRESHOLDS);
  await expect(empty.list(all, on('2025-12-01'))).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  await expect(empty.list(all, on('2025-12-01'))).rejects.toBeInstanceOf(ProblemException);
});

describe('cursor', () => {
  it('round-trips and refuses anything else', () => {
    const cursor = { dueOn: '2025-03-31', key: `${PILOT_PARTNERSHIP_ID}/ws-waiting` };
    expect(decodeStalledCursor(encodeStalledCursor(cursor))).toEqual(cursor);
    for (const bad of ['', 'not a cursor', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["2025-13-45","k"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(decodeStalledCursor(bad)).toBeUndefined();
    }
  });
});
