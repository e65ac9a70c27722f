import { fold } from '../shared/decider';
import {
  formalizedPartnership,
  runCommands,
  seedStateAgencyPath,
  seedToolPath,
  STATE_PATH,
  TOOL_PATH,
} from '../testing/partnership.fixtures';
import { partnershipDecider } from './partnership.decider';
import type { PartnershipEvent } from './partnership.events';
import { evolve, initialState, type Partnership, type PartnershipState } from './partnership.state';

const asPartnership = (state: PartnershipState): Partnership => {
  if (state.status === 'none') throw new Error('expected a partnership');
  return state;
};

const phasesOf = (events: readonly PartnershipEvent[], workstreamId: string) => [
  'problem_framing',
  ...events.flatMap((e) =>
    e.type === 'PhaseTransitioned' && e.data.workstreamId === workstreamId ? [e.data.toPhase] : [],
  ),
];

describe('seed path (a): the tool path', () => {
  const { events, state } = runCommands(seedToolPath());
  const partnership = asPartnership(state);
  const workstream = partnership.workstreams[TOOL_PATH.workstreamId];

  it('moves the workstream through every phase of the tool path, each move triggered by its gate', () => {
    expect(phasesOf(events, TOOL_PATH.workstreamId)).toEqual([
      'problem_framing',
      'evidence_review',
      'co_design',
      'pilot',
      'input_revision',
      'formal_study',
      'joint_interpretation',
      'use_dissemination',
    ]);
    for (const [i, e] of events.entries()) {
      if (e.type !== 'PhaseTransitioned') continue;
      expect(e.data.direction).toBe('forward');
      expect(e.data.triggerEventId).toBe(events[i - 1].metadata?.eventId);
    }
    expect(workstream.phase).toBe('use_dissemination');
    expect(workstream.phaseEnteredAt).toBe('2025-06-24T10:00:00.000Z');
    expect(workstream.phaseHistory.map((h) => [h.phase, h.enteredAt?.slice(0, 10)])).toEqual([
      ['problem_framing', '2024-02-05'],
      ['evidence_review', '2024-02-20'],
      ['co_design', '2024-04-10'],
      ['pilot', '2024-08-01'],
      ['input_revision', '2024-12-16'],
      ['formal_study', '2025-02-20'],
      ['joint_interpretation', '2025-06-10'],
      ['use_dissemination', '2025-06-24'],
    ]);
  });

  it('records the partnership, the tool at version 2 revised with the district, the study, findings and use', () => {
    expect(partnership.status).toBe('active');
    expect(partnership.initiationMode).toBe('agency');
    expect(partnership.tools['tool-routines']).toMatchObject({ currentVersion: 2 });
    expect(partnership.tools['tool-routines'].versions[1]).toMatchObject({
      version: 2,
      participantIds: ['p-lab-lead', 'p-dist-lead'],
      answersInputIds: ['input-winter'],
    });
    expect(partnership.pilots['pilot-fall']).toMatchObject({
      status: 'concluded',
      outcome: 'completed',
      startedOn: '2024-09-03',
    });
    expect(partnership.inputs['input-winter'].respondentCounts).toEqual({
      county_office: 6,
      school_district: 4,
      school: 9,
      practitioner: 38,
    });
    expect(partnership.studies['study-routines']).toMatchObject({
      status: 'findings_shared',
      findingsIds: ['findings-routines'],
    });
    expect(partnership.findings['findings-routines']).toMatchObject({
      sourceKind: 'study',
      sharedOn: '2025-06-10',
      interpreted: true,
    });
    expect(partnership.researchUses['use-scale'].decisionLevel).toBe('district');
    expect(partnership.lastActivityAt).toBe('2025-08-01T10:00:00.000Z');
  });
});

describe('seed path (b): the state-agency path', () => {
  const { events, state } = runCommands(seedStateAgencyPath());
  const partnership = asPartnership(state);

  it('goes from local data straight to a formal study (evidence_review → formal_study)', () => {
    expect(phasesOf(events, STATE_PATH.workstreamId)).toEqual(['problem_framing', 'evidence_review', 'formal_study']);
    const last = events.filter((e) => e.type === 'PhaseTransitioned').at(-1);
    expect(last?.data).toMatchObject({ fromPhase: 'evidence_review', toPhase: 'formal_study', direction: 'forward' });
  });

  it('gathers input from convened LEAs before the agenda, and records the SEA as broker', () => {
    const types = events.map((e) => e.type);
    expect(types.indexOf('StakeholderInputGathered')).toBeLessThan(types.indexOf('ResearchAgendaAgreed'));
    expect(partnership.inputs['input-lea-convening']).toMatchObject({
      method: 'convening',
      convenedByParticipantId: 'p-sea-director',
    });
    expect(partnership.brokering).toMatchObject({
      count: 2,
      lastBrokerParticipantId: 'p-sea-director',
      byBroker: { 'p-sea-director': 2 },
      byKind: { convene: 1, share_strategies: 1 },
      lastAt: '2024-09-10T10:00:00.000Z',
    });
    expect(partnership.evidenceReviews['review-local-retention'].evidenceTypes).toContain('local_data');
    expect(partnership.pilots).toEqual({});
    expect(partnership.studies['study-retention']).toMatchObject({ status: 'running', startedOn: '2024-08-01' });
  });
});

