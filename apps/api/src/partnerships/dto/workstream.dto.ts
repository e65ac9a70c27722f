/** Request DTOs of a workstream's early life: opening, problem of practice, agenda, evidence, phases. */
import {
  EVIDENCE_TYPES,
  PHASES,
  type AgreeResearchAgendaData,
  type DefineProblemOfPracticeData,
  type EvidenceType,
  type OpenWorkstreamData,
  type Phase,
  type RecordEvidenceReviewData,
  type ReframeProblemOfPracticeData,
  type ResearchQuestion,
  type TransitionPhaseData,
} from '@trellis/domain';
import {
  IsBool,
  IsClientId,
  IsClientIdList,
  IsNestedList,
  IsOneOf,
  IsOneOfList,
  IsText,
  IsTextList,
  LIMITS,
} from './validation.decorators';

/** `OpenWorkstream`: a project or inquiry cycle starts in `problem_framing`. */
export class OpenWorkstreamDto implements OpenWorkstreamData {
  @IsClientId({ description: 'New workstream id, unique in the partnership.' })
  workstreamId!: string;

  @IsText(LIMITS.shortText)
  title!: string;

  @IsClientIdList()
  leadParticipantIds!: string[];

  @IsClientId({ optional: true, description: 'The workstream this one follows up on.' })
  parentWorkstreamId?: string;
}

/** `DefineProblemOfPractice`: the partners name the problem of practice the workstream addresses. */
export class DefineProblemOfPracticeDto implements DefineProblemOfPracticeData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New problem id.' })
  problemId!: string;

  @IsText(LIMITS.longText)
  statement!: string;

  @IsClientIdList()
  proposedByParticipantIds!: string[];

  @IsText(LIMITS.longText, { description: 'How the practice side intends to use what is learned.' })
  intendedUse!: string;

  @IsBool({ optional: true, description: 'Whether the problem serves an explicit community (equity) goal.' })
  communityGoal?: boolean;
}

/** `ReframeProblemOfPractice`: the problem statement is revised, with a reason. */
export class ReframeProblemOfPracticeDto implements ReframeProblemOfPracticeData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId()
  problemId!: string;

  @IsText(LIMITS.longText)
  statement!: string;

  @IsText(LIMITS.longText)
  reason!: string;
}

/** One research question of an agenda. */
export class ResearchQuestionDto implements ResearchQuestion {
  // Duplicates within one agenda are the domain's DUPLICATE_ID (422), so no uniqueness check here.
  @IsClientId({ description: 'New question id, unique in the partnership.' })
  questionId!: string;

  @IsText(LIMITS.longText)
  text!: string;
}

/** `AgreeResearchAgenda`: researchers and practitioners agree the questions (gate to `evidence_review`). */
export class AgreeResearchAgendaDto implements AgreeResearchAgendaData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New agenda id.' })
  agendaId!: string;

  @IsNestedList(ResearchQuestionDto, { max: LIMITS.questions })
  researchQuestions!: ResearchQuestionDto[];

  // Empty is the domain's call: AGENDA_MUST_BE_MUTUAL (422).
  @IsClientIdList({ min: 0, description: 'At least one researcher and one practitioner or community member.' })
  agreedByParticipantIds!: string[];
}

/** `RecordEvidenceReview`: the partners reviewed research, local data and practical knowledge. */
export class RecordEvidenceReviewDto implements RecordEvidenceReviewData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New evidence review id.' })
  reviewId!: string;

  @IsTextList({ min: 1, description: 'Sources reviewed (citations, data sets, links).' })
  sources!: string[];

  @IsOneOfList(EVIDENCE_TYPES)
  evidenceTypes!: EvidenceType[];

  @IsClientIdList()
  contributorParticipantIds!: string[];
}

/** `TransitionPhase`: an explicit (backward, skip or concluding) phase move, always with a reason. */
export class TransitionPhaseDto implements TransitionPhaseData {
  @IsClientId()
  workstreamId!: string;

  @IsOneOf(PHASES)
  toPhase!: Phase;

  @IsText(LIMITS.longText)
  reason!: string;
}
