import type { RecordedEvent } from '@trellis/event-store';
import { STALLED_CONTEXT_LIST_CAP, evolveStalledContext, initialStalledContext, type StalledContext } from './stalled-workstreams.context';

let position = 0n;
function ev(type: string, data: object, on = '2025-01-10'): RecordedEvent {
  position += 1n;
  return {
    eventId: `e-${position}`,
    type,
    schemaVersion: 1,
    streamId: 'partnership-p',
    revision: position,
    position,
    data: data as RecordedEvent['data'],
    metadata: { partnershipId: 'p', occurredAt: `${on}T10:00:00.000Z`, recordedAt: `${on}T10:00:00.000Z` } as unknown as RecordedEvent['metadata'],
  };
}

const fold = (events: RecordedEvent[], from: StalledContext = initialStalledContext('p')) => events.reduce(evolveStalledContext, from);
const proposed = ev('PartnershipProposed', { partnershipId: 'p', name: 'P', initiationMode: 'agency', focus: 'f', types: [] }, '2025-01-01');
const opened = (workstreamId: string, on = '2025-01-02') => ev('WorkstreamOpened', { workstreamId, title: workstreamId, leadParticipantIds: [] }, on);

describe('evolveStalledContext', () => {
  it('applies nothing before the proposal, and nothing about workstreams it does not know', () => {
    expect(fold([opened('ws')])).toEqual(initialStalledContext('p'));
    const ctx = fold([proposed, ev('ResearchAgendaAgreed', { workstreamId: 'ghost', agendaId: 'a', researchQuestions: [], agreedByParticipantIds: [] })]);
    expect(ctx).toEqual({ ...initialStalledContext('p'), name: 'P', status: 'exploring' });
  });

  it('takes ids such as __proto__ and constructor as plain ids', () => {
    const ctx = fold([proposed, opened('__proto__'), opened('constructor'), ev('ProblemOfPracticeDefined', { workstreamId: '__proto__', problemId: 'x', statement: 's', proposedByParticipantIds: [], intendedUse: 'u' }, '2025-01-05')]);
    expect(Object.keys(ctx.workstreams).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(ctx.workstreams, '__proto__')).toBe(true);
    expect(JSON.parse(JSON.stringify(ctx)).workstreams['__proto__']).toMatchObject({ problemDefinedOn: '2025-01-05', lastActivityAt: '2025-01-05T10:00:00.000Z' });
  });

  it('ends the run of a study of another workstream when findings are shared from it, unless a pilot of the own workstream has that id', () => {
    const approve = (workstreamId: string, studyId: string) =>
      ev('FormalStudyApproved', { workstreamId, studyId, questionIds: [], design: 'd', siteOrganizationIds: [], approvals: [], usesStudentRecords: false });
    const base = [proposed, opened('a'), opened('b'), approve('a', 'shared-id'), ev('FormalStudyStarted', { workstreamId: 'a', studyId: 'shared-id', startedOn: '2025-02-01' })];
    const share = ev('PreliminaryFindingsShared', { workstreamId: 'b', findingsId: 'f', sourceId: 'shared-id', sharedWithOrganizationIds: [], sharedOn: '2025-03-01' });
    const ctx = fold([...base, share]);
    expect(ctx.workstreams['a']!.openStudies).toEqual([]);
    expect(ctx.workstreams['b']!.pendingFindings).toEqual([{ findingsId: 'f', sharedOn: '2025-03-01' }]);

    const pilot = ev('PilotApproved', { workstreamId: 'b', pilotId: 'shared-id', toolId: 't', toolVersion: 1, siteOrganizationIds: [], approvals: [], consentBasis: 'irb_waiver', plannedStart: '2025-02-01', plannedEnd: '2025-02-28' });
    expect(fold([...base, pilot, share]).workstreams['a']!.openStudies).toHaveLength(1);
  });

  it('caps the lists that grow with history, keeping the latest', () => {
    const pilots = Array.from({ length: STALLED_CONTEXT_LIST_CAP + 5 }, (_, i) =>
      ev('PilotApproved', { workstreamId: 'ws', pilotId: `p${i}`, toolId: 't', toolVersion: 1, siteOrganizationIds: [], approvals: [], consentBasis: 'irb_waiver', plannedStart: '2025-02-01', plannedEnd: '2025-02-28' }),
    );
    const pauses = Array.from({ length: STALLED_CONTEXT_LIST_CAP + 3 }, (_, i) => [
      ev('PartnershipStatusChanged', { fromStatus: 'active', toStatus: 'paused', reason: 'r' }, `2030-01-${String(i + 1).padStart(2, '0')}`),
      ev('PartnershipStatusChanged', { fromStatus: 'paused', toStatus: 'active', reason: 'r' }, `2030-02-${String(i + 1).padStart(2, '0')}`),
    ]).flat();
    const ctx = fold([proposed, opened('ws'), ...pilots, ...pauses]);
    expect(ctx.workstreams['ws']!.openPilots.map((p) => p.pilotId)).toEqual(Array.from({ length: STALLED_CONTEXT_LIST_CAP }, (_, i) => `p${i + 5}`));
    expect(ctx.pauses).toHaveLength(STALLED_CONTEXT_LIST_CAP);
    expect(ctx.pauses.at(-1)).toEqual({ from: '2030-01-23', to: '2030-02-23' });
    expect(ctx.status).toBe('active');
    expect(ctx.pausedSince).toBeUndefined();
  });

  it('keeps an ended DSA only while an open study depends on it', () => {
    const dsa = (dsaId: string) => ev('DataSharingAgreementExecuted', { dsaId, providerOrganizationId: 'o', recipientOrganizationIds: [], legalBasis: 'written_consent', purpose: 'p', dataCategories: [], piiIncluded: false, effectiveFrom: '2025-01-01', expiresOn: '2026-01-01', destructionPeriodDays: 30 });
    const end = (dsaId: string) => ev('DataSharingAgreementEnded', { dsaId, endKind: 'terminated', endedOn: '2025-06-01', destructionDueBy: '2025-07-01' });
    const study = ev('FormalStudyApproved', { workstreamId: 'ws', studyId: 's', questionIds: [], design: 'd', siteOrganizationIds: [], approvals: [], usesStudentRecords: true, dsaIds: ['used'] });
    const ctx = fold([proposed, opened('ws'), dsa('used'), dsa('spare'), study, end('used'), end('spare')]);
    expect(ctx.dsas).toEqual({ used: { expiresOn: '2026-01-01', endedOn: '2025-06-01' } });
  });

  it('returns the same context for events it does not read', () => {
    const ctx = fold([proposed, opened('ws')]);
    expect(evolveStalledContext(ctx, ev('OrganizationJoined', { organizationId: 'o', name: 'O', orgType: 'LEA', side: 'practice' }))).toBe(ctx);
  });
});
