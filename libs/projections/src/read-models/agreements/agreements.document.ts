/**
 * The agreements register of one partnership (DOMAIN.md "Agreements register"; research §4.6), as
 * stored: the MOU or charter with its amendments, and every data-sharing agreement with its end,
 * destruction deadline, disposal and a summary of the data received under it. The transfers
 * themselves are append-only rows of their own table (they grow with history; the document does not).
 *
 * `evolve` is pure and total; nothing here reads the clock (days until expiry, overdue disposal and
 * the like are computed at query time: agreements.view.ts).
 */
import {
  lookup,
  type AmendmentKind,
  type DsaEndKind,
  type LegalBasis,
  type OrgType,
  type PartnershipEvent,
  type PartnershipStatus,
  type Side,
} from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';

/** Amendments kept in the document (the latest); `amendmentCount` counts them all. */
export const AMENDMENTS_KEPT = 50;
/** Distinct data categories received kept per DSA. */
export const RECEIVED_CATEGORIES_KEPT = 50;

export interface AgreementOrganization {
  readonly name: string;
  readonly orgType: OrgType;
  readonly side: Side;
}

export interface AgreementAmendment {
  readonly amendmentKind: AmendmentKind;
  readonly newTermEnd?: string;
  readonly amendedAt?: string;
}

export interface PartnershipAgreement {
  readonly agreementRef: string;
  readonly partyOrganizationIds: readonly string[];
  readonly coLeadParticipantIds: readonly string[];
  readonly effectiveFrom: string;
  /** Current term end: the latest amendment's `newTermEnd`, else the formalized one. */
  readonly termEnd?: string;
  readonly originalTermEnd?: string;
  readonly formalizedAt?: string;
  readonly amendments: readonly AgreementAmendment[];
  readonly amendmentCount: number;
}

export interface DataDisposal {
  readonly certifiedByParticipantId: string;
  readonly method: string;
  readonly disposedOn: string;
  readonly certifiedAt?: string;
}

export interface DataSharingAgreementEntry {
  readonly dsaId: string;
  readonly providerOrganizationId: string;
  readonly recipientOrganizationIds: readonly string[];
  readonly legalBasis: LegalBasis;
  readonly purpose: string;
  readonly dataCategories: readonly string[];
  readonly piiIncluded: boolean;
  readonly effectiveFrom: string;
  readonly expiresOn: string;
  readonly destructionPeriodDays: number;
  readonly noSurprisesReviewDays?: number;
  readonly executedAt?: string;
  readonly ended: boolean;
  readonly endKind?: DsaEndKind;
  readonly endedOn?: string;
  readonly destructionDueBy?: string;
  readonly disposal?: DataDisposal;
  readonly transferCount: number;
  readonly piiTransferCount: number;
  readonly firstReceivedOn?: string;
  readonly lastReceivedOn?: string;
  readonly categoriesReceived: readonly string[];
}

export interface AgreementsDocument {
  readonly partnershipId: string;
  readonly name: string;
  readonly status: PartnershipStatus | 'none';
  readonly organizations: Readonly<Record<string, AgreementOrganization>>;
  readonly agreement?: PartnershipAgreement;
  /** In the order they were executed. */
  readonly dsas: readonly DataSharingAgreementEntry[];
}

export const initialAgreementsDocument = (partnershipId: string): AgreementsDocument => ({
  partnershipId,
  name: '',
  status: 'none',
  organizations: {},
  dsas: [],
});

const list = <T>(value: readonly T[] | undefined): T[] => (Array.isArray(value) ? [...value] : []);
const occurredAtOf = (e: RecordedEvent): string | undefined => {
  const at = e.metadata['occurredAt'] ?? e.metadata['recordedAt'];
  return typeof at === 'string' ? at : undefined;
};
const earlier = (a: string | undefined, b: string): string => (a === undefined || b < a ? b : a);
const later = (a: string | undefined, b: string): string => (a === undefined || b > a ? b : a);

