/** Read model "Partnership summary": projection, document and the list item view. */
export {
  PARTNERSHIP_SUMMARY,
  PARTNERSHIP_SUMMARY_COLUMNS,
  evolvePartnershipSummary,
  openPhases,
  partnershipSummaryProjection,
  type LastActivity,
  type PartnershipSummaryDoc,
} from './partnership-summary.projection';
export {
  openWorkstreams,
  organizationsBySide,
  partnershipSummaryItem,
  type OpenWorkstreamItem,
  type OrganizationsBySide,
  type PartnershipSummaryItem,
} from './partnership-summary.view';
