/** Request DTOs of formal studies and the data received for them under data-sharing agreements. */
import type { ApproveFormalStudyData, RecordDataReceivedData, StartFormalStudyData } from '@trellis/domain';
import { ApprovalDto } from './approval.dto';
import {
  IsBool,
  IsClientId,
  IsClientIdList,
  IsIsoDate,
  IsNestedList,
  IsText,
  IsTextList,
  LIMITS,
} from './validation.decorators';

/** `ApproveFormalStudy`: a study of agreed questions is approved (gate to `formal_study`). */
export class ApproveFormalStudyDto implements ApproveFormalStudyData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New study id.' })
  studyId!: string;

  // Empty questions, approvals or DSAs are the domain's call: STUDY_GATES (422).
  @IsClientIdList({ min: 0, description: 'Agreed research questions the study answers.' })
  questionIds!: string[];

  @IsText(LIMITS.longText, { description: 'Study design.' })
  design!: string;

  // A study of state administrative data may have no school site.
  @IsClientIdList({ min: 0 })
  siteOrganizationIds!: string[];

  @IsNestedList(ApprovalDto, { min: 0, description: 'At least one by a practice or community organization.' })
  approvals!: ApprovalDto[];

  @IsBool({ description: 'Whether the study uses student education records (then an active DSA is required).' })
  usesStudentRecords!: boolean;

  @IsClientIdList({ min: 0, optional: true, description: 'Data-sharing agreements the study relies on.' })
  dsaIds?: string[];

  @IsText(LIMITS.shortText, { optional: true, description: 'Ethics (IRB) protocol reference.' })
  ethicsRef?: string;
}

/** `StartFormalStudy`: the approved study begins. */
export class StartFormalStudyDto implements StartFormalStudyData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId()
  studyId!: string;

  @IsIsoDate()
  startedOn!: string;
}

/** `RecordDataReceived`: a data transfer under a DSA (the disclosure ledger). */
export class RecordDataReceivedDto implements RecordDataReceivedData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New transfer id.' })
  transferId!: string;

  @IsClientId()
  dsaId!: string;

  @IsTextList({ min: 1, maxLength: LIMITS.shortText, unique: true, description: 'Categories received; each listed by the DSA when PII is included.' })
  dataCategories!: string[];

  @IsBool()
  piiIncluded!: boolean;

  @IsIsoDate()
  receivedOn!: string;

  @IsClientId({ optional: true, description: '(extension) The receiving organization; when given, it must be a recipient named by the DSA.' })
  recipientOrganizationId?: string;
}
