/**
 * The stalled-workstreams projection against PostgreSQL: given events → the rows the API reads.
 */
import { PartnershipFixtures } from '@trellis/domain';
import { ProjectionSpecification, TestLog, createTestSchema, expectBatchInvariance, type TestSchema } from '../../testing';
import { stalledWorkstreamsProjection } from './stalled-workstreams.projection';
import type { StalledWorkstreamDoc } from './stalled-workstreams.rules';
import {
  ABANDONED_PARTNERSHIP_ID,
  CLOSED_PARTNERSHIP_ID,
  PILOT_PARTNERSHIP_ID,
  STATE_PARTNERSHIP_ID,
  TOOL_PARTNERSHIP_ID,
  mixedHistory,
} from '../../testing/read-model-histories';

interface Row {
  key: string;
  doc: StalledWorkstreamDoc;
  position: string;
  partnership_id: string;
  workstream_id: string;
  phase: string;
  paused: boolean;
  clock_kind: string;
  clock_starts_on: string;
}

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('stall');
});
afterAll(async () => db?.drop());

const spec = () => ProjectionSpecification.for(stalledWorkstreamsProjection, db.sql, db.schema);
const rows = (s: ProjectionSpecification) =>
  s.sql.query<Row>(`SELECT key, doc, position::text, partnership_id, workstream_id, phase, paused, clock_kind, clock_starts_on::text FROM ${s.table('docs')} ORDER BY key`).then((r) => r.rows);

/** The seed tool path up to (and including) the command at `on`. */
function toolPathUntil(on: string) {
  const log = new TestLog();
  const p = log.partnership(TOOL_PARTNERSHIP_ID);
  p.run(PartnershipFixtures.seedToolPath().filter((c) => c.on <= on));
  return { log, p };
}

describe('one workstream along the tool path', () => {
  it('waits for an agenda after the problem is defined (R-03 clock from the problem)', async () => {
    const { log } = toolPathUntil('2024-02-06');
    const [row] = await rows(await (await spec()).given(log.events));
    expect(row).toMatchObject({
      key: `${TOOL_PARTNERSHIP_ID}/ws-routines`,
      phase: 'problem_framing',
      paused: false,
      clock_kind: 'problem_framing',
      clock_starts_on: '2024-02-06',
      position: log.events.at(-1)!.position.toString(),
    });
    expect(row!.doc).toMatchObject({
      partnershipId: TOOL_PARTNERSHIP_ID,
      partnershipName: 'Valley–WestLab partnership',
      partnershipStatus: 'active',
      workstream: {
        workstreamId: 'ws-routines',
        title: 'Engagement routines',
        phase: 'problem_framing',
        openedAt: '2024-02-05T10:00:00.000Z',
        enteredAt: '2024-02-05T10:00:00.000Z',
        lastActivityAt: '2024-02-06T10:00:00.000Z',
        problemDefinedOn: '2024-02-06',
      },
    });
  });

  it('follows the phases: pilot waiting for its planned start, then input after the pilot', async () => {
    const s = await spec();
    const { log, p } = toolPathUntil('2024-08-01');
    await s.given(log.events);
    let [row] = await rows(s);
    expect(row).toMatchObject({ phase: 'pilot', clock_kind: 'pilot', clock_starts_on: '2024-09-01' });
    expect(row!.doc.workstream.openPilots).toEqual([{ pilotId: 'pilot-fall', plannedStart: '2024-09-01', plannedEnd: '2024-12-15', approvedOn: '2024-08-01' }]);

    const head = log.head;
    p.run(PartnershipFixtures.seedToolPath().filter((c) => c.on > '2024-08-01' && c.on <= '2025-01-15'));
    await s.when(log.after(head));
    [row] = await rows(s);
    expect(row).toMatchObject({ phase: 'input_revision', clock_starts_on: '2025-01-15' });
    expect(row!.doc.workstream).toMatchObject({ openPilots: [], lastInputOn: '2025-01-15', inputAwaitingSince: '2025-01-15' });
  });

  it('keeps the study, its DSA and the findings awaiting interpretation, then the R-11 clock', async () => {
    const s = await spec();
    const { log, p } = toolPathUntil('2025-06-10');
    await s.given(log.events);
    let [row] = await rows(s);
    expect(row).toMatchObject({ phase: 'joint_interpretation', clock_kind: 'joint_interpretation', clock_starts_on: '2025-06-10' });
    expect(row!.doc.workstream).toMatchObject({ openStudies: [], pendingFindings: [{ findingsId: 'findings-routines', sharedOn: '2025-06-10' }] });
    expect(row!.doc.workstream.inputAwaitingSince).toBeUndefined(); // answered by the revision

    const head = log.head;
    p.run(PartnershipFixtures.seedToolPath().filter((c) => c.on > '2025-06-10' && c.on <= '2025-06-24'));
    await s.when(log.after(head));
    [row] = await rows(s);
    expect(row!.doc.workstream).toMatchObject({ phase: 'use_dissemination', pendingFindings: [], awaitingUseSince: '2025-06-24' });
  });

  it('tracks the running study under its DSA', async () => {
    const { log } = toolPathUntil('2025-04-01');
    const [row] = await rows(await (await spec()).given(log.events));
    expect(row).toMatchObject({ phase: 'formal_study', clock_kind: 'formal_study_running', clock_starts_on: '2025-04-01' });
    expect(row!.doc.workstream.openStudies).toEqual([{ studyId: 'study-routines', approvedOn: '2025-02-20', dsaIds: ['dsa-valley-2024'], startedOn: '2025-03-03' }]);
    expect(row!.doc.dsas).toEqual({ 'dsa-valley-2024': { expiresOn: '2027-02-28' } });
  });

  it('drops a workstream once it is concluded', async () => {
    const s = await spec();
    const { log, p } = toolPathUntil('2025-12-31');
    await s.given(log.events);
    expect(await rows(s)).toHaveLength(1);
    const head = log.head;
    p.run([{ type: 'TransitionPhase', data: { workstreamId: 'ws-routines', toPhase: 'concluded', reason: 'used and shared' }, on: '2025-09-01' }]);
    await s.when(log.after(head));
    expect(await rows(s)).toEqual([]);
    expect((await s.doc<{ workstreams: object }>(TOOL_PARTNERSHIP_ID, 'partnerships'))!.workstreams).toEqual({});
  });
});

