/**
 * The partnership-summary projection against PostgreSQL: given events → expected documents and
 * indexed columns; batch invariance over both seed paths mixed with other histories.
 */
import { PartnershipFixtures } from '@trellis/domain';
import { ProjectionSpecification, TestLog, createTestSchema, expectBatchInvariance, type TestSchema } from '../../testing';
import { SignalScenarios } from '../../testing';
import { partnershipSummaryProjection, type PartnershipSummaryDoc } from './partnership-summary.projection';
import { partnershipSummaryItem } from './partnership-summary.view';

const { TOOL_PATH, STATE_PATH } = PartnershipFixtures;

interface Row {
  key: string;
  doc: PartnershipSummaryDoc;
  position: string;
  status: string;
  phases: string[];
  organization_ids: string[];
  last_activity_at: Date;
  sort_key: string;
}

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema();
});
afterAll(async () => db?.drop());

const spec = () => ProjectionSpecification.for(partnershipSummaryProjection, db.sql, db.schema);

describe('partnership_summary', () => {
  it('keeps one document per partnership with its filter columns (both seed paths)', async () => {
    const log = new TestLog();
    const tool = log.partnership();
    const state = log.partnership();
    const proposals = [...tool.run(PartnershipFixtures.seedToolPath().slice(0, 1)), ...state.run(PartnershipFixtures.seedStateAgencyPath().slice(0, 1))];
    tool.run(PartnershipFixtures.seedToolPath().slice(1));
    state.run(PartnershipFixtures.seedStateAgencyPath().slice(1));
    const s = await (await spec()).given(log.events);

    const rows = await s.rows<Row>('docs', 'sort_key');
    expect(rows.map((r) => ({ ...r, last_activity_at: r.last_activity_at.toISOString() }))).toEqual([
      {
        key: tool.partnershipId,
        doc: expect.any(Object),
        position: log.events.filter((e) => e.streamId === tool.streamId).at(-1)!.position.toString(),
        status: 'active',
        phases: ['use_dissemination'],
        organization_ids: [TOOL_PATH.schools[2], TOOL_PATH.schools[0], TOOL_PATH.schools[1], TOOL_PATH.county, TOOL_PATH.district, TOOL_PATH.research].sort(),
        last_activity_at: '2025-08-01T10:00:00.000Z',
        sort_key: proposals[0]!.position.toString(),
      },
      {
        key: state.partnershipId,
        doc: expect.any(Object),
        position: log.events.filter((e) => e.streamId === state.streamId).at(-1)!.position.toString(),
        status: 'active',
        phases: ['formal_study'],
        organization_ids: [STATE_PATH.ruralLea, STATE_PATH.urbanLea, STATE_PATH.research, STATE_PATH.sea].sort(),
        last_activity_at: '2024-09-10T10:00:00.000Z',
        sort_key: proposals[1]!.position.toString(),
      },
    ]);

    const doc = (await s.doc<PartnershipSummaryDoc>(tool.partnershipId))!;
    expect(doc).toMatchObject({
      partnershipId: tool.partnershipId,
      name: 'Valley–WestLab partnership',
      focus: 'a years-long issue educators raised about student engagement',
      createdAt: '2024-01-08T10:00:00.000Z',
      proposedAt: '2024-01-08T10:00:00.000Z',
      proposalPosition: proposals[0]!.position.toString(),
      lastActivity: { eventType: 'ResearchUseRecorded', recordedAt: '2025-08-01T10:00:00.000Z', occurredAt: '2025-08-01T10:00:00.000Z' },
    });
    const item = partnershipSummaryItem(doc, '1', new Date('2025-08-02T00:00:00Z'));
    expect(item).toMatchObject({
      name: 'Valley–WestLab partnership',
      status: 'active',
      types: ['design_research_partnership'],
      initiationMode: 'agency',
      organizations: {
        total: 6,
        bySide: {
          practice: { count: 5, organizationIds: [TOOL_PATH.schools[2], TOOL_PATH.schools[0], TOOL_PATH.schools[1], TOOL_PATH.county, TOOL_PATH.district].sort() },
          research: { count: 1, organizationIds: [TOOL_PATH.research] },
          community: { count: 0, organizationIds: [] },
          intermediary: { count: 0, organizationIds: [] },
          funder: { count: 0, organizationIds: [] },
        },
        withdrawn: { count: 0, organizationIds: [] },
      },
      openWorkstreams: [
        {
          workstreamId: TOOL_PATH.workstreamId,
          title: 'Engagement routines',
          phase: 'use_dissemination',
          phaseEnteredAt: '2025-06-24T10:00:00.000Z',
          lastActivityAt: '2025-08-01T10:00:00.000Z',
        },
      ],
      lastActivity: { recordedAt: '2025-08-01T10:00:00.000Z', occurredOn: '2025-08-01', eventType: 'ResearchUseRecorded' },
      createdAt: '2024-01-08T10:00:00.000Z',
    });
    // The tool path never brokers and never reflects; three organizations have one participant each.
    expect(item.signals).toEqual([
      { code: 'NO_BROKERING_180_DAYS', title: 'No brokering in 180 days', count: 1 },
      { code: 'SINGLE_POINT_OF_CONTACT', title: 'Single point of contact in an organization', count: 3 },
      { code: 'NO_REFLECTION_12_MONTHS', title: 'No partnership reflection in 12 months', count: 1 },
    ]);
  });

  it('shows back-dating in the last activity: recorded now, occurred earlier', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run([...SignalScenarios.cleanPartnership(), { ...SignalScenarios.cmd('2025-01-25', 'RecordReflection', { instrument: 'i', ratings: {}, actionsAgreed: [] }), recordedOn: '2025-03-01' }]);
    const s = await (await spec()).given(log.events);
    const [row] = await s.rows<Row>('docs');
    expect(row!.last_activity_at.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(partnershipSummaryItem(row!.doc, row!.position, new Date('2025-03-02')).lastActivity).toEqual({
      recordedAt: '2025-03-01T10:00:00.000Z',
      occurredOn: '2025-01-25',
      eventType: 'PartnershipReflectionRecorded',
    });
  });

  it('drops a concluded workstream from the phases and keeps a withdrawn organization among the ids', async () => {
    const log = new TestLog();
    const p = log.partnership();
    const { cmd, cleanPartnership, WS, ORG } = SignalScenarios;
    p.run([
      ...cleanPartnership(),
      cmd('2025-01-20', 'OpenWorkstream', { workstreamId: 'ws-2', title: 'Attendance', leadParticipantIds: ['p-res-1', 'p-prac-1'] }),
      cmd('2025-01-21', 'JoinOrganization', { organizationId: 'org-coalition', name: 'Coalition', orgType: 'intermediary_network', side: 'intermediary' }),
    ]);
    const s = await (await spec()).given(log.events);
    expect((await s.rows<Row>('docs'))[0]).toMatchObject({ phases: ['problem_framing'], organization_ids: ['org-coalition', ORG.practice, ORG.research].sort() });

    const before = log.head;
    p.run([
      cmd('2025-02-03', 'TransitionPhase', { workstreamId: WS, toPhase: 'concluded', reason: 'merged into ws-2' }),
      cmd('2025-02-04', 'TransitionPhase', { workstreamId: 'ws-2', toPhase: 'co_design', reason: 'adapting an existing routine' }),
      cmd('2025-02-05', 'WithdrawOrganization', { organizationId: 'org-coalition', reason: 'dissolved' }),
      cmd('2025-02-06', 'ChangePartnershipStatus', { status: 'paused', reason: 'summer' }),
    ]);
    await s.when(log.after(before));
    const [row] = await s.rows<Row>('docs');
    expect(row).toMatchObject({ status: 'paused', phases: ['co_design'], organization_ids: ['org-coalition', ORG.practice, ORG.research].sort() });
    const item = partnershipSummaryItem(row!.doc, row!.position, new Date('2025-02-07'));
    expect(item.openWorkstreams.map((w) => [w.workstreamId, w.phase])).toEqual([['ws-2', 'co_design']]);
    expect(item.organizations.withdrawn).toEqual({ count: 1, organizationIds: ['org-coalition'] });
    expect(item.organizations.bySide.intermediary.count).toBe(0);
    expect(item.signals.map((x) => x.code)).toContain('PHASE_SKIPPED_EVIDENCE_REVIEW');
  });

  it('ignores events of a stream before its proposal', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.append([{ type: 'OrganizationJoined', data: { organizationId: 'o', name: 'n', orgType: 'school', side: 'practice' } }], { occurredAt: '2025-01-01' });
    const s = await (await spec()).given(log.events);
    expect(await s.rows('docs')).toEqual([]);
  });

  it('gives the same tables whatever the batching (both seed paths, every signal scenario, interleaved)', async () => {
    const log = new TestLog();
    const streams = [
      PartnershipFixtures.seedToolPath(),
      PartnershipFixtures.seedStateAgencyPath(),
      ...SignalScenarios.allScenarios().map((x) => x.commands),
      // Recorded out of day order (clock skew between writers), attributed to a side.
      [
        ...SignalScenarios.cleanPartnership(),
        ...['2025-03-10', '2025-03-08', '2025-03-10', '2025-03-09'].map((recordedOn, i) => ({
          ...SignalScenarios.cmd('2025-03-01', 'RecordEvidenceReview', { workstreamId: SignalScenarios.WS, reviewId: `skew-${i}`, sources: ['s'], evidenceTypes: ['local_data'], contributorParticipantIds: ['p-res-1'] }, { actorParticipantId: 'p-res-1' }),
          recordedOn,
        })),
      ],
    ].map((commands) => ({ p: log.partnership(), commands: [...commands] }));
    // Interleave: one command of each partnership in turn, so batches straddle partnerships.
    for (let i = 0; streams.some((x) => i < x.commands.length); i += 1) {
      for (const { p, commands } of streams) if (i < commands.length) p.run([commands[i]!]);
    }
    await expectBatchInvariance(partnershipSummaryProjection, db.sql, db.schema, log.events);
  });
});
