import { TestLog } from '../../testing';
import { toolPathCommands } from '../../testing/read-model-histories';
import { evolveAgreementsDocument, initialAgreementsDocument, type AgreementsDocument } from './agreements.document';
import type { DataTransferRow } from './agreements.projection';
import { agreementsRegisterView, dataDisclosureLedger, renderDataDisclosureLedgerHtml, type AgreementsRegisterSource } from './agreements.view';

const on = (date: string) => new Date(`${date}T23:00:00.000Z`);

function foldToolPath(): AgreementsDocument {
  const log = new TestLog();
  const p = log.partnership('11111111-1111-4111-8111-111111111111');
  p.run(toolPathCommands());
  return log.events.reduce(evolveAgreementsDocument, initialAgreementsDocument(p.partnershipId));
}

const transfer = (overrides: Partial<DataTransferRow>): DataTransferRow => ({
  partnership_id: '11111111-1111-4111-8111-111111111111',
  transfer_id: 'xfer-1',
  dsa_id: 'dsa-valley-2024',
  workstream_id: 'ws-routines',
  data_categories: ['attendance'],
  pii_included: true,
  received_on: '2025-04-01',
  recipient_organization_id: 'org-westlab',
  event_id: 'evt-1',
  occurred_at: '2025-04-01T10:00:00.000Z',
  recorded_at: '2025-04-01T10:00:00.000Z',
  position: '10',
  ...overrides,
});

const source = (document: AgreementsDocument, transfers: DataTransferRow[] = []): AgreementsRegisterSource => ({ document, transfers });

/** The tool path's document with only its first DSA, still active (as before it ended). */
function withActiveDsa(): AgreementsDocument {
  const doc = foldToolPath();
  const [first] = doc.dsas;
  const { endKind: _k, endedOn: _e, destructionDueBy: _d, disposal: _p, ...active } = first!;
  return { ...doc, dsas: [{ ...active, ended: false }] };
}

describe('the register at a given now', () => {
  it('counts the days until a DSA expires and flags it within 90 days, and past its expiry', () => {
    const doc = withActiveDsa(); // expiresOn 2027-02-28
    const at = (date: string) => agreementsRegisterView(source(doc), on(date)).dataSharingAgreements[0]!;
    expect(at('2026-11-29')).toMatchObject({ status: 'active', daysUntilExpiry: 91, expiringSoon: false, pastExpiry: false });
    expect(at('2026-11-30')).toMatchObject({ daysUntilExpiry: 90, expiringSoon: true });
    expect(at('2027-02-28')).toMatchObject({ daysUntilExpiry: 0, expiringSoon: true, pastExpiry: false });
    expect(at('2027-03-01')).toMatchObject({ daysUntilExpiry: -1, expiringSoon: false, pastExpiry: true });
  });

  it('shows an ended DSA with its destruction deadline, certified disposal, or overdue disposal from the day after the deadline', () => {
    const doc = foldToolPath();
    const at = (date: string) => agreementsRegisterView(source(doc), on(date));
    const [certified, uncertified] = at('2025-11-20').dataSharingAgreements;
    expect(certified).toMatchObject({
      dsaId: 'dsa-valley-2024',
      status: 'ended',
      daysUntilExpiry: null,
      endKind: 'terminated',
      endedOn: '2025-09-15',
      destructionDueBy: '2025-11-14',
      daysUntilDestructionDue: null,
      disposal: { certified: true, certifiedByParticipantId: 'p-lab-lead', method: 'NIST 800-88 purge', disposedOn: '2025-10-30', certifiedAt: '2025-11-01T10:00:00.000Z' },
      disposalOverdue: false,
      noSurprisesReview: { windowDays: 30, defaulted: true },
    });
    expect(uncertified).toMatchObject({ dsaId: 'dsa-valley-surveys', endKind: 'superseded', destructionDueBy: '2025-10-31', disposal: { certified: false }, noSurprisesReview: { windowDays: 14, defaulted: false } });
    expect(at('2025-10-17').dataSharingAgreements[1]).toMatchObject({ daysUntilDestructionDue: 14, disposalDueSoon: true, disposalOverdue: false });
    expect(at('2025-10-16').dataSharingAgreements[1]).toMatchObject({ daysUntilDestructionDue: 15, disposalDueSoon: false });
    expect(at('2025-10-31').dataSharingAgreements[1]).toMatchObject({ daysUntilDestructionDue: 0, disposalDueSoon: true, disposalOverdue: false });
    expect(at('2025-11-01').dataSharingAgreements[1]).toMatchObject({ daysUntilDestructionDue: -1, disposalDueSoon: false, disposalOverdue: true });
    expect(at('2025-11-01').totals).toMatchObject({ dataSharingAgreements: 2, active: 0, ended: 2, disposalPending: 1, disposalOverdue: 1, transfers: 2, piiTransfers: 1 });
  });

  it('shows the MOU with its parties, amendments and the current term end', () => {
    const view = agreementsRegisterView(source(foldToolPath()), on('2028-10-03'));
    expect(view.agreement).toEqual({
      agreementRef: 'MOU-VALLEY-2024',
      parties: [
        { organizationId: 'org-valley-usd', name: 'Valley USD', side: 'practice', orgType: 'school_district' },
        { organizationId: 'org-westlab', name: 'WestLab', side: 'research', orgType: 'research_organization' },
      ],
      coLeadParticipantIds: ['p-dist-lead', 'p-lab-lead'],
      effectiveFrom: '2024-02-01',
      termEnd: '2029-01-31',
      originalTermEnd: '2027-01-31',
      formalizedAt: '2024-02-01T10:00:00.000Z',
      daysUntilTermEnd: 120,
      termEnded: false,
      termEndingSoon: true,
      amendments: [{ amendmentKind: 'renewal', newTermEnd: '2029-01-31', amendedAt: '2025-09-01T10:00:00.000Z' }],
      amendmentCount: 1,
    });
    expect(agreementsRegisterView(source(foldToolPath()), on('2028-10-02')).agreement).toMatchObject({ daysUntilTermEnd: 121, termEndingSoon: false });
    expect(agreementsRegisterView(source(foldToolPath()), on('2029-02-01')).agreement).toMatchObject({ termEnded: true, termEndingSoon: false });
  });

  it('groups the transfers under their DSA', () => {
    const view = agreementsRegisterView(source(foldToolPath(), [transfer({}), transfer({ transfer_id: 'xfer-s', dsa_id: 'dsa-valley-surveys', pii_included: false, recipient_organization_id: null })]), on('2025-11-20'));
    expect(view.dataSharingAgreements.map((d) => d.transfers.map((t) => t.transferId))).toEqual([['xfer-1'], ['xfer-s']]);
    expect(view.dataSharingAgreements[1]!.transfers[0]).toMatchObject({ recipientOrganizationId: null, piiIncluded: false });
  });
});