export function evolveAgreementsDocument(doc: AgreementsDocument, recorded: RecordedEvent): AgreementsDocument {
  const event = recorded as unknown as PartnershipEvent;
  if (typeof event.data !== 'object' || event.data === null) return doc;
  const at = occurredAtOf(recorded);
  if (doc.status === 'none') {
    return event.type === 'PartnershipProposed' ? { ...doc, name: event.data.name, status: 'exploring' } : doc;
  }
  switch (event.type) {
    case 'OrganizationJoined': {
      const { organizationId, name, orgType, side } = event.data;
      if (lookup(doc.organizations, organizationId)) return doc;
      return { ...doc, organizations: { ...doc.organizations, [organizationId]: { name, orgType, side } } };
    }
    case 'PartnershipFormalized': {
      const d = event.data;
      return {
        ...doc,
        status: 'active',
        agreement: {
          agreementRef: d.agreementRef,
          partyOrganizationIds: list(d.partyOrganizationIds),
          coLeadParticipantIds: list(d.coLeadParticipantIds),
          effectiveFrom: d.effectiveFrom,
          ...(d.termEnd !== undefined ? { termEnd: d.termEnd, originalTermEnd: d.termEnd } : {}),
          ...(at !== undefined ? { formalizedAt: at } : {}),
          amendments: [],
          amendmentCount: 0,
        },
      };
    }
    case 'PartnershipAgreementAmended': {
      const { agreement } = doc;
      if (!agreement) return doc;
      const { amendmentKind, newTermEnd } = event.data;
      const amendment: AgreementAmendment = {
        amendmentKind,
        ...(newTermEnd !== undefined ? { newTermEnd } : {}),
        ...(at !== undefined ? { amendedAt: at } : {}),
      };
      return {
        ...doc,
        agreement: {
          ...agreement,
          ...(newTermEnd !== undefined ? { termEnd: newTermEnd } : {}),
          amendments: [...agreement.amendments, amendment].slice(-AMENDMENTS_KEPT),
          amendmentCount: agreement.amendmentCount + 1,
        },
      };
    }
    case 'DataSharingAgreementExecuted': {
      const d = event.data;
      if (doc.dsas.some((x) => x.dsaId === d.dsaId)) return doc;
      const entry: DataSharingAgreementEntry = {
        dsaId: d.dsaId,
        providerOrganizationId: d.providerOrganizationId,
        recipientOrganizationIds: list(d.recipientOrganizationIds),
        legalBasis: d.legalBasis,
        purpose: d.purpose,
        dataCategories: list(d.dataCategories),
        piiIncluded: d.piiIncluded,
        effectiveFrom: d.effectiveFrom,
        expiresOn: d.expiresOn,
        destructionPeriodDays: d.destructionPeriodDays,
        ...(d.noSurprisesReviewDays !== undefined ? { noSurprisesReviewDays: d.noSurprisesReviewDays } : {}),
        ...(at !== undefined ? { executedAt: at } : {}),
        ended: false,
        transferCount: 0,
        piiTransferCount: 0,
        categoriesReceived: [],
      };
      return { ...doc, dsas: [...doc.dsas, entry] };
    }
    case 'DataSharingAgreementEnded': {
      const { dsaId, endKind, endedOn, destructionDueBy } = event.data;
      return updateDsa(doc, dsaId, (x) => ({ ...x, ended: true, endKind, endedOn, destructionDueBy }));
    }
    case 'DataDisposalCertified': {
      const { dsaId, certifiedByParticipantId, method, disposedOn } = event.data;
      return updateDsa(doc, dsaId, (x) => ({
        ...x,
        disposal: { certifiedByParticipantId, method, disposedOn, ...(at !== undefined ? { certifiedAt: at } : {}) },
      }));
    }
    case 'DataReceivedUnderAgreement': {
      const { dsaId, dataCategories, piiIncluded, receivedOn } = event.data;
      return updateDsa(doc, dsaId, (x) => {
        const categories = [...x.categoriesReceived];
        for (const c of list(dataCategories)) if (!categories.includes(c) && categories.length < RECEIVED_CATEGORIES_KEPT) categories.push(c);
        return {
          ...x,
          transferCount: x.transferCount + 1,
          piiTransferCount: x.piiTransferCount + (piiIncluded ? 1 : 0),
          firstReceivedOn: earlier(x.firstReceivedOn, receivedOn),
          lastReceivedOn: later(x.lastReceivedOn, receivedOn),
          categoriesReceived: categories,
        };
      });
    }
    case 'PartnershipStatusChanged':
      return { ...doc, status: event.data.toStatus };
    case 'PartnershipClosed':
      return { ...doc, status: 'closed' };
    case 'PartnershipAbandoned':
      return { ...doc, status: 'abandoned' };
    default:
      return doc;
  }
}

function updateDsa(doc: AgreementsDocument, dsaId: string, change: (x: DataSharingAgreementEntry) => DataSharingAgreementEntry): AgreementsDocument {
  const i = doc.dsas.findIndex((x) => x.dsaId === dsaId);
  if (i < 0) return doc;
  const dsas = [...doc.dsas];
  dsas[i] = change(dsas[i]!);
  return { ...doc, dsas };
}
