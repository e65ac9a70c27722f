/**
 * The agreements projection against PostgreSQL: given events → the register document and the
 * append-only transfers.
 */
import { PartnershipFixtures } from '@trellis/domain';
import { ProjectionSpecification, TestLog, createTestSchema, expectBatchInvariance, type TestSchema } from '../../testing';
import { agreementsProjection, type DataTransferRow } from './agreements.projection';
import type { AgreementsDocument } from './agreements.document';
import { CLOSED_PARTNERSHIP_ID, STATE_PARTNERSHIP_ID, TOOL_PARTNERSHIP_ID, mixedHistory } from '../../testing/read-model-histories';

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('agr');
});
afterAll(async () => db?.drop());

const spec = () => ProjectionSpecification.for(agreementsProjection, db.sql, db.schema);
const transfers = (s: ProjectionSpecification) =>
  s.sql
    .query<DataTransferRow>(`SELECT *, position::text AS position FROM ${s.table('transfers')} ORDER BY partnership_id, received_on, transfer_id`)
    .then((r) => r.rows);

describe('the tool path', () => {
  it('registers the MOU, the DSA with its summary of data received, and the transfer', async () => {
    const log = new TestLog();
    log.partnership(TOOL_PARTNERSHIP_ID).run(PartnershipFixtures.seedToolPath());
    const s = await (await spec()).given(log.events);
    const doc = await s.doc<AgreementsDocument>(TOOL_PARTNERSHIP_ID);
    expect(doc).toMatchObject({
      partnershipId: TOOL_PARTNERSHIP_ID,
      name: 'Valley–WestLab partnership',
      status: 'active',
      agreement: {
        agreementRef: 'MOU-VALLEY-2024',
        partyOrganizationIds: ['org-valley-usd', 'org-westlab'],
        coLeadParticipantIds: ['p-dist-lead', 'p-lab-lead'],
        effectiveFrom: '2024-02-01',
        termEnd: '2027-01-31',
        originalTermEnd: '2027-01-31',
        formalizedAt: '2024-02-01T10:00:00.000Z',
        amendments: [],
        amendmentCount: 0,
      },
    });
    expect(doc!.organizations['org-westlab']).toEqual({ name: 'WestLab', orgType: 'research_organization', side: 'research' });
    expect(doc!.dsas).toEqual([
      {
        dsaId: 'dsa-valley-2024',
        providerOrganizationId: 'org-valley-usd',
        recipientOrganizationIds: ['org-westlab'],
        legalBasis: 'ferpa_studies_exception',
        purpose: 'Evaluate whether the routines toolkit works in practice',
        dataCategories: ['attendance', 'engagement_survey'],
        piiIncluded: true,
        effectiveFrom: '2025-03-01',
        expiresOn: '2027-02-28',
        destructionPeriodDays: 60,
        executedAt: '2025-02-12T10:00:00.000Z',
        ended: false,
        transferCount: 1,
        piiTransferCount: 1,
        firstReceivedOn: '2025-04-01',
        lastReceivedOn: '2025-04-01',
        categoriesReceived: ['attendance'],
      },
    ]);
    const received = log.events.find((e) => e.type === 'DataReceivedUnderAgreement')!;
    expect(await transfers(s)).toEqual([
      {
        partnership_id: TOOL_PARTNERSHIP_ID,
        transfer_id: 'xfer-1',
        dsa_id: 'dsa-valley-2024',
        workstream_id: 'ws-routines',
        data_categories: ['attendance'],
        pii_included: true,
        received_on: '2025-04-01',
        recipient_organization_id: 'org-westlab',
        event_id: received.eventId,
        occurred_at: '2025-04-01T10:00:00.000Z',
        recorded_at: '2025-04-01T10:00:00.000Z',
        position: received.position.toString(),
      },
    ]);
  });
});

describe('across partnerships', () => {
  const history = mixedHistory();

  it('records amendments, ended DSAs with and without certified disposal, and back-dated transfers', async () => {
    const s = await (await spec()).given(history.log.events);
    const doc = (await s.doc<AgreementsDocument>(TOOL_PARTNERSHIP_ID))!;
    expect(doc.agreement).toMatchObject({
      termEnd: '2029-01-31',
      originalTermEnd: '2027-01-31',
      amendments: [{ amendmentKind: 'renewal', newTermEnd: '2029-01-31', amendedAt: '2025-09-01T10:00:00.000Z' }],
      amendmentCount: 1,
    });
    expect(doc.dsas.map((d) => [d.dsaId, d.ended, d.endKind, d.endedOn, d.destructionDueBy, d.disposal?.disposedOn ?? null])).toEqual([
      ['dsa-valley-2024', true, 'terminated', '2025-09-15', '2025-11-14', '2025-10-30'],
      ['dsa-valley-surveys', true, 'superseded', '2025-10-01', '2025-10-31', null],
    ]);
    expect(doc.dsas[1]).toMatchObject({ noSurprisesReviewDays: 14, piiIncluded: false, transferCount: 1, piiTransferCount: 0 });
    const rows = (await transfers(s)).filter((t) => t.partnership_id === TOOL_PARTNERSHIP_ID);
    expect(rows.map((t) => [t.transfer_id, t.received_on, t.occurred_at, t.recorded_at, t.recipient_organization_id])).toEqual([
      ['xfer-1', '2025-04-01', '2025-04-01T10:00:00.000Z', '2025-04-01T10:00:00.000Z', 'org-westlab'],
      ['xfer-surveys', '2025-09-20', '2025-09-21T10:00:00.000Z', '2025-09-25T10:00:00.000Z', null],
    ]);
  });

  it('keeps a charter without a term end, and the status of paused and closed partnerships', async () => {
    const s = await (await spec()).given(history.log.events);
    const state = (await s.doc<AgreementsDocument>(STATE_PARTNERSHIP_ID))!;
    expect(state.status).toBe('paused');
    expect(state.agreement).toMatchObject({ agreementRef: 'MOU-RETENTION', partyOrganizationIds: ['org-sea', 'org-lea-metro', 'org-lea-plains', 'org-state-univ'] });
    expect(state.agreement!.termEnd).toBeUndefined();
    expect(state.dsas.map((d) => [d.dsaId, d.ended, d.noSurprisesReviewDays])).toEqual([['dsa-retention', false, 21]]);
    expect((await s.doc<AgreementsDocument>(CLOSED_PARTNERSHIP_ID))!).toMatchObject({ status: 'closed', dsas: [] });
  });

  it('gives the same tables whatever the batching', async () => {
    await expectBatchInvariance(agreementsProjection, db.sql, db.schema, history.log.events);
  });
});

describe('the transfers table', () => {
  it('is append-only: a transfer id seen again keeps the first record, in one batch or across batches', async () => {
    const log = new TestLog();
    const p = log.partnership(TOOL_PARTNERSHIP_ID);
    p.run(PartnershipFixtures.seedToolPath());
    const duplicate = { type: 'DataReceivedUnderAgreement', data: { workstreamId: 'ws-routines', transferId: 'xfer-1', dsaId: 'dsa-valley-2024', dataCategories: ['x'], piiIncluded: false, receivedOn: '2025-05-01' } };
    p.append([duplicate], { occurredAt: '2025-05-01' });
    p.append([duplicate], { occurredAt: '2025-05-02' });
    for (const batch of [log.events.length, 1]) {
      const rows = await transfers(await (await spec()).given(log.events, batch));
      expect(rows.map((t) => [t.transfer_id, t.received_on, t.data_categories])).toEqual([['xfer-1', '2025-04-01', ['attendance']]]);
    }
  });
});
