/**
 * The closed vocabularies of DOMAIN.md. Each is a readonly tuple so that the same list drives the
 * TypeScript union, request validation (class-validator `IsIn`) and the published JSON Schemas.
 */
export const ORG_TYPES = [
  'SEA',
  'LEA',
  'school_district',
  'county_office',
  'school',
  'community_organization',
  'service_provider',
  'research_organization',
  'intermediary_network',
  'funder',
  'policy_body',
] as const;
export type OrgType = (typeof ORG_TYPES)[number];

export const SIDES = ['research', 'practice', 'community', 'intermediary', 'funder'] as const;
export type Side = (typeof SIDES)[number];

export const ROLES = [
  'researcher',
  'practitioner',
  'broker',
  'community_member',
  'family_member',
  'student_youth',
  'funder_rep',
  'coordinator',
] as const;
export type Role = (typeof ROLES)[number];

export const PARTNERSHIP_STATUSES = [
  'exploring',
  'active',
  'paused',
  'transitioning',
  'closed',
  'abandoned',
] as const;
export type PartnershipStatus = (typeof PARTNERSHIP_STATUSES)[number];

/** Statuses a `ChangePartnershipStatus` command may ask for. */
export const CHANGEABLE_STATUSES = ['active', 'paused', 'transitioning'] as const;
export type ChangeableStatus = (typeof CHANGEABLE_STATUSES)[number];

export const PHASES = [
  'problem_framing',
  'evidence_review',
  'co_design',
  'pilot',
  'input_revision',
  'formal_study',
  'joint_interpretation',
  'use_dissemination',
  'concluded',
] as const;
export type Phase = (typeof PHASES)[number];
/** The phases an open workstream can be in: every phase but `concluded`. */
export type OpenPhase = Exclude<Phase, 'concluded'>;
export const OPEN_PHASES: readonly OpenPhase[] = PHASES.filter((p): p is OpenPhase => p !== 'concluded');

export const INITIATION_MODES = ['researcher', 'agency', 'research_center', 'community'] as const;
export type InitiationMode = (typeof INITIATION_MODES)[number];

export const PARTNERSHIP_TYPES = [
  'research_alliance',
  'design_research_partnership',
  'networked_improvement_community',
  'community_research_collaborative',
  'other',
] as const;
export type PartnershipType = (typeof PARTNERSHIP_TYPES)[number];

export const AMENDMENT_KINDS = ['renewal', 'scope', 'membership', 'termination_notice'] as const;
export type AmendmentKind = (typeof AMENDMENT_KINDS)[number];

export const LEGAL_BASES = [
  'ferpa_studies_exception',
  'ferpa_audit_evaluation',
  'written_consent',
  'deidentified_only',
  'directory_info',
  'state_law_other',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const DSA_END_KINDS = ['expired', 'terminated', 'superseded'] as const;
export type DsaEndKind = (typeof DSA_END_KINDS)[number];

export const BROKERING_ACTIVITY_KINDS = [
  'connect',
  'translate_research',
  'convene',
  'share_strategies',
  'facilitate_routines',
  'governance',
] as const;
export type BrokeringActivityKind = (typeof BROKERING_ACTIVITY_KINDS)[number];

export const CLOSURE_KINDS = ['goals_met', 'dissolved', 'merged', 'succeeded_by'] as const;
export type ClosureKind = (typeof CLOSURE_KINDS)[number];

export const EVIDENCE_TYPES = [
  'research_literature',
  'local_data',
  'practitioner_knowledge',
  'community_knowledge',
] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

export const CONSENT_BASES = [
  'parental_permission_active',
  'parental_permission_passive',
  'irb_waiver',
  'staff_consent_only',
  'not_human_subjects',
] as const;
export type ConsentBasis = (typeof CONSENT_BASES)[number];

export const INPUT_METHODS = ['survey', 'focus_group', 'interviews', 'convening'] as const;
export type InputMethod = (typeof INPUT_METHODS)[number];

export const PILOT_OUTCOMES = ['completed', 'halted', 'rolled_into_study'] as const;
export type PilotOutcome = (typeof PILOT_OUTCOMES)[number];

export const REVIEW_OUTCOMES = ['cleared', 'comments', 'corrections'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export const ARTIFACT_KINDS = ['brief', 'report', 'article', 'tool', 'presentation'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export const AUDIENCES = ['partner_internal', 'community', 'public', 'field', 'policy'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const DECISION_LEVELS = [
  'classroom',
  'school',
  'district',
  'state',
  'community',
  'system',
] as const;
export type DecisionLevel = (typeof DECISION_LEVELS)[number];

export const PHASE_DIRECTIONS = ['forward', 'backward', 'skip'] as const;
export type PhaseDirection = (typeof PHASE_DIRECTIONS)[number];

/** Henrick et al. (2017) five dimensions of RPP effectiveness, rated 1–5 in reflections. */
export const EFFECTIVENESS_DIMENSIONS = ['d1', 'd2', 'd3', 'd4', 'd5'] as const;
export type EffectivenessDimension = (typeof EFFECTIVENESS_DIMENSIONS)[number];

/** Client-chosen ids: `[A-Za-z0-9_-]{1,100}` (DOMAIN.md). */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
/** Calendar dates in data (`startedOn`, `expiresOn`, …) are ISO dates `YYYY-MM-DD`. */
export const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
