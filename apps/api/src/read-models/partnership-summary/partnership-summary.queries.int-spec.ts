/**
 * `PartnershipSummaryQueries` against the read model's view in PostgreSQL (no Nest): filters,
 * stable keyset pages while partnerships are added, every signal in the item it belongs to, and 503
 * before the read model is built.
 */
import { PartnershipFixtures } from '@trellis/domain';

import { serveReadModels, SignalScenarios, TestLog, createTestSchema, type TestSchema } from '@trellis/projections/testing';
import { ProblemException } from '../../http/problem';
import { parsePartnershipListQuery } from './partnership-summary.params';
import { PartnershipSummaryQueries } from './partnership-summary.queries';
import { SIGNAL_CATALOG, partnershipSummaryProjection } from '@trellis/projections';

const { cmd, cleanPartnership, ORG } = SignalScenarios;

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('api_summary');
});
afterAll(async () => db?.drop());

/** A fresh generation of the projection, its views pointed at it, and the query class over them. */
async function readModel(log: TestLog) {
  const [spec] = await serveReadModels(db.sql, db.schema, [partnershipSummaryProjection], log.events);
  return { spec, queries: new PartnershipSummaryQueries(db.sql, { dbSchema: db.schema }) };
}

const NOW = new Date('2025-04-01T12:00:00Z');
const list = (queries: PartnershipSummaryQueries, raw: Parameters<typeof parsePartnershipListQuery>[0] = {}, now = NOW) =>
  queries.list(parsePartnershipListQuery(raw), now);

