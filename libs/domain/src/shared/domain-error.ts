/**
 * Rule violations are typed errors with a stable `code` and a category; one exception filter at the
 * HTTP edge maps the category to a status (STYLE.md §4). Business code never throws HTTP errors.
 */
export type DomainErrorCategory = 'rule' | 'not_found';

/** The rule codes of DOMAIN.md, plus the extensions documented in docs/domain-rules.md. */
export const RULE_CODES = [
  'PARTNERSHIP_NEEDS_TWO_SIDES',
  'AGENDA_MUST_BE_MUTUAL',
  'JOINT_INTERPRETATION_REQUIRES_PRACTICE',
  'PILOT_NEEDS_SITES_APPROVALS_CONSENT',
  'REVISION_MUST_ANSWER_INPUT',
  'STUDY_GATES',
  'DATA_ONLY_UNDER_ACTIVE_DSA',
  'NO_SURPRISES_REVIEW_PENDING',
  'CLOSURE_OBLIGATIONS_OPEN',
  'ILLEGAL_PHASE_TRANSITION',
  'ACTOR_NOT_ACTIVE_MEMBER',
  'TERMINAL_STATE',
  'UNKNOWN_REFERENCE',
  // Extensions (not in DOMAIN.md's table; documented in docs/domain-rules.md and the OpenAPI document)
  'DUPLICATE_ID',
  'ILLEGAL_STATUS_TRANSITION',
  'OUT_OF_SEQUENCE',
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly category: DomainErrorCategory,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Recognise by shape, not prototype, so errors survive crossing bundles (Emmett `isInstanceOf`). */
  static is(error: unknown): error is DomainError {
    return (
      error instanceof Error &&
      typeof (error as DomainError).code === 'string' &&
      ((error as DomainError).category === 'rule' || (error as DomainError).category === 'not_found')
    );
  }
}

/** A domain rule refused the command (HTTP 422). */
export class RuleViolation extends DomainError {
  constructor(code: RuleCode, message: string, details?: Readonly<Record<string, unknown>>) {
    super(code, message, 'rule', details);
  }
}

/** The command addressed a partnership that does not exist (HTTP 404). */
export class PartnershipNotFound extends DomainError {
  constructor(message = 'The partnership does not exist') {
    super('PARTNERSHIP_NOT_FOUND', message, 'not_found');
  }
}
