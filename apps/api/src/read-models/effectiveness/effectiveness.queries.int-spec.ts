/**
 * `EffectivenessQueries` against the read model's view in PostgreSQL (no Nest): the view of a
 * partnership, "<5" for small respondent counts, 404 for an unknown partnership, every signal under
 * the dimensions it bears on, and 503 before the read model is built.
 */
import { DomainError, PartnershipFixtures } from '@trellis/domain';

import { serveReadModels, SignalScenarios, TestLog, createTestSchema, type TestSchema } from '@trellis/projections/testing';
import { ProblemException } from '../../http/problem';
import { EffectivenessQueries } from './effectiveness.queries';
import { SIGNAL_CATALOG, effectivenessProjection } from '@trellis/projections';

const { cmd, cleanPartnership, WS } = SignalScenarios;

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('api_effect');
});
afterAll(async () => db?.drop());

async function readModel(log: TestLog) {
  await serveReadModels(db.sql, db.schema, [effectivenessProjection], log.events);
  return new EffectivenessQueries(db.sql, { dbSchema: db.schema });
}

describe('GET /partnerships/:id/effectiveness (EffectivenessQueries)', () => {
  it('shows five dimensions with indicators beside ratings, small respondent counts as "<5", and no score', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run([
      ...cleanPartnership(),
      cmd('2025-02-03', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'in-1', method: 'focus_group', respondentCounts: { family_member: 4, practitioner: 5, school: 1 } }),
    ]);
    const queries = await readModel(log);
    const view = await queries.get(p.partnershipId, new Date(SignalScenarios.CLEAN_NOW));
    const last = log.events.at(-1)!;
    expect(view).toMatchObject({ partnershipId: p.partnershipId, name: 'Riverside reading partnership', status: 'active', asOfPosition: last.position.toString(), evaluatedAt: '2025-04-01T12:00:00.000Z', signals: [] });
    expect(view.dimensions.map((d) => [d.dimension, d.title])).toEqual([
      ['d1', 'Building trust and cultivating partnership relationships'],
      ['d2', 'Conducting rigorous research to inform action'],
      ['d3', 'Supporting the practice organization in achieving its goals'],
      ['d4', 'Producing knowledge that can inform educational improvement efforts more broadly'],
      ['d5', 'Building the capacity of participating researchers, practitioners, practice organizations and research organizations to engage in partnership work'],
    ]);
    expect(view.dimensions[1]!.indicators['stakeholderInput']).toEqual({ gathered: 1, byMethod: { focus_group: 1 }, respondentsByCategory: { family_member: '<5', practitioner: 5, school: '<5' } });
    expect(view.dimensions[0]!.ratings).toEqual({
      latest: { at: '2025-01-15T10:00:00.000Z', instrument: 'RPP effectiveness survey', bySide: { research: 4, practice: 3 } },
      history: {
        research: { count: 1, mean: 4, min: 4, max: 4, first: 4, latest: 4, latestAt: '2025-01-15T10:00:00.000Z' },
        practice: { count: 1, mean: 3, min: 3, max: 3, first: 3, latest: 3, latestAt: '2025-01-15T10:00:00.000Z' },
      },
    });
    expect(view.dimensions[2]!.indicators['problemsOfPractice']).toEqual({ defined: 1, fromPracticeOrCommunity: 1, joint: 0, researchOnly: 0, other: 0 });
    expect(JSON.stringify(view)).not.toMatch(/score"\s*:|composite"\s*:|overall"\s*:/i);
  });

  it('serves both seed paths side by side', async () => {
    const log = new TestLog();
    const tool = log.partnership();
    tool.run(PartnershipFixtures.seedToolPath());
    const state = log.partnership();
    state.run(PartnershipFixtures.seedStateAgencyPath());
    const queries = await readModel(log);
    const now = new Date('2025-08-02T00:00:00Z');
    const t = await queries.get(tool.partnershipId, now);
    const s = await queries.get(state.partnershipId, now);
    expect(t.dimensions[2]!.indicators['researchUses']).toEqual({ total: 1, byDecisionLevel: { district: 1 }, byDecidingSide: { practice: 1 } });
    expect(s.dimensions[0]!.indicators['brokering']).toMatchObject({ activities: 2, distinctBrokers: 1, byKind: { convene: 1, share_strategies: 1 } });
    expect(s.dimensions[1]!.indicators['stakeholderInput']).toMatchObject({ respondentsByCategory: { LEA: 14, practitioner: 31 } });
    expect(s.signals.map((x) => x.code)).toEqual(expect.arrayContaining(['NO_BROKERING_180_DAYS', 'NO_REFLECTION_12_MONTHS', 'SINGLE_POINT_OF_CONTACT']));
  });

  it('answers 404 PARTNERSHIP_NOT_FOUND for a partnership the read model does not hold', async () => {
    const queries = await readModel(new TestLog());
    const error = await queries.get('0193b7e2-5c1a-7cc4-9a53-2f4be1c0d7aa', new Date()).catch((e: unknown) => e);
    expect(DomainError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'PARTNERSHIP_NOT_FOUND', category: 'not_found' });
  });

  it.each(SignalScenarios.allScenarios().map((s) => [s.code, s] as const))('shows %s under the dimensions it bears on, and only there', async (code, scenario) => {
    const log = new TestLog();
    const p = log.partnership();
    p.run(scenario.commands);
    const queries = await readModel(log);
    const view = await queries.get(p.partnershipId, new Date(scenario.now));
    const bears = SIGNAL_CATALOG[code].dimensions;
    for (const d of view.dimensions) {
      const codes = d.signals.map((s) => s.code);
      if (bears.includes(d.dimension)) expect(codes).toContain(code);
      else expect(codes).not.toContain(code);
    }
    expect(view.signals.filter((s) => s.code === code).every((s) => s.title === SIGNAL_CATALOG[code].title)).toBe(true);
  });

  it('answers 503 SERVICE_UNAVAILABLE before the read model is built', async () => {
    const empty = await createTestSchema('api_effect_empty');
    try {
      const error = await new EffectivenessQueries(empty.sql, { dbSchema: empty.schema }).get('0193b7e2-5c1a-7cc4-9a53-2f4be1c0d7aa', new Date()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProblemException);
      expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await empty.drop();
    }
  });
});
