/**
 * The agreements register as readers see it, at a given "now" (injected; never the clock): terms and
 * expiries with the days left, destruction deadlines and overdue disposals, the no-surprises
 * window, and the transfers made under each DSA. Also the data-disclosure ledger (research §4.1:
 * parties, legal basis or exception, purpose, DSA and later disposal, after the FERPA record of
 * disclosures, 34 CFR 99.32) that the audit timeline embeds: `dataDisclosureLedger` gives its
 * entries, `renderDataDisclosureLedgerHtml` an HTML fragment.
 *
 * `readAgreementsRegister` loads one partnership's document and transfers from the read model's
 * views, so other read paths (the timeline) reuse the same source.
 */
import { DEFAULT_NO_SURPRISES_REVIEW_DAYS, type LegalBasis } from '@trellis/domain';
import type { SqlExecutor } from '@trellis/event-store';
import { readModelView } from '../../core/projection';
import type { AgreementsDocument, DataDisposal, DataSharingAgreementEntry } from './agreements.document';
import { AGREEMENTS, type DataTransferRow } from './agreements.projection';

/** R-13's first notice: a DSA within this many days of `expiresOn` is "expiring soon". */
export const DSA_EXPIRY_NOTICE_DAYS = 90;
/** R-14: disposal is "due soon" this many days before `destructionDueBy`. */
export const DISPOSAL_NOTICE_DAYS = 14;
/** R-18's first notice: an agreement term within this many days of its end is "ending soon". */
export const TERM_END_NOTICE_DAYS = 120;

export interface AgreementsRegisterSource {
  readonly document: AgreementsDocument;
  /** Ordered by `received_on`, then `transfer_id`. */
  readonly transfers: readonly DataTransferRow[];
}

/** One partnership's register from the views, or undefined when the read model does not know it. */
export async function readAgreementsRegister(sql: SqlExecutor, schema: string, partnershipId: string): Promise<AgreementsRegisterSource | undefined> {
  const docs = readModelView(schema, AGREEMENTS, 'docs');
  const transfers = readModelView(schema, AGREEMENTS, 'transfers');
  const { rows } = await sql.query<{ doc: AgreementsDocument }>(`SELECT doc FROM ${docs} WHERE key = $1`, [partnershipId]);
  const document = rows[0]?.doc;
  if (!document || document.status === 'none') return undefined;
  const t = await sql.query<DataTransferRow>(
    `SELECT partnership_id, transfer_id, dsa_id, workstream_id, data_categories, pii_included, received_on,
            recipient_organization_id, event_id, occurred_at, recorded_at, position::text AS position
       FROM ${transfers} WHERE partnership_id = $1 ORDER BY received_on, transfer_id`,
    [partnershipId],
  );
  return { document, transfers: t.rows };
}

// --- the register at a given now -------------------------------------------------------------------

export interface OrganizationRef {
  organizationId: string;
  name: string | null;
  side: string | null;
  orgType: string | null;
}

export interface DataTransferView {
  transferId: string;
  dsaId: string;
  workstreamId: string;
  dataCategories: string[];
  piiIncluded: boolean;
  receivedOn: string;
  /** The receiving organization when the transfer names one; otherwise the DSA's recipients received it. */
  recipientOrganizationId: string | null;
  occurredAt: string;
  recordedAt: string;
  eventId: string;
}

export interface DataSharingAgreementView {
  dsaId: string;
  provider: OrganizationRef;
  recipients: OrganizationRef[];
  legalBasis: LegalBasis;
  purpose: string;
  dataCategories: string[];
  piiIncluded: boolean;
  effectiveFrom: string;
  expiresOn: string;
  executedAt: string | null;
  status: 'active' | 'ended';
  /** Active DSAs only: days from today to `expiresOn` (negative once past it). */
  daysUntilExpiry: number | null;
  /** Active and within DSA_EXPIRY_NOTICE_DAYS of expiry (R-13). */
  expiringSoon: boolean;
  /** Active although `expiresOn` has passed: it should be ended (expired). */
  pastExpiry: boolean;
  endKind: string | null;
  endedOn: string | null;
  destructionPeriodDays: number;
  destructionDueBy: string | null;
  daysUntilDestructionDue: number | null;
  disposal: { certified: boolean; certifiedByParticipantId: string | null; method: string | null; disposedOn: string | null; certifiedAt: string | null };
  /** Ended, not certified, and `destructionDueBy` has passed (R-14). */
  disposalOverdue: boolean;
  /** Ended, not certified, due within DISPOSAL_NOTICE_DAYS (R-14). */
  disposalDueSoon: boolean;
  noSurprisesReview: { windowDays: number; defaulted: boolean };
  transferCount: number;
  piiTransferCount: number;
  lastReceivedOn: string | null;
  transfers: DataTransferView[];
}

