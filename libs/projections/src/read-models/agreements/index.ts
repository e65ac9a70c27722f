/** Read model "Agreements register" (with the data-disclosure ledger): projection, document, views. */
export { AGREEMENTS, AGREEMENTS_EVENT_TYPES, agreementsProjection, type DataTransferRow } from './agreements.projection';
export type {
  AgreementAmendment,
  AgreementOrganization,
  AgreementsDocument,
  DataDisposal,
  DataSharingAgreementEntry,
  PartnershipAgreement,
} from './agreements.document';
export {
  DISPOSAL_NOTICE_DAYS,
  DSA_EXPIRY_NOTICE_DAYS,
  TERM_END_NOTICE_DAYS,
  agreementsRegisterView,
  dataDisclosureLedger,
  readAgreementsRegister,
  renderDataDisclosureLedgerHtml,
  type AgreementsRegisterSource,
  type AgreementsRegisterView,
  type DataDisclosureLedgerEntry,
  type DataSharingAgreementView,
  type DataTransferView,
  type LedgerEntryKind as DataDisclosureLedgerEntryKind,
  type OrganizationRef as AgreementOrganizationRef,
  type PartnershipAgreementView,
} from './agreements.view';