// --- evolve is total, pure and produces plain JSON -------------------------------------------------

/** A small deterministic PRNG (mulberry32), so the "property" runs are reproducible. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Only JSON values: no undefined, Map, Set, Date, class instances or functions. */
function expectPlainJson(value: unknown, path = '$'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is not a finite number`);
    return;
  }
  if (Array.isArray(value)) return value.forEach((v, i) => expectPlainJson(v, `${path}[${i}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) expectPlainJson(v, `${path}.${k}`);
    return;
  }
  throw new Error(`${path} is not plain JSON data (${String(value)})`);
}

/** Folds with every intermediate state frozen: evolve must never mutate what it was given. */
const frozenFold = (events: readonly PartnershipEvent[]): PartnershipState =>
  events.reduce<PartnershipState>((s, e) => deepFreeze(evolve(s, deepFreeze(e))), deepFreeze(initialState()));

describe('evolve over the seed histories', () => {
  const histories: Array<[string, PartnershipEvent[]]> = [
    ['tool path', runCommands(seedToolPath()).events],
    ['state-agency path', runCommands(seedStateAgencyPath()).events],
    ['fixture workstream (concluded)', formalizedPartnership().workstreamAt('concluded').events],
  ];

  it.each(histories)('%s: never throws on any prefix, and every state is plain JSON', (_, events) => {
    for (let n = 0; n <= events.length; n++) {
      const state = frozenFold(events.slice(0, n));
      expectPlainJson(state);
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    }
  });

  it.each(histories)('%s: never throws on random subsets, shuffles, or events without metadata', (_, events) => {
    const random = prng(20240101);
    for (let run = 0; run < 200; run++) {
      const subset = events.filter(() => random() < 0.6);
      if (run % 3 === 1) subset.sort(() => random() - 0.5);
      const folded = run % 4 === 2 ? subset.map(({ type, data }) => ({ type, data }) as PartnershipEvent) : subset;
      expect(() => expectPlainJson(frozenFold(folded))).not.toThrow();
    }
  });

  it.each(histories)('%s: folding the full history equals the state the pipeline kept', (_, events) => {
    expect(frozenFold(events)).toEqual(fold(partnershipDecider, events));
  });

  it('the "as of occurred time" view is a prefix by occurredAt', () => {
    const { events } = runCommands(seedToolPath());
    const asOf = (date: string) =>
      fold(
        partnershipDecider,
        events.filter((e) => (e.metadata?.occurredAt ?? '') <= date),
      );
    const before = asOf('2024-12-31T23:59:59.999Z');
    expect(asPartnership(before).workstreams[TOOL_PATH.workstreamId].phase).toBe('input_revision');
    expect(asPartnership(before).tools['tool-routines'].currentVersion).toBe(1);
    expect(asOf('2024-01-01T00:00:00.000Z')).toEqual({ status: 'none' });
  });

  it('tolerates malformed data (missing arrays) without throwing', () => {
    const events = formalizedPartnership().events;
    const broken = [
      ...events,
      { type: 'WorkstreamOpened', data: { workstreamId: 'ws-x', title: 'x' } },
      { type: 'ResearchAgendaAgreed', data: { workstreamId: 'ws-x', agendaId: 'a' } },
      { type: 'FormalStudyApproved', data: { workstreamId: 'ws-x', studyId: 's' } },
      { type: 'NoSuchEvent', data: {} },
      { type: 'OrganizationJoined' },
      { type: 'PhaseTransitioned', data: null },
    ] as unknown as PartnershipEvent[];
    expect(() => JSON.stringify(frozenFold(broken))).not.toThrow();
    const state = asPartnership(frozenFold(broken));
    expect(state.workstreams['ws-x']).toMatchObject({ phase: 'problem_framing', leadParticipantIds: [] });
    expect(state.studies['s']).toMatchObject({ questionIds: [], dsaIds: [], approvals: [] });
  });
});
