export * from './shared/vocabulary';
export * from './shared/decider';
export * from './shared/domain-error';
export * from './partnership/partnership.commands';
export * from './partnership/partnership.events';
export * from './partnership/partnership.state';
export {
  BACKWARD_EDGES,
  COMPLIANCE_COMMAND_TYPES,
  DEFAULT_NO_SURPRISES_REVIEW_DAYS,
  FORWARD_EDGES,
  PHASE_GATES,
  REVIEWED_AUDIENCES,
  SKIP_EDGES,
  addDays,
  gateFactExists,
  isTerminalStatus,
  openObligations,
  transitionDirection,
  type GateCommandType,
  type OpenObligation,
} from './partnership/partnership.rules';
export * from './partnership/partnership.decider';
export * from './partnership/partnership.upcasters';
// Given/when/then helpers are part of the product (STYLE.md §10); fixtures are namespaced
// (`PartnershipFixtures`) so their short names stay out of production imports. Neither uses
// test-runner globals, so importing the library outside tests is safe.
export * from './testing';