describe('across partnerships', () => {
  const history = mixedHistory();

  it('lists the open workstreams of listed partnerships only', async () => {
    const all = await rows(await (await spec()).given(history.log.events));
    expect(all.map((r) => r.key)).toEqual([
      `${TOOL_PARTNERSHIP_ID}/ws-coaching`,
      `${TOOL_PARTNERSHIP_ID}/ws-routines`,
      `${STATE_PARTNERSHIP_ID}/ws-retention`,
      `${PILOT_PARTNERSHIP_ID}/ws-late`,
      `${PILOT_PARTNERSHIP_ID}/ws-study`,
      `${PILOT_PARTNERSHIP_ID}/ws-waiting`,
    ]);
    // Each row carries the position of its partnership's last event that the projection reads.
    const read = new Set<string>(stalledWorkstreamsProjection.eventTypes);
    for (const row of all) {
      const last = history.log.events.filter((e) => e.metadata['partnershipId'] === row.partnership_id && read.has(e.type)).at(-1)!;
      expect(row.position).toBe(last.position.toString());
    }
  });

  it('keeps a tombstone for closed and abandoned partnerships', async () => {
    const s = await (await spec()).given(history.log.events);
    expect(await s.doc(CLOSED_PARTNERSHIP_ID, 'partnerships')).toEqual({
      partnershipId: CLOSED_PARTNERSHIP_ID,
      name: 'Closed alliance',
      status: 'closed',
      pauses: [],
      dsas: {},
      workstreams: {},
    });
    expect(await s.doc(ABANDONED_PARTNERSHIP_ID, 'partnerships')).toMatchObject({ status: 'abandoned', workstreams: {} });
  });

  it('records pauses: the completed one moves the clock, the current one marks the rows paused', async () => {
    const s = await (await spec()).given(history.log.events);
    const [row] = (await rows(s)).filter((r) => r.partnership_id === STATE_PARTNERSHIP_ID);
    expect(row).toMatchObject({ paused: true, clock_kind: 'formal_study_running', clock_starts_on: '2024-11-10' });
    expect(row!.doc).toMatchObject({
      partnershipStatus: 'paused',
      pausedSince: '2025-03-01',
      // Last activity 2024-09-10 (brokering in the workstream); paused 2024-10-01 → 12-01 = 61 days.
      clock: { kind: 'formal_study_running', anchorOn: '2024-09-10', pausedDays: 61, startsOn: '2024-11-10' },
      dsas: { 'dsa-retention': { expiresOn: '2026-05-31' } },
    });
    expect(await s.doc(STATE_PARTNERSHIP_ID, 'partnerships')).toMatchObject({ pauses: [{ from: '2024-10-01', to: '2024-12-01' }] });
  });

  it('counts any event naming the workstream as activity, back-dated ones by when they happened', async () => {
    const s = await (await spec()).given(history.log.events);
    const routines = (await rows(s)).find((r) => r.workstream_id === 'ws-routines')!;
    // The survey transfer happened 2025-09-21 (recorded 09-25); brokering without a workstream does not count.
    expect(routines.doc.workstream.lastActivityAt).toBe('2025-09-21T10:00:00.000Z');
    const late = (await rows(s)).find((r) => r.workstream_id === 'ws-late')!;
    expect(late.doc.workstream.lastActivityAt).toBe('2025-02-10T10:00:00.000Z');
  });

  it('forgets an ended DSA no open study depends on', async () => {
    const s = await (await spec()).given(history.log.events);
    expect((await s.doc<{ dsas: object }>(TOOL_PARTNERSHIP_ID, 'partnerships'))!.dsas).toEqual({});
    expect((await s.doc<{ dsas: object }>(PILOT_PARTNERSHIP_ID, 'partnerships'))!.dsas).toEqual({ 'dsa-harbor': { expiresOn: '2025-08-31' } });
  });

  it('gives the same tables whatever the batching', async () => {
    await expectBatchInvariance(stalledWorkstreamsProjection, db.sql, db.schema, history.log.events);
  });
});

describe('closing', () => {
  it('removes the rows of a partnership when it closes, and ignores whatever comes after', async () => {
    const log = new TestLog();
    const p = log.partnership(CLOSED_PARTNERSHIP_ID);
    const history = mixedHistory();
    const closing = history.closed.streamId;
    const events = history.log.events.filter((e) => e.streamId === closing);
    const closeAt = events.findIndex((e) => e.type === 'PartnershipClosed');
    const s = await (await spec()).given(events.slice(0, closeAt));
    expect((await rows(s)).map((r) => r.workstream_id)).toEqual(['c-ws']);
    await s.when(events.slice(closeAt));
    expect(await rows(s)).toEqual([]);
    // A fact the rules would refuse after closure still lists nothing (the tombstone ignores it).
    p.append([{ type: 'WorkstreamOpened', data: { workstreamId: 'late', title: 'Late', leadParticipantIds: [] } }], { occurredAt: '2024-07-01' });
    await s.when(log.events.map((e) => ({ ...e, position: e.position + 1000n })));
    expect(await rows(s)).toEqual([]);
  });
});
