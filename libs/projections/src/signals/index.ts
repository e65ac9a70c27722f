/**
 * Health signals of a partnership (DOMAIN.md "Signals"): the catalog, the pure detection of the
 * signals an event raises (`detectEventSignals`, for the timeline), and the current signals
 * evaluated from a bounded facts document (`evaluatePartnershipSignals`, for the read models).
 */
export {
  SIGNAL_CATALOG,
  SIGNAL_CODES,
  SIGNAL_THRESHOLDS,
  signalDefinition,
  signalOrder,
  type SignalCode,
  type SignalDefinition,
} from './signal-catalog';
export {
  compareSignals,
  countSignalsByCode,
  hydrateSignal,
  type RaisedSignal,
  type SignalInstance,
  type SignalSubjects,
} from './signal-instance';
export { familiesOrCommunityPresent, practicePresent, type PhasePresence } from './phase-presence';
export {
  detectEventSignals,
  SIGNAL_EVENT_TYPES,
  detectWithLookup,
  domainLookup,
  type DetectOptions,
  type SignalLookup,
} from './event-signals';
export {
  SIGNAL_FACTS_LIMITS,
  evolveSignalFacts,
  factsLookup,
  initialSignalFacts,
  isCollaborative as isCollaborativeInFacts,
  isEquityFocused,
  presenceLeftBy,
  recorderSide,
  recordingDays,
  recordingIndex,
  stepSignalFacts,
  type DepartureFacts,
  type FindingsFacts,
  type InterpretationFacts,
  type OrganizationFacts as SignalOrganizationFacts,
  type ParticipantFacts as SignalParticipantFacts,
  type RecordingDay,
  type SignalFacts,
  type SignalStep,
  type WorkstreamFacts as SignalWorkstreamFacts,
} from './signal-facts';
export { evaluatePartnershipSignals, recordingShares, signalsApplyTo, type RecordingShares } from './partnership-signals';
/** Histories that raise each signal, for specifications (plain data; run them with TestLog). */
