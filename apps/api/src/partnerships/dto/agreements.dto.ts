/** Request DTOs of the agreement commands: the partnership MOU and data-sharing agreements (DSAs). */
import {
  AMENDMENT_KINDS,
  DSA_END_KINDS,
  LEGAL_BASES,
  type AmendAgreementData,
  type AmendmentKind,
  type CertifyDataDisposalData,
  type DsaEndKind,
  type EndDataSharingAgreementData,
  type ExecuteDataSharingAgreementData,
  type FormalizePartnershipData,
  type LegalBasis,
} from '@trellis/domain';
import {
  IsBool,
  IsBoundedInt,
  IsClientId,
  IsClientIdList,
  IsIsoDate,
  IsOneOf,
  IsOnOrAfter,
  IsText,
  IsTextList,
  LIMITS,
} from './validation.decorators';

/** `FormalizePartnership`: the partners sign an agreement; the partnership becomes `active`. */
export class FormalizePartnershipDto implements FormalizePartnershipData {
  @IsText(LIMITS.shortText, { description: 'Reference of the signed agreement (MOU).' })
  agreementRef!: string;

  // Empty is the domain's call: PARTNERSHIP_NEEDS_TWO_SIDES (422).
  @IsClientIdList({ min: 0, description: 'The signing organizations: at least one research-side and one practice- or community-side.' })
  partyOrganizationIds!: string[];

  @IsClientIdList({ description: 'Participants who co-lead the partnership.' })
  coLeadParticipantIds!: string[];

  @IsIsoDate()
  effectiveFrom!: string;

  @IsIsoDate({ optional: true, description: 'End of the agreement term; on or after effectiveFrom.' })
  @IsOnOrAfter('effectiveFrom')
  termEnd?: string;
}

/** `AmendAgreement`: renews, rescopes or gives notice on the formalized agreement. */
export class AmendAgreementDto implements AmendAgreementData {
  @IsText(LIMITS.shortText, { description: "The formalized agreement's reference." })
  agreementRef!: string;

  @IsOneOf(AMENDMENT_KINDS)
  amendmentKind!: AmendmentKind;

  @IsIsoDate({ optional: true, description: 'The new end of the agreement term.' })
  newTermEnd?: string;
}

/** `ExecuteDataSharingAgreement`: a written data-sharing agreement takes effect (FERPA). */
export class ExecuteDataSharingAgreementDto implements ExecuteDataSharingAgreementData {
  @IsClientId({ description: 'New DSA id, unique in the partnership.' })
  dsaId!: string;

  @IsClientId({ description: 'The organization providing the data.' })
  providerOrganizationId!: string;

  @IsClientIdList({ description: 'Organizations allowed to receive the data.' })
  recipientOrganizationIds!: string[];

  @IsOneOf(LEGAL_BASES)
  legalBasis!: LegalBasis;

  @IsText(LIMITS.longText, { description: 'The purpose the data may be used for.' })
  purpose!: string;

  @IsTextList({ min: 1, maxLength: LIMITS.shortText, unique: true, description: 'Categories of data covered (labels).' })
  dataCategories!: string[];

  @IsBool({ description: 'Whether personally identifiable information is covered.' })
  piiIncluded!: boolean;

  @IsIsoDate()
  effectiveFrom!: string;

  @IsIsoDate({ description: 'On or after effectiveFrom.' })
  @IsOnOrAfter('effectiveFrom')
  expiresOn!: string;

  @IsBoundedInt(0, 36_500, { description: 'Days after the agreement ends by which the data must be destroyed.' })
  destructionPeriodDays!: number;

  @IsBoundedInt(1, 3_650, { optional: true, description: 'Days the practice partner has to review findings before public release (30 when left out).' })
  noSurprisesReviewDays?: number;
}

/** `EndDataSharingAgreement`: a DSA expires, is terminated or superseded; the destruction clock starts. */
export class EndDataSharingAgreementDto implements EndDataSharingAgreementData {
  @IsClientId()
  dsaId!: string;

  @IsOneOf(DSA_END_KINDS)
  endKind!: DsaEndKind;

  @IsIsoDate()
  endedOn!: string;
}

/** `CertifyDataDisposal`: the data received under an ended DSA has been destroyed. */
export class CertifyDataDisposalDto implements CertifyDataDisposalData {
  @IsClientId()
  dsaId!: string;

  @IsClientId()
  certifiedByParticipantId!: string;

  @IsText(LIMITS.shortText, { description: 'How the data was destroyed.' })
  method!: string;

  @IsIsoDate()
  disposedOn!: string;
}