describe('the data-disclosure ledger', () => {
  const doc = foldToolPath();
  const transfers = [
    transfer({}),
    transfer({ transfer_id: 'xfer-surveys', dsa_id: 'dsa-valley-surveys', data_categories: ['engagement_survey'], pii_included: false, received_on: '2025-09-20', recipient_organization_id: null, recorded_at: '2025-09-25T10:00:00.000Z' }),
  ];

  it('lists each agreement, transfer, end and disposal in date order, with parties, legal basis and purpose', () => {
    const ledger = dataDisclosureLedger(source(doc, transfers));
    expect(ledger.map((e) => [e.on, e.kind, e.dsaId, e.transferId ?? null])).toEqual([
      ['2025-03-01', 'agreement_executed', 'dsa-valley-2024', null],
      ['2025-04-01', 'data_received', 'dsa-valley-2024', 'xfer-1'],
      ['2025-09-01', 'agreement_executed', 'dsa-valley-surveys', null],
      ['2025-09-15', 'agreement_ended', 'dsa-valley-2024', null],
      ['2025-09-20', 'data_received', 'dsa-valley-surveys', 'xfer-surveys'],
      ['2025-10-01', 'agreement_ended', 'dsa-valley-surveys', null],
      ['2025-10-30', 'disposal_certified', 'dsa-valley-2024', null],
    ]);
    expect(ledger[1]).toMatchObject({
      provider: { organizationId: 'org-valley-usd', name: 'Valley USD' },
      recipients: [{ organizationId: 'org-westlab', name: 'WestLab' }],
      legalBasis: 'ferpa_studies_exception',
      purpose: 'Evaluate whether the routines toolkit works in practice',
      dataCategories: ['attendance'],
      piiIncluded: true,
    });
    expect(ledger[4]).toMatchObject({ recipients: [{ organizationId: 'org-westlab' }], recordedAt: '2025-09-25T10:00:00.000Z' });
    expect(ledger[3]).toMatchObject({ endKind: 'terminated', destructionDueBy: '2025-11-14' });
    expect(ledger[6]).toMatchObject({ disposalMethod: 'NIST 800-88 purge', certifiedByParticipantId: 'p-lab-lead' });
  });

  it('renders as an escaped HTML table', () => {
    const hostile: AgreementsDocument = { ...doc, dsas: [{ ...doc.dsas[0]!, purpose: '<script>alert("x")</script> & more' }] };
    const html = renderDataDisclosureLedgerHtml(dataDisclosureLedger(source(hostile, [transfer({})])));
    expect(html.startsWith('<table class="data-disclosure-ledger">')).toBe(true);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<td>Valley USD (org-valley-usd)</td>');
    expect(html).toContain('attendance <strong>(PII)</strong>');
    expect(html.match(/<tr class="ledger-/g)).toHaveLength(4);
    expect(renderDataDisclosureLedgerHtml([])).toContain('No data-sharing agreements recorded.');
  });
});