export interface PartnershipAgreementView {
  agreementRef: string;
  parties: OrganizationRef[];
  coLeadParticipantIds: string[];
  effectiveFrom: string;
  termEnd: string | null;
  originalTermEnd: string | null;
  formalizedAt: string | null;
  daysUntilTermEnd: number | null;
  termEnded: boolean;
  termEndingSoon: boolean;
  amendments: Array<{ amendmentKind: string; newTermEnd: string | null; amendedAt: string | null }>;
  amendmentCount: number;
}

export interface AgreementsRegisterView {
  partnershipId: string;
  partnershipName: string;
  partnershipStatus: string;
  asOf: string;
  agreement: PartnershipAgreementView | null;
  dataSharingAgreements: DataSharingAgreementView[];
  totals: {
    dataSharingAgreements: number;
    active: number;
    ended: number;
    expiringSoon: number;
    pastExpiry: number;
    disposalPending: number;
    disposalOverdue: number;
    transfers: number;
    piiTransfers: number;
  };
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date.slice(0, 10)}T00:00:00.000Z`) / DAY_MS;
const daysFrom = (today: string, date: string) => Math.round(dayNumber(date) - dayNumber(today));

export function agreementsRegisterView(source: AgreementsRegisterSource, now: Date): AgreementsRegisterView {
  const { document: doc } = source;
  const today = now.toISOString().slice(0, 10);
  const org = (organizationId: string): OrganizationRef => {
    const o = Object.hasOwn(doc.organizations, organizationId) ? doc.organizations[organizationId] : undefined;
    return { organizationId, name: o?.name ?? null, side: o?.side ?? null, orgType: o?.orgType ?? null };
  };
  const transfersOf = new Map<string, DataTransferView[]>();
  for (const t of source.transfers) {
    const list = transfersOf.get(t.dsa_id) ?? [];
    list.push({
      transferId: t.transfer_id,
      dsaId: t.dsa_id,
      workstreamId: t.workstream_id,
      dataCategories: [...t.data_categories],
      piiIncluded: t.pii_included,
      receivedOn: t.received_on,
      recipientOrganizationId: t.recipient_organization_id,
      occurredAt: t.occurred_at,
      recordedAt: t.recorded_at,
      eventId: t.event_id,
    });
    transfersOf.set(t.dsa_id, list);
  }

  const dsas = doc.dsas.map((d) => dsaView(d, today, org, transfersOf.get(d.dsaId) ?? []));
  const a = doc.agreement;
  const agreement: PartnershipAgreementView | null = a
    ? {
        agreementRef: a.agreementRef,
        parties: a.partyOrganizationIds.map(org),
        coLeadParticipantIds: [...a.coLeadParticipantIds],
        effectiveFrom: a.effectiveFrom,
        termEnd: a.termEnd ?? null,
        originalTermEnd: a.originalTermEnd ?? null,
        formalizedAt: a.formalizedAt ?? null,
        daysUntilTermEnd: a.termEnd ? daysFrom(today, a.termEnd) : null,
        termEnded: a.termEnd !== undefined && today > a.termEnd,
        termEndingSoon: a.termEnd !== undefined && today <= a.termEnd && daysFrom(today, a.termEnd) <= TERM_END_NOTICE_DAYS,
        amendments: a.amendments.map((m) => ({ amendmentKind: m.amendmentKind, newTermEnd: m.newTermEnd ?? null, amendedAt: m.amendedAt ?? null })),
        amendmentCount: a.amendmentCount,
      }
    : null;

  return {
    partnershipId: doc.partnershipId,
    partnershipName: doc.name,
    partnershipStatus: doc.status,
    asOf: now.toISOString(),
    agreement,
    dataSharingAgreements: dsas,
    totals: {
      dataSharingAgreements: dsas.length,
      active: dsas.filter((d) => d.status === 'active').length,
      ended: dsas.filter((d) => d.status === 'ended').length,
      expiringSoon: dsas.filter((d) => d.expiringSoon).length,
      pastExpiry: dsas.filter((d) => d.pastExpiry).length,
      disposalPending: dsas.filter((d) => d.status === 'ended' && !d.disposal.certified).length,
      disposalOverdue: dsas.filter((d) => d.disposalOverdue).length,
      transfers: dsas.reduce((n, d) => n + d.transferCount, 0),
      piiTransfers: dsas.reduce((n, d) => n + d.piiTransferCount, 0),
    },
  };
}

function dsaView(d: DataSharingAgreementEntry, today: string, org: (id: string) => OrganizationRef, transfers: DataTransferView[]): DataSharingAgreementView {
  const active = !d.ended;
  const daysUntilExpiry = active ? daysFrom(today, d.expiresOn) : null;
  const pendingDisposal = d.ended && d.disposal === undefined && d.destructionDueBy !== undefined;
  const daysUntilDestructionDue = pendingDisposal ? daysFrom(today, d.destructionDueBy!) : null;
  return {
    dsaId: d.dsaId,
    provider: org(d.providerOrganizationId),
    recipients: d.recipientOrganizationIds.map(org),
    legalBasis: d.legalBasis,
    purpose: d.purpose,
    dataCategories: [...d.dataCategories],
    piiIncluded: d.piiIncluded,
    effectiveFrom: d.effectiveFrom,
    expiresOn: d.expiresOn,
    executedAt: d.executedAt ?? null,
    status: active ? 'active' : 'ended',
    daysUntilExpiry,
    expiringSoon: daysUntilExpiry !== null && daysUntilExpiry >= 0 && daysUntilExpiry <= DSA_EXPIRY_NOTICE_DAYS,
    pastExpiry: daysUntilExpiry !== null && daysUntilExpiry < 0,
    endKind: d.endKind ?? null,
    endedOn: d.endedOn ?? null,
    destructionPeriodDays: d.destructionPeriodDays,
    destructionDueBy: d.destructionDueBy ?? null,
    daysUntilDestructionDue,
    disposal: disposalView(d.disposal),
    disposalOverdue: daysUntilDestructionDue !== null && daysUntilDestructionDue < 0,
    disposalDueSoon: daysUntilDestructionDue !== null && daysUntilDestructionDue >= 0 && daysUntilDestructionDue <= DISPOSAL_NOTICE_DAYS,
    noSurprisesReview: { windowDays: d.noSurprisesReviewDays ?? DEFAULT_NO_SURPRISES_REVIEW_DAYS, defaulted: d.noSurprisesReviewDays === undefined },
    transferCount: d.transferCount,
    piiTransferCount: d.piiTransferCount,
    lastReceivedOn: d.lastReceivedOn ?? null,
    transfers,
  };
}

const disposalView = (p: DataDisposal | undefined) => ({
  certified: p !== undefined,
  certifiedByParticipantId: p?.certifiedByParticipantId ?? null,
  method: p?.method ?? null,
  disposedOn: p?.disposedOn ?? null,
  certifiedAt: p?.certifiedAt ?? null,
});

// --- the data-disclosure ledger --------------------------------------------------------------------

export type LedgerEntryKind = 'agreement_executed' | 'data_received' | 'agreement_ended' | 'disposal_certified';

export interface DataDisclosureLedgerEntry {
  /** The date it happened (`YYYY-MM-DD`). */
  on: string;
  kind: LedgerEntryKind;
  dsaId: string;
  /** The disclosing party (the DSA's provider). */
  provider: OrganizationRef;
  /** Who received (or may receive) the data. */
  recipients: OrganizationRef[];
  legalBasis: LegalBasis;
  purpose: string;
  dataCategories: string[];
  piiIncluded: boolean;
  transferId?: string;
  workstreamId?: string;
  endKind?: string;
  destructionDueBy?: string;
  disposalMethod?: string;
  certifiedByParticipantId?: string;
  /** When it was recorded, if later than it happened (back-dated facts stay visible). */
  recordedAt?: string;
}

const KIND_ORDER: Readonly<Record<LedgerEntryKind, number>> = { agreement_executed: 0, data_received: 1, agreement_ended: 2, disposal_certified: 3 };

/** The ledger's entries, oldest first: each agreement, each transfer under it, its end and its disposal. */
export function dataDisclosureLedger(source: AgreementsRegisterSource): DataDisclosureLedgerEntry[] {
  const register = agreementsRegisterView(source, new Date(0)); // time-independent parts only
  const entries: DataDisclosureLedgerEntry[] = [];
  for (const d of register.dataSharingAgreements) {
    const base = { dsaId: d.dsaId, provider: d.provider, legalBasis: d.legalBasis, purpose: d.purpose };
    entries.push({ ...base, on: d.effectiveFrom, kind: 'agreement_executed', recipients: d.recipients, dataCategories: d.dataCategories, piiIncluded: d.piiIncluded });
    for (const t of d.transfers) {
      const recipients = t.recipientOrganizationId ? [d.recipients.find((r) => r.organizationId === t.recipientOrganizationId) ?? { organizationId: t.recipientOrganizationId, name: null, side: null, orgType: null }] : d.recipients;
      entries.push({
        ...base,
        on: t.receivedOn,
        kind: 'data_received',
        recipients,
        dataCategories: t.dataCategories,
        piiIncluded: t.piiIncluded,
        transferId: t.transferId,
        workstreamId: t.workstreamId,
        ...(t.recordedAt.slice(0, 10) > t.receivedOn ? { recordedAt: t.recordedAt } : {}),
      });
    }
    if (d.endedOn !== null) {
      entries.push({
        ...base,
        on: d.endedOn,
        kind: 'agreement_ended',
        recipients: d.recipients,
        dataCategories: d.dataCategories,
        piiIncluded: d.piiIncluded,
        ...(d.endKind !== null ? { endKind: d.endKind } : {}),
        ...(d.destructionDueBy !== null ? { destructionDueBy: d.destructionDueBy } : {}),
      });
    }
    if (d.disposal.certified) {
      entries.push({
        ...base,
        on: d.disposal.disposedOn!,
        kind: 'disposal_certified',
        recipients: d.recipients,
        dataCategories: d.dataCategories,
        piiIncluded: d.piiIncluded,
        disposalMethod: d.disposal.method!,
        certifiedByParticipantId: d.disposal.certifiedByParticipantId!,
      });
    }
  }
  return entries.sort((a, b) =>
    a.on !== b.on ? (a.on < b.on ? -1 : 1) : a.dsaId !== b.dsaId ? (a.dsaId < b.dsaId ? -1 : 1) : KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.transferId ?? '').localeCompare(b.transferId ?? ''),
  );
}

const LEDGER_LABELS: Readonly<Record<LedgerEntryKind, string>> = {
  agreement_executed: 'Agreement in effect',
  data_received: 'Data received',
  agreement_ended: 'Agreement ended',
  disposal_certified: 'Disposal certified',
};

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const orgLabel = (o: OrganizationRef): string => escapeHtml(o.name ? `${o.name} (${o.organizationId})` : o.organizationId);

/**
 * The ledger as an HTML fragment (a `<table>`; every value escaped) for pages such as the audit
 * timeline. Participants appear only as their pseudonymous ids: names are resolved, if at all, by
 * the page from the people vault.
 */
export function renderDataDisclosureLedgerHtml(entries: readonly DataDisclosureLedgerEntry[]): string {
  const head =
    '<table class="data-disclosure-ledger"><thead><tr>' +
    ['Date', 'Entry', 'Agreement', 'Provider', 'Recipients', 'Legal basis', 'Purpose', 'Data', 'Details'].map((h) => `<th scope="col">${h}</th>`).join('') +
    '</tr></thead><tbody>';
  const rows = entries.map((e) => {
    const details = [
      e.transferId ? `transfer ${e.transferId}` : '',
      e.workstreamId ? `workstream ${e.workstreamId}` : '',
      e.endKind ? `end: ${e.endKind}` : '',
      e.destructionDueBy ? `destroy by ${e.destructionDueBy}` : '',
      e.disposalMethod ? `method: ${e.disposalMethod}` : '',
      e.certifiedByParticipantId ? `certified by ${e.certifiedByParticipantId}` : '',
      e.recordedAt ? `recorded ${e.recordedAt}` : '',
    ].filter((s) => s !== '');
    const cells = [
      `<time datetime="${escapeHtml(e.on)}">${escapeHtml(e.on)}</time>`,
      LEDGER_LABELS[e.kind],
      escapeHtml(e.dsaId),
      orgLabel(e.provider),
      e.recipients.map(orgLabel).join(', '),
      escapeHtml(e.legalBasis),
      escapeHtml(e.purpose),
      `${escapeHtml(e.dataCategories.join(', '))}${e.piiIncluded ? ' <strong>(PII)</strong>' : ''}`,
      escapeHtml(details.join('; ')),
    ];
    return `<tr class="ledger-${e.kind.replace(/_/g, '-')}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  const empty = entries.length === 0 ? '<tr><td colspan="9">No data-sharing agreements recorded.</td></tr>' : '';
  return `${head}${rows.join('')}${empty}</tbody></table>`;
}
