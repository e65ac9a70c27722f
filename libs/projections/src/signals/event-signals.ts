/**
 * Signals raised BY one event (the command succeeded; the read model flags it). Pure: the state
 * before the event, the event, the state after it. The audit timeline shows them at their events;
 * the partnership-summary and effectiveness read models keep the ones still current.
 *
 * The rules are written once against `SignalLookup`, a few questions about a partnership that both
 * the domain's folded `PartnershipState` and the read models' compact `SignalFacts` can answer.
 */
import {
  isActiveMember,
  isCommunityCollaborative,
  isPartnership,
  lookup,
  type Partnership,
  type PartnershipState,
  type Phase,
  type Role,
  type Side,
} from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import { dataOf, occurredAtOf, respondentCategories, str, strList, workstreamIdOf } from './event-access';
import type { SignalCode } from './signal-catalog';
import { hydrateSignal, type RaisedSignal, type SignalInstance, type SignalSubjects } from './signal-instance';
import { practicePresent, type PhasePresence } from './phase-presence';

export interface SignalLookup {
  /** A community research collaborative: a community member may take the practitioner's place. */
  readonly collaborative: boolean;
  participant(id: string): { readonly organizationId: string; readonly roles: readonly Role[]; readonly active: boolean } | undefined;
  organization(id: string): { readonly side: Side; readonly withdrawn: boolean } | undefined;
  workstreamPhase(workstreamId: string): Phase | undefined;
  /**
   * The earliest joint-interpretation session (`YYYY-MM-DD`) of the findings; `null` when the
   * findings are known and not interpreted; `undefined` when they are unknown (then nothing is raised).
   */
  firstInterpretationOn(findingsId: string): string | null | undefined;
  activeBrokerCount(): number;
  activeParticipantsOf(organizationId: string): number;
}

/** The only event types that can raise an event-level signal (the others need no detection). */
export const SIGNAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'ProblemOfPracticeDefined',
  'StakeholderInputGathered',
  'FindingsDisseminated',
  'ToolRevised',
  'PhaseTransitioned',
  'ParticipantDeparted',
  'ParticipantRolesChanged',
  'OrganizationWithdrew',
]);

/** The organization side a participant acts for, if known. */
export function participantSide(l: SignalLookup, participantId: string): Side | undefined {
  const p = l.participant(participantId);
  return p ? l.organization(p.organizationId)?.side : undefined;
}

/** Practice side, or community side in a collaborative (as for JOINT_INTERPRETATION_REQUIRES_PRACTICE). */
export const practiceLike = (side: Side | undefined, collaborative: boolean): boolean =>
  side === 'practice' || (collaborative && side === 'community');

export interface DetectOptions {
  /**
   * For a `PhaseTransitioned`: who was present in the phase occurrence it ends. The domain state
   * does not keep presence; `SignalFacts` do (`stepSignalFacts` passes it). Without it,
   * PHASE_WITHOUT_PRACTICE is not detected.
   */
  readonly presence?: PhasePresence;
}

/**
 * The signals an event raises, given the domain state before and after it (fold with
 * `partnershipDecider.evolve`). Event-level codes only (see `SIGNAL_CATALOG[code].eventLevel`).
 */
export function detectEventSignals(
  stateBefore: PartnershipState,
  event: RecordedEvent,
  stateAfter: PartnershipState,
  options: DetectOptions = {},
): SignalInstance[] {
  if (!isPartnership(stateBefore)) return [];
  const after = isPartnership(stateAfter) ? stateAfter : stateBefore;
  return detectWithLookup(domainLookup(stateBefore), event, domainLookup(after), options).map(hydrateSignal);
}