describe('GET /partnerships (PartnershipSummaryQueries)', () => {
  it('filters by status, phase of an open workstream and organization, alone and combined', async () => {
    const log = new TestLog();
    const tool = log.partnership();
    tool.run(PartnershipFixtures.seedToolPath()); // active, use_dissemination
    const state = log.partnership();
    state.run(PartnershipFixtures.seedStateAgencyPath()); // active, formal_study
    const exploring = log.partnership();
    exploring.run(cleanPartnership().filter((c) => c.type !== 'FormalizePartnership')); // exploring, problem_framing
    const paused = log.partnership();
    paused.run([...cleanPartnership(), cmd('2025-03-01', 'ChangePartnershipStatus', { status: 'paused', reason: 'summer' })]);
    const { queries } = await readModel(log);

    const ids = async (raw: Parameters<typeof parsePartnershipListQuery>[0]) => (await list(queries, raw)).items.map((i) => i.partnershipId);
    expect(await ids({})).toEqual([tool, state, exploring, paused].map((p) => p.partnershipId));
    expect(await ids({ status: 'active' })).toEqual([tool.partnershipId, state.partnershipId]);
    expect(await ids({ status: 'exploring' })).toEqual([exploring.partnershipId]);
    expect(await ids({ status: 'closed' })).toEqual([]);
    expect(await ids({ phase: 'formal_study' })).toEqual([state.partnershipId]);
    expect(await ids({ phase: 'problem_framing' })).toEqual([exploring.partnershipId, paused.partnershipId]);
    expect(await ids({ organizationId: PartnershipFixtures.TOOL_PATH.schools[1] })).toEqual([tool.partnershipId]);
    expect(await ids({ organizationId: ORG.practice })).toEqual([exploring.partnershipId, paused.partnershipId]);
    expect(await ids({ organizationId: ORG.practice, status: 'paused', phase: 'problem_framing' })).toEqual([paused.partnershipId]);
    expect(await ids({ organizationId: 'org-nobody' })).toEqual([]);

    const page = await list(queries, { status: 'active', limit: '1' });
    expect(page.items[0]).toMatchObject({ partnershipId: tool.partnershipId, name: 'Valley–WestLab partnership', status: 'active', openWorkstreams: [{ phase: 'use_dissemination' }] });
    expect(page.nextCursor).toEqual(expect.any(String));
    const last = await list(queries, { status: 'active', limit: '1', cursor: page.nextCursor! });
    expect(last.items.map((i) => i.partnershipId)).toEqual([state.partnershipId]);
    expect(last.nextCursor).toBeNull();
  });

  it('keeps pages stable while partnerships are added (and changed) between pages', async () => {
    const log = new TestLog();
    const first = Array.from({ length: 5 }, (_, i) => {
      const p = log.partnership();
      p.run([cmd('2025-01-06', 'ProposePartnership', { name: `P${i}`, initiationMode: 'agency', focus: 'f' })]);
      return p;
    });
    const { spec, queries } = await readModel(log);

    const page1 = await list(queries, { limit: '2' });
    expect(page1.items.map((i) => i.name)).toEqual(['P0', 'P1']);

    // Meanwhile: three new partnerships, and the first ones keep changing.
    const before = log.head;
    const added = Array.from({ length: 3 }, (_, i) => {
      const p = log.partnership();
      p.run([cmd('2025-01-07', 'ProposePartnership', { name: `N${i}`, initiationMode: 'community', focus: 'f' })]);
      return p;
    });
    first[0]!.run([cmd('2025-01-08', 'JoinOrganization', { organizationId: 'o', name: 'n', orgType: 'school', side: 'practice' })]);
    first[3]!.run([cmd('2025-01-08', 'AbandonPartnership', { reason: 'no funding' })]);
    await spec.when(log.after(before));

    const seen = [...page1.items];
    let cursor = page1.nextCursor;
    while (cursor !== null) {
      const page = await list(queries, { limit: '2', cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(seen.map((i) => i.name)).toEqual(['P0', 'P1', 'P2', 'P3', 'P4', 'N0', 'N1', 'N2']);
    expect(new Set(seen.map((i) => i.partnershipId)).size).toBe(8);
    expect(seen.find((i) => i.name === 'P3')?.status).toBe('abandoned');
    expect(added.map((p) => p.partnershipId)).toEqual(seen.slice(5).map((i) => i.partnershipId));
  });

  it.each(SignalScenarios.allScenarios().map((s) => [s.code, s] as const))('shows %s in the summary item of its partnership', async (code, scenario) => {
    const log = new TestLog();
    const clean = log.partnership();
    clean.run(cleanPartnership());
    const flagged = log.partnership();
    flagged.run(scenario.commands);
    const { queries } = await readModel(log);
    const page = await list(queries, {}, new Date(scenario.now));
    const item = page.items.find((i) => i.partnershipId === flagged.partnershipId)!;
    expect(item.signals).toContainEqual(expect.objectContaining({ code, title: SIGNAL_CATALOG[code].title }));
    // The clean partnership beside it carries no signal at the clean date.
    const atClean = await list(queries, {}, new Date(SignalScenarios.CLEAN_NOW));
    expect(atClean.items.find((i) => i.partnershipId === clean.partnershipId)!.signals).toEqual([]);
  });

  it('pages in numeric creation order when the sort keys have different numbers of digits (every partnership, once)', async () => {
    // Proposal positions 1, 2x, 4x, …, 1xx: ordered as text, "1" < "107" < "21" — keyset pages over
    // a text order would skip partnerships.
    const log = new TestLog();
    const created = Array.from({ length: 12 }, () => {
      const p = log.partnership();
      p.run(cleanPartnership());
      return p.partnershipId;
    });
    const { queries } = await readModel(log);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await list(queries, { limit: '5', ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.partnershipId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(created);
  });

  it('answers 503 SERVICE_UNAVAILABLE before the read model is built', async () => {
    const empty = await createTestSchema('api_summary_empty');
    try {
      const queries = new PartnershipSummaryQueries(empty.sql, { dbSchema: empty.schema });
      const error = await list(queries).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProblemException);
      expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', headers: { 'Retry-After': '5' } });
    } finally {
      await empty.drop();
    }
  });
});