/** The rules of `detectEventSignals` against any `SignalLookup` (stored compactly, without catalog text). */
export function detectWithLookup(before: SignalLookup, event: RecordedEvent, after: SignalLookup, options: DetectOptions = {}): RaisedSignal[] {
  const d = dataOf(event);
  const workstreamId = workstreamIdOf(event);
  const base = (code: SignalCode, extra: Partial<RaisedSignal> = {}): RaisedSignal => {
    const phase = workstreamId === undefined ? undefined : before.workstreamPhase(workstreamId);
    return {
      code,
      eventId: event.eventId,
      position: event.position.toString(),
      ...(workstreamId !== undefined ? { workstreamId } : {}),
      ...(phase !== undefined ? { phase } : {}),
      raisedAt: occurredAtOf(event) ?? '',
      ...extra,
    };
  };
  const subjects = (s: SignalSubjects): { subjects: SignalSubjects } => ({ subjects: s });
  const raised: RaisedSignal[] = [];

  switch (event.type) {
    case 'ProblemOfPracticeDefined': {
      const proposers = strList(d['proposedByParticipantIds']);
      if (proposers.length > 0 && proposers.every((p) => participantSide(before, p) === 'research')) {
        raised.push(base('PROBLEM_FROM_RESEARCH_ONLY', subjects({ problemId: str(d['problemId']) ?? '' })));
      }
      break;
    }
    case 'StakeholderInputGathered': {
      const categories = respondentCategories(event);
      if (categories.length === 1) {
        raised.push(base('INPUT_SINGLE_ROLE', { ...subjects({ inputId: str(d['inputId']) ?? '' }), details: { categories } }));
      }
      break;
    }
    case 'FindingsDisseminated': {
      const findingsId = str(d['findingsId']) ?? '';
      const audience = str(d['audience']);
      const releasedOn = str(d['releasedOn']);
      if (audience === 'partner_internal') break;
      const first = before.firstInterpretationOn(findingsId);
      if (first === undefined) break;
      if (first === null || (releasedOn !== undefined && first > releasedOn)) {
        raised.push(
          base('DISSEMINATED_BEFORE_INTERPRETATION', {
            ...subjects({ findingsId }),
            details: { ...(audience ? { audience } : {}), ...(releasedOn ? { releasedOn } : {}) },
          }),
        );
      }
      break;
    }
    case 'ToolRevised': {
      const revisers = strList(d['revisedWithParticipantIds']);
      if (!revisers.some((p) => practiceLike(participantSide(before, p), before.collaborative))) {
        const version = d['version'];
        raised.push(
          base('TOOL_REVISED_WITHOUT_PRACTICE', {
            ...subjects({ toolId: str(d['toolId']) ?? '' }),
            ...(typeof version === 'number' ? { details: { version } } : {}),
          }),
        );
      }
      break;
    }
    case 'PhaseTransitioned': {
      const fromPhase = str(d['fromPhase']) as Phase | undefined;
      const toPhase = str(d['toPhase']);
      const phase = fromPhase ? { phase: fromPhase } : {};
      if (d['direction'] === 'skip' && fromPhase === 'problem_framing' && toPhase === 'co_design') {
        raised.push(base('PHASE_SKIPPED_EVIDENCE_REVIEW', { ...phase, details: { toPhase } }));
      }
      if (options.presence && !practicePresent(options.presence, before.collaborative)) {
        raised.push(
          base('PHASE_WITHOUT_PRACTICE', {
            ...phase,
            details: { ...(toPhase ? { toPhase } : {}), collaborative: before.collaborative, rolesPresent: options.presence.roles, sidesPresent: options.presence.sides },
          }),
        );
      }
      break;
    }
    case 'ParticipantDeparted':
    case 'ParticipantRolesChanged':
    case 'OrganizationWithdrew': {
      if (before.activeBrokerCount() > 0 && after.activeBrokerCount() === 0) {
        const who = str(d['participantId']);
        const org = str(d['organizationId']);
        raised.push(
          base('NO_RECOGNISED_BROKER', subjects(event.type === 'OrganizationWithdrew' ? { organizationId: org ?? '' } : { participantId: who ?? '' })),
        );
      }
      if (event.type === 'ParticipantDeparted') {
        const participantId = str(d['participantId']) ?? '';
        const organizationId = str(d['organizationId']) ?? before.participant(participantId)?.organizationId;
        if (organizationId !== undefined && before.activeParticipantsOf(organizationId) >= 2 && after.activeParticipantsOf(organizationId) === 1) {
          raised.push(base('SINGLE_POINT_OF_CONTACT', subjects({ organizationId, participantId })));
        }
      }
      break;
    }
    default:
      break;
  }
  return raised;
}

/** `SignalLookup` over the domain's folded state. */
export function domainLookup(state: Partnership): SignalLookup {
  const participants = Object.values(state.participants);
  return {
    collaborative: isCommunityCollaborative(state),
    participant(id) {
      const p = lookup(state.participants, id);
      return p ? { organizationId: p.organizationId, roles: p.roles, active: isActiveMember(state, id) } : undefined;
    },
    organization(id) {
      const o = lookup(state.organizations, id);
      return o ? { side: o.side, withdrawn: o.withdrawn } : undefined;
    },
    workstreamPhase: (id) => lookup(state.workstreams, id)?.phase,
    firstInterpretationOn(findingsId) {
      const f = lookup(state.findings, findingsId);
      if (!f) return undefined;
      const sessions = f.interpretations.map((i) => i.sessionOn).sort();
      return sessions[0] ?? null;
    },
    activeBrokerCount: () => participants.filter((p) => p.roles.includes('broker') && isActiveMember(state, p.participantId)).length,
    activeParticipantsOf: (organizationId) =>
      participants.filter((p) => p.organizationId === organizationId && isActiveMember(state, p.participantId)).length,
  };
}
