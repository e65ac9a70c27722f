/**
 * The partnership decider: one small function per command, each applying docs/domain-rules.md's
 * checks in order — (1) the partnership exists, (2) it is not closed or abandoned, (3) references,
 * (4) new ids, (5) the workstream is not concluded, (6) actors, (7) the command's own rules: status,
 * sequence, phase edge, then the named rule. Pure: time and ids come from the command's metadata.
 */
import { RuleViolation } from '../shared/domain-error';
import type { Decider } from '../shared/decider';
import type { Role } from '../shared/vocabulary';
import type { PartnershipCommand, PartnershipCommandOf } from './partnership.commands';
import type { PartnershipEvent } from './partnership.events';
import {
  addDays,
  DEFAULT_NO_SURPRISES_REVIEW_DAYS,
  describeObligation,
  distinctHolders,
  gateFactExists,
  gateTransition,
  known,
  knownAll,
  knownInWorkstream,
  knownOrganization,
  knownOrganizations,
  knownParticipants,
  knownWorkstream,
  openObligations,
  outOfSequence,
  REVIEWED_AUDIENCES,
  requireActiveActor,
  requireActiveOrganizations,
  requireActiveParticipant,
  requireActiveParticipants,
  requireNew,
  requireNotPaused,
  requireOpenWorkstream,
  requirePartnership,
  requireStatus,
  transitionDirection,
  unknownReference,
} from './partnership.rules';
import {
  datePart,
  evolve,
  initialState,
  isCommunityCollaborative,
  partnershipFolder,
  lookup,
  resolveFindingsSource,
  type Partnership,
  type PartnershipState,
} from './partnership.state';

type Cmd<T extends PartnershipCommand['type']> = PartnershipCommandOf<T>;

export function decide(command: PartnershipCommand, state: PartnershipState): PartnershipEvent[] {
  if (command.type === 'ProposePartnership') return proposePartnership(command, state);
  const partnership = requirePartnership(state, command);
  switch (command.type) {
    case 'JoinOrganization':
      return joinOrganization(command, partnership);
    case 'WithdrawOrganization':
      return withdrawOrganization(command, partnership);
    case 'JoinParticipant':
      return joinParticipant(command, partnership);
    case 'ChangeParticipantRoles':
      return changeParticipantRoles(command, partnership);
    case 'DepartParticipant':
      return departParticipant(command, partnership);
    case 'FormalizePartnership':
      return formalizePartnership(command, partnership);
    case 'AmendAgreement':
      return amendAgreement(command, partnership);
    case 'ExecuteDataSharingAgreement':
      return executeDataSharingAgreement(command, partnership);
    case 'EndDataSharingAgreement':
      return endDataSharingAgreement(command, partnership);
    case 'CertifyDataDisposal':
      return certifyDataDisposal(command, partnership);
    case 'ChangePartnershipStatus':
      return changePartnershipStatus(command, partnership);
    case 'RecordReflection':
      return recordReflection(command, partnership);
    case 'RecordBrokeringActivity':
      return recordBrokeringActivity(command, partnership);
    case 'ClosePartnership':
      return closePartnership(command, partnership);
    case 'AbandonPartnership':
      return abandonPartnership(command, partnership);
    case 'OpenWorkstream':
      return openWorkstream(command, partnership);
    case 'DefineProblemOfPractice':
      return defineProblemOfPractice(command, partnership);
    case 'ReframeProblemOfPractice':
      return reframeProblemOfPractice(command, partnership);
    case 'AgreeResearchAgenda':
      return agreeResearchAgenda(command, partnership);
    case 'RecordEvidenceReview':
      return recordEvidenceReview(command, partnership);
    case 'CoDevelopTool':
      return coDevelopTool(command, partnership);
    case 'ApprovePilot':
      return approvePilot(command, partnership);
    case 'StartPilot':
      return startPilot(command, partnership);
    case 'RecordStakeholderInput':
      return recordStakeholderInput(command, partnership);
    case 'ReviseTool':
      return reviseTool(command, partnership);
    case 'ConcludePilot':
      return concludePilot(command, partnership);
    case 'ApproveFormalStudy':
      return approveFormalStudy(command, partnership);
    case 'StartFormalStudy':
      return startFormalStudy(command, partnership);
    case 'RecordDataReceived':
      return recordDataReceived(command, partnership);
    case 'SharePreliminaryFindings':
      return sharePreliminaryFindings(command, partnership);
    case 'InterpretFindingsJointly':
      return interpretFindingsJointly(command, partnership);
    case 'RecordPracticePartnerReview':
      return recordPracticePartnerReview(command, partnership);
    case 'DisseminateFindings':
      return disseminateFindings(command, partnership);
    case 'RecordResearchUse':
      return recordResearchUse(command, partnership);
    case 'TransitionPhase':
      return transitionPhase(command, partnership);
    default: {
      const _never: never = command;
      throw new Error(`Unknown partnership command ${(_never as { type: string }).type}`);
    }
  }
}

export const partnershipDecider: Decider<PartnershipState, PartnershipCommand, PartnershipEvent> = {
  decide,
  evolve,
  initialState,
  folder: partnershipFolder,
};

// --- partnership and membership --------------------------------------------------------------------

function proposePartnership(command: Cmd<'ProposePartnership'>, state: PartnershipState): PartnershipEvent[] {
  const { partnershipId } = command.metadata;
  if (state.status !== 'none') {
    throw new RuleViolation('DUPLICATE_ID', `Partnership ${partnershipId} already exists`, {
      duplicate: { field: 'partnershipId', id: partnershipId },
    });
  }
  const { name, initiationMode, focus, types } = command.data;
  return [
    { type: 'PartnershipProposed', data: { partnershipId, name, initiationMode, focus, types: [...(types ?? [])] } },
  ];
}

function joinOrganization(command: Cmd<'JoinOrganization'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  if (data.parentOrganizationId !== undefined) {
    knownOrganization(state, 'parentOrganizationId', data.parentOrganizationId);
  }
  requireNew(state.organizations, 'organization', 'organizationId', data.organizationId);
  requireActiveActor(state, command.metadata);
  return [{ type: 'OrganizationJoined', data: { ...data } }];
}

function withdrawOrganization(command: Cmd<'WithdrawOrganization'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const organization = knownOrganization(state, 'organizationId', data.organizationId);
  requireActiveActor(state, command.metadata);
  if (organization.withdrawn) {
    throw outOfSequence(`Organization ${data.organizationId} has already withdrawn`, {
      organizationId: data.organizationId,
    });
  }
  return [{ type: 'OrganizationWithdrew', data: { ...data } }];
}

function joinParticipant(command: Cmd<'JoinParticipant'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  knownOrganization(state, 'organizationId', data.organizationId);
  requireNew(state.participants, 'participant', 'participantId', data.participantId);
  requireActiveActor(state, command.metadata);
  requireActiveOrganizations(state, 'organizationId', [data.organizationId]);
  return [{ type: 'ParticipantJoined', data: { ...data, roles: [...data.roles] } }];
}

function changeParticipantRoles(command: Cmd<'ChangeParticipantRoles'>, state: Partnership): PartnershipEvent[] {
  const { participantId, roles } = command.data;
  const participant = known(state.participants, 'participant', 'participantId', participantId);
  requireActiveActor(state, command.metadata);
  requireActiveParticipant(state, 'participantId', participantId);
  return [
    {
      type: 'ParticipantRolesChanged',
      data: { participantId, roles: [...roles], previousRoles: [...participant.roles] },
    },
  ];
}

function departParticipant(command: Cmd<'DepartParticipant'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const participant = known(state.participants, 'participant', 'participantId', data.participantId);
  if (data.successorParticipantId !== undefined) {
    knownParticipants(state, 'successorParticipantId', [data.successorParticipantId]);
  }
  requireActiveActor(state, command.metadata);
  requireActiveParticipant(state, 'participantId', data.participantId);
  if (data.successorParticipantId !== undefined) {
    if (data.successorParticipantId === data.participantId) {
      throw new RuleViolation(
        'ACTOR_NOT_ACTIVE_MEMBER',
        `Participant ${data.participantId} cannot be their own successor`,
        { field: 'successorParticipantId', participantId: data.successorParticipantId, reason: 'departing' },
      );
    }
    requireActiveParticipant(state, 'successorParticipantId', data.successorParticipantId);
  }
  return [{ type: 'ParticipantDeparted', data: { ...data, organizationId: participant.organizationId } }];
}

function formalizePartnership(command: Cmd<'FormalizePartnership'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const parties = knownOrganizations(state, 'partyOrganizationIds', data.partyOrganizationIds);
  knownParticipants(state, 'coLeadParticipantIds', data.coLeadParticipantIds);
  requireActiveActor(state, command.metadata);
  requireActiveParticipants(state, 'coLeadParticipantIds', data.coLeadParticipantIds);
  requireActiveOrganizations(state, 'partyOrganizationIds', data.partyOrganizationIds);
  requireStatus(state, ['exploring'], 'FormalizePartnership');
  const research = parties.some((o) => o.side === 'research');
  const practice = parties.some((o) => o.side === 'practice' || o.side === 'community');
  if (!research || !practice) {
    const missing = [...(research ? [] : ['research']), ...(practice ? [] : ['practice or community'])];
    throw new RuleViolation(
      'PARTNERSHIP_NEEDS_TWO_SIDES',
      `A partnership is formalized by at least one research-side and one practice- or community-side party; the parties (${data.partyOrganizationIds.join(
        ', ',
      )}) include no ${missing.join(' and no ')} organization`,
      { partyOrganizationIds: [...data.partyOrganizationIds], missingSides: missing },
    );
  }
  return [{ type: 'PartnershipFormalized', data: { ...data } }];
}

function amendAgreement(command: Cmd<'AmendAgreement'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  if (state.agreement?.agreementRef !== data.agreementRef) {
    throw unknownReference(
      'agreementRef',
      data.agreementRef,
      state.agreement
        ? `Agreement ${data.agreementRef} is not this partnership's agreement (${state.agreement.agreementRef})`
        : `Agreement ${data.agreementRef} is unknown: the partnership has not been formalized`,
    );
  }
  requireActiveActor(state, command.metadata);
  requireStatus(state, ['active', 'paused', 'transitioning'], 'AmendAgreement');
  return [{ type: 'PartnershipAgreementAmended', data: { ...data } }];
}

// --- data-sharing agreements -----------------------------------------------------------------------

function executeDataSharingAgreement(
  command: Cmd<'ExecuteDataSharingAgreement'>,
  state: Partnership,
): PartnershipEvent[] {
  const { data } = command;
  knownOrganization(state, 'providerOrganizationId', data.providerOrganizationId);
  knownOrganizations(state, 'recipientOrganizationIds', data.recipientOrganizationIds);
  requireNew(state.dataSharingAgreements, 'data-sharing agreement', 'dsaId', data.dsaId);
  requireActiveActor(state, command.metadata);
  requireActiveOrganizations(state, 'providerOrganizationId', [data.providerOrganizationId]);
  requireActiveOrganizations(state, 'recipientOrganizationIds', data.recipientOrganizationIds);
  return [
    {
      type: 'DataSharingAgreementExecuted',
      data: {
        ...data,
        recipientOrganizationIds: [...data.recipientOrganizationIds],
        dataCategories: [...data.dataCategories],
      },
    },
  ];
}

function endDataSharingAgreement(command: Cmd<'EndDataSharingAgreement'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const dsa = known(state.dataSharingAgreements, 'data-sharing agreement', 'dsaId', data.dsaId);
  requireActiveActor(state, command.metadata);
  if (dsa.ended) {
    throw outOfSequence(`Data-sharing agreement ${dsa.dsaId} already ended on ${dsa.endedOn}`, { dsaId: dsa.dsaId });
  }
  if (data.endedOn < dsa.effectiveFrom) {
    throw outOfSequence(
      `Data-sharing agreement ${dsa.dsaId} cannot end on ${data.endedOn}, before it took effect on ${dsa.effectiveFrom}`,
      { dsaId: dsa.dsaId, endedOn: data.endedOn, effectiveFrom: dsa.effectiveFrom },
    );
  }
  return [
    {
      type: 'DataSharingAgreementEnded',
      data: { ...data, destructionDueBy: addDays(data.endedOn, dsa.destructionPeriodDays) },
    },
  ];
}

function certifyDataDisposal(command: Cmd<'CertifyDataDisposal'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const dsa = known(state.dataSharingAgreements, 'data-sharing agreement', 'dsaId', data.dsaId);
  knownParticipants(state, 'certifiedByParticipantId', [data.certifiedByParticipantId]);
  requireActiveActor(state, command.metadata);
  requireActiveParticipant(state, 'certifiedByParticipantId', data.certifiedByParticipantId);
  if (!dsa.ended) {
    throw outOfSequence(`Data-sharing agreement ${dsa.dsaId} has not ended; disposal is certified after it ends`, {
      dsaId: dsa.dsaId,
    });
  }
  if (dsa.disposalCertified) {
    throw outOfSequence(`Disposal of data under ${dsa.dsaId} is already certified`, { dsaId: dsa.dsaId });
  }
  return [{ type: 'DataDisposalCertified', data: { ...data } }];
}

// --- partnership status ----------------------------------------------------------------------------

const STATUS_CHANGES = {
  paused: ['active'],
  active: ['paused', 'transitioning'],
  transitioning: ['active'],
} as const;

function changePartnershipStatus(command: Cmd<'ChangePartnershipStatus'>, state: Partnership): PartnershipEvent[] {
  const { status, reason } = command.data;
  requireActiveActor(state, command.metadata);
  requireStatus(state, STATUS_CHANGES[status], `Changing the status to ${status}`, { toStatus: status });
  return [{ type: 'PartnershipStatusChanged', data: { fromStatus: state.status, toStatus: status, reason } }];
}

function recordReflection(command: Cmd<'RecordReflection'>, state: Partnership): PartnershipEvent[] {
  requireActiveActor(state, command.metadata);
  return [{ type: 'PartnershipReflectionRecorded', data: { ...command.data } }];
}

function recordBrokeringActivity(command: Cmd<'RecordBrokeringActivity'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  knownParticipants(state, 'brokerParticipantId', [data.brokerParticipantId]);
  knownOrganization(state, 'fromOrganizationId', data.fromOrganizationId);
  knownOrganization(state, 'toOrganizationId', data.toOrganizationId);
  const workstream = data.workstreamId === undefined ? undefined : knownWorkstream(state, data.workstreamId);
  if (workstream) requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  requireActiveParticipant(state, 'brokerParticipantId', data.brokerParticipantId, 'broker');
  requireActiveOrganizations(state, 'fromOrganizationId', [data.fromOrganizationId]);
  requireActiveOrganizations(state, 'toOrganizationId', [data.toOrganizationId]);
  return [{ type: 'BrokeringActivityRecorded', data: { ...data } }];
}

function closePartnership(command: Cmd<'ClosePartnership'>, state: Partnership): PartnershipEvent[] {
  requireActiveActor(state, command.metadata);
  requireStatus(state, ['transitioning'], 'ClosePartnership');
  const obligations = openObligations(state);
  if (obligations.length > 0) {
    throw new RuleViolation(
      'CLOSURE_OBLIGATIONS_OPEN',
      `Partnership ${state.partnershipId} cannot close: ${obligations.map(describeObligation).join('; ')}`,
      { obligations },
    );
  }
  return [{ type: 'PartnershipClosed', data: { ...command.data } }];
}

function abandonPartnership(command: Cmd<'AbandonPartnership'>, state: Partnership): PartnershipEvent[] {
  requireActiveActor(state, command.metadata);
  requireStatus(state, ['exploring'], 'AbandonPartnership');
  // Disposal may still be certified after abandonment (a compliance fact); the rest cannot be undone.
  const obligations = openObligations(state).filter((o) => o.kind !== 'disposal_not_certified');
  if (obligations.length > 0) {
    throw new RuleViolation(
      'CLOSURE_OBLIGATIONS_OPEN',
      `Partnership ${state.partnershipId} cannot be abandoned: ${obligations.map(describeObligation).join('; ')}`,
      { obligations },
    );
  }
  return [{ type: 'PartnershipAbandoned', data: { ...command.data } }];
}

// --- workstreams -----------------------------------------------------------------------------------

function openWorkstream(command: Cmd<'OpenWorkstream'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  if (data.parentWorkstreamId !== undefined) {
    known(state.workstreams, 'workstream', 'parentWorkstreamId', data.parentWorkstreamId);
  }
  knownParticipants(state, 'leadParticipantIds', data.leadParticipantIds);
  requireNew(state.workstreams, 'workstream', 'workstreamId', data.workstreamId);
  requireActiveActor(state, command.metadata);
  requireActiveParticipants(state, 'leadParticipantIds', data.leadParticipantIds);
  requireNotPaused(state, `opening workstream ${data.workstreamId}`, data.workstreamId);
  return [{ type: 'WorkstreamOpened', data: { ...data, leadParticipantIds: [...data.leadParticipantIds] } }];
}

function transitionPhase(command: Cmd<'TransitionPhase'>, state: Partnership): PartnershipEvent[] {
  const { workstreamId, toPhase, reason } = command.data;
  const workstream = knownWorkstream(state, workstreamId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  requireNotPaused(state, `moving workstream ${workstreamId} to ${toPhase}`, workstreamId);
  const fromPhase = workstream.phase;
  const illegal = (why: string) =>
    new RuleViolation(
      'ILLEGAL_PHASE_TRANSITION',
      `Workstream ${workstreamId} cannot move from ${fromPhase} to ${toPhase}: ${why}`,
      {
        workstreamId,
        fromPhase,
        toPhase,
      },
    );
  if ((reason ?? '').trim() === '') throw illegal('an explicit transition needs a reason');
  if (toPhase === fromPhase) throw illegal('it is already there');
  const direction = transitionDirection(fromPhase, toPhase);
  if (direction === undefined) throw illegal('there is no such edge in the phase graph');
  if (direction === 'forward' && !gateFactExists(state, workstreamId, toPhase)) {
    throw illegal(`the fact that opens ${toPhase} has not been recorded in the workstream`);
  }
  return [{ type: 'PhaseTransitioned', data: { workstreamId, fromPhase, toPhase, direction, reason } }];
}

function defineProblemOfPractice(command: Cmd<'DefineProblemOfPractice'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  knownParticipants(state, 'proposedByParticipantIds', data.proposedByParticipantIds);
  requireNew(state.problems, 'problem', 'problemId', data.problemId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  requireActiveParticipants(state, 'proposedByParticipantIds', data.proposedByParticipantIds);
  return [{ type: 'ProblemOfPracticeDefined', data: { ...data } }];
}

function reframeProblemOfPractice(command: Cmd<'ReframeProblemOfPractice'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  knownInWorkstream(state.problems, 'problem', 'problemId', data.problemId, workstream);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  return [{ type: 'ProblemOfPracticeReframed', data: { ...data } }];
}

function agreeResearchAgenda(command: Cmd<'AgreeResearchAgenda'>, state: Partnership): PartnershipEvent[] {
  const { data, metadata } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  knownParticipants(state, 'agreedByParticipantIds', data.agreedByParticipantIds);
  requireNew(state.agendas, 'agenda', 'agendaId', data.agendaId);
  const seen = new Set<string>();
  for (const { questionId } of data.researchQuestions) {
    requireNew(state.researchQuestions, 'research question', 'researchQuestions.questionId', questionId);
    if (seen.has(questionId)) {
      throw new RuleViolation('DUPLICATE_ID', `Research question id ${questionId} appears twice in the agenda`, {
        duplicate: { field: 'researchQuestions.questionId', id: questionId },
      });
    }
    seen.add(questionId);
  }
  requireOpenWorkstream(workstream);
  requireActiveActor(state, metadata);
  requireActiveParticipants(state, 'agreedByParticipantIds', data.agreedByParticipantIds);
  requireNotPaused(state, 'agreeing a research agenda', workstream.workstreamId);
  const transition = gateTransition(workstream, 'AgreeResearchAgenda', metadata);
  const practice: Role[] = ['practitioner', 'community_member'];
  if (!distinctHolders(state, data.agreedByParticipantIds, ['researcher'], practice)) {
    throw new RuleViolation(
      'AGENDA_MUST_BE_MUTUAL',
      `Agenda ${data.agendaId} must be agreed by a researcher and by another participant who is a practitioner or community member (agreed by: ${
        data.agreedByParticipantIds.join(', ') || 'nobody'
      })`,
      { agendaId: data.agendaId, agreedByParticipantIds: [...data.agreedByParticipantIds] },
    );
  }
  return [{ type: 'ResearchAgendaAgreed', data: { ...data } }, ...transition];
}

function recordEvidenceReview(command: Cmd<'RecordEvidenceReview'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  knownParticipants(state, 'contributorParticipantIds', data.contributorParticipantIds);
  requireNew(state.evidenceReviews, 'evidence review', 'reviewId', data.reviewId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  requireActiveParticipants(state, 'contributorParticipantIds', data.contributorParticipantIds);
  return [{ type: 'EvidenceReviewed', data: { ...data } }];
}

// --- tools and pilots ------------------------------------------------------------------------------

function coDevelopTool(command: Cmd<'CoDevelopTool'>, state: Partnership): PartnershipEvent[] {
  const { data, metadata } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  knownParticipants(state, 'coDesignerParticipantIds', data.coDesignerParticipantIds);
  requireNew(state.tools, 'tool', 'toolId', data.toolId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, metadata);
  requireActiveParticipants(state, 'coDesignerParticipantIds', data.coDesignerParticipantIds);
  requireNotPaused(state, `co-developing tool ${data.toolId}`, workstream.workstreamId);
  const transition = gateTransition(workstream, 'CoDevelopTool', metadata);
  return [{ type: 'ToolCoDeveloped', data: { ...data, version: 1 } }, ...transition];
}

function pilotRule(message: string, details: Readonly<Record<string, unknown>>): RuleViolation {
  return new RuleViolation('PILOT_NEEDS_SITES_APPROVALS_CONSENT', message, details);
}

function approvePilot(command: Cmd<'ApprovePilot'>, state: Partnership): PartnershipEvent[] {
  const { data, metadata } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const tool = known(state.tools, 'tool', 'toolId', data.toolId);
  const sites = knownOrganizations(state, 'siteOrganizationIds', data.siteOrganizationIds);
  const approvers = data.approvals.map((a) => a.organizationId);
  knownOrganizations(state, 'approvals.organizationId', approvers);
  requireNew(state.pilots, 'pilot', 'pilotId', data.pilotId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, metadata);
  requireActiveOrganizations(state, 'siteOrganizationIds', data.siteOrganizationIds);
  requireActiveOrganizations(state, 'approvals.organizationId', approvers);
  requireNotPaused(state, `approving pilot ${data.pilotId}`, workstream.workstreamId);
  const transition = gateTransition(workstream, 'ApprovePilot', metadata);
  const { pilotId } = data;
  if (sites.length === 0) throw pilotRule(`Pilot ${pilotId} names no site`, { pilotId, problem: 'no_sites' });
  if (!sites.some((site) => site.orgType === 'school')) {
    throw pilotRule(`Pilot ${pilotId} names no school among its sites (${data.siteOrganizationIds.join(', ')})`, {
      pilotId,
      problem: 'no_school_site',
    });
  }
  const unapproved = data.siteOrganizationIds.filter((id) => !approvers.includes(id));
  if (unapproved.length > 0) {
    throw pilotRule(`Pilot ${pilotId} has no approval for site(s) ${unapproved.join(', ')}`, {
      pilotId,
      problem: 'site_without_approval',
      organizationIds: unapproved,
    });
  }
  if (!data.consentBasis) {
    throw pilotRule(`Pilot ${pilotId} declares no consent basis`, { pilotId, problem: 'no_consent_basis' });
  }
  if (!Number.isInteger(data.toolVersion) || data.toolVersion < 1 || data.toolVersion > tool.currentVersion) {
    throw pilotRule(
      `Pilot ${pilotId} uses version ${data.toolVersion} of tool ${tool.toolId}, which does not exist (current version ${tool.currentVersion})`,
      { pilotId, problem: 'tool_version_missing', toolId: tool.toolId, toolVersion: data.toolVersion },
    );
  }
  return [
    {
      type: 'PilotApproved',
      data: {
        ...data,
        siteOrganizationIds: [...data.siteOrganizationIds],
        approvals: data.approvals.map((a) => ({ ...a })),
      },
    },
    ...transition,
  ];
}

function startPilot(command: Cmd<'StartPilot'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const pilot = knownInWorkstream(state.pilots, 'pilot', 'pilotId', data.pilotId, workstream);
  knownOrganizations(state, 'siteOrganizationIds', data.siteOrganizationIds);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  requireActiveOrganizations(state, 'siteOrganizationIds', data.siteOrganizationIds);
  if (pilot.status !== 'approved') {
    throw outOfSequence(
      pilot.status === 'running'
        ? `Pilot ${pilot.pilotId} already started on ${pilot.startedOn}`
        : `Pilot ${pilot.pilotId} has concluded (${pilot.outcome}); it cannot start`,
      { pilotId: pilot.pilotId, status: pilot.status },
    );
  }
  if (data.siteOrganizationIds.length === 0) {
    throw pilotRule(`Pilot ${pilot.pilotId} cannot start at no site`, { pilotId: pilot.pilotId, problem: 'no_sites' });
  }
  const unapproved = data.siteOrganizationIds.filter((id) => !pilot.siteOrganizationIds.includes(id));
  if (unapproved.length > 0) {
    throw pilotRule(
      `Pilot ${pilot.pilotId} was not approved at ${unapproved.join(', ')} (approved sites: ${pilot.siteOrganizationIds.join(', ')})`,
      { pilotId: pilot.pilotId, problem: 'site_not_approved', organizationIds: unapproved },
    );
  }
  return [{ type: 'PilotStarted', data: { ...data, siteOrganizationIds: [...data.siteOrganizationIds] } }];
}

function recordStakeholderInput(command: Cmd<'RecordStakeholderInput'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const tool = data.toolId === undefined ? undefined : known(state.tools, 'tool', 'toolId', data.toolId);
  if (data.toolVersion !== undefined) {
    if (!tool) {
      throw unknownReference('toolVersion', String(data.toolVersion), 'A toolVersion is given without a toolId');
    }
    if (!Number.isInteger(data.toolVersion) || data.toolVersion < 1 || data.toolVersion > tool.currentVersion) {
      throw unknownReference(
        'toolVersion',
        String(data.toolVersion),
        `Tool ${tool.toolId} has no version ${data.toolVersion} (current version ${tool.currentVersion})`,
      );
    }
  }
  if (data.convenedByParticipantId !== undefined) {
    knownParticipants(state, 'convenedByParticipantId', [data.convenedByParticipantId]);
  }
  requireNew(state.inputs, 'input', 'inputId', data.inputId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  if (data.convenedByParticipantId !== undefined) {
    requireActiveParticipant(state, 'convenedByParticipantId', data.convenedByParticipantId);
  }
  return [{ type: 'StakeholderInputGathered', data: { ...data, respondentCounts: { ...data.respondentCounts } } }];
}

function reviseTool(command: Cmd<'ReviseTool'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const tool = known(state.tools, 'tool', 'toolId', data.toolId);
  const findingsIds = data.answersFindingsIds ?? [];
  const inputs = knownAll(state.inputs, 'input', 'answersInputIds', data.answersInputIds);
  const findings = knownAll(state.findings, 'findings', 'answersFindingsIds', findingsIds);
  knownParticipants(state, 'revisedWithParticipantIds', data.revisedWithParticipantIds);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  requireActiveParticipants(state, 'revisedWithParticipantIds', data.revisedWithParticipantIds);
  if (inputs.length + findings.length === 0) {
    throw new RuleViolation(
      'REVISION_MUST_ANSWER_INPUT',
      `Revising tool ${tool.toolId} must cite at least one stakeholder input or findings about it`,
      { toolId: tool.toolId, problem: 'nothing_cited' },
    );
  }
  const offTopicInputs = inputs
    .filter((input) => input.toolId !== tool.toolId || (input.aboutToolVersion ?? 1) > tool.currentVersion)
    .map((input) => input.inputId);
  const offTopicFindings = findings
    .filter((f) => {
      const source = resolveFindingsSource(state, f.workstreamId, f.sourceId);
      if (source?.kind === 'pilot') return source.pilot.toolId !== tool.toolId;
      if (source?.kind === 'study') return source.study.workstreamId !== tool.workstreamId;
      return true;
    })
    .map((f) => f.findingsId);
  if (offTopicInputs.length + offTopicFindings.length > 0) {
    throw new RuleViolation(
      'REVISION_MUST_ANSWER_INPUT',
      `Revising tool ${tool.toolId} must answer input or findings about an earlier version of that tool; ${[
        ...offTopicInputs.map((id) => `input ${id}`),
        ...offTopicFindings.map((id) => `findings ${id}`),
      ].join(', ')} are about something else`,
      { toolId: tool.toolId, problem: 'not_about_tool', inputIds: offTopicInputs, findingsIds: offTopicFindings },
    );
  }
  return [
    {
      type: 'ToolRevised',
      data: { ...data, fromVersion: tool.currentVersion, version: tool.currentVersion + 1 },
    },
  ];
}

function concludePilot(command: Cmd<'ConcludePilot'>, state: Partnership): PartnershipEvent[] {
  const { data, metadata } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const pilot = knownInWorkstream(state.pilots, 'pilot', 'pilotId', data.pilotId, workstream);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, metadata);
  requireNotPaused(state, `concluding pilot ${pilot.pilotId}`, workstream.workstreamId);
  if (pilot.status === 'concluded') {
    throw outOfSequence(`Pilot ${pilot.pilotId} already concluded on ${pilot.endedOn}`, { pilotId: pilot.pilotId });
  }
  if (pilot.status === 'approved' && data.outcome !== 'halted') {
    throw outOfSequence(`Pilot ${pilot.pilotId} has not started; only a halted pilot may end before it starts`, {
      pilotId: pilot.pilotId,
      outcome: data.outcome,
    });
  }
  if (pilot.startedOn !== undefined && data.endedOn < pilot.startedOn) {
    throw outOfSequence(
      `Pilot ${pilot.pilotId} cannot end on ${data.endedOn}, before it started on ${pilot.startedOn}`,
      {
        pilotId: pilot.pilotId,
        endedOn: data.endedOn,
        startedOn: pilot.startedOn,
      },
    );
  }
  const transition = gateTransition(workstream, 'ConcludePilot', metadata);
  return [{ type: 'PilotConcluded', data: { ...data } }, ...transition];
}

// --- studies, data, findings -----------------------------------------------------------------------

function studyGates(message: string, details: Readonly<Record<string, unknown>>): RuleViolation {
  return new RuleViolation('STUDY_GATES', message, details);
}

function approveFormalStudy(command: Cmd<'ApproveFormalStudy'>, state: Partnership): PartnershipEvent[] {
  const { data, metadata } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  knownAll(state.researchQuestions, 'research question', 'questionIds', data.questionIds);
  knownOrganizations(state, 'siteOrganizationIds', data.siteOrganizationIds);
  const approvers = knownOrganizations(
    state,
    'approvals.organizationId',
    data.approvals.map((a) => a.organizationId),
  );
  const dsaIds = data.dsaIds ?? [];
  const dsas = knownAll(state.dataSharingAgreements, 'data-sharing agreement', 'dsaIds', dsaIds);
  requireNew(state.studies, 'study', 'studyId', data.studyId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, metadata);
  requireActiveOrganizations(state, 'siteOrganizationIds', data.siteOrganizationIds);
  requireActiveOrganizations(
    state,
    'approvals.organizationId',
    approvers.map((o) => o.organizationId),
  );
  requireNotPaused(state, `approving study ${data.studyId}`, workstream.workstreamId);
  const transition = gateTransition(workstream, 'ApproveFormalStudy', metadata);
  const { studyId } = data;
  if (data.questionIds.length === 0) {
    throw studyGates(`Study ${studyId} names no agreed research question`, { studyId, missing: 'research_questions' });
  }
  if (approvers.length === 0) throw studyGates(`Study ${studyId} has no approval`, { studyId, missing: 'approvals' });
  if (!approvers.some((o) => o.side === 'practice' || o.side === 'community')) {
    throw studyGates(`Study ${studyId} has no approval by a practice- or community-side organization`, {
      studyId,
      missing: 'practice_approval',
    });
  }
  if (data.usesStudentRecords && !dsas.some((dsa) => !dsa.ended)) {
    throw studyGates(
      dsas.length === 0
        ? `Study ${studyId} uses student records but names no data-sharing agreement`
        : `Study ${studyId} uses student records but every agreement it names has ended (${dsaIds.join(', ')})`,
      { studyId, missing: 'active_dsa', dsaIds: [...dsaIds] },
    );
  }
  return [
    {
      type: 'FormalStudyApproved',
      data: {
        ...data,
        questionIds: [...data.questionIds],
        siteOrganizationIds: [...data.siteOrganizationIds],
        approvals: data.approvals.map((a) => ({ ...a })),
        ...(data.dsaIds === undefined ? {} : { dsaIds: [...data.dsaIds] }),
      },
    },
    ...transition,
  ];
}

function startFormalStudy(command: Cmd<'StartFormalStudy'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const study = knownInWorkstream(state.studies, 'study', 'studyId', data.studyId, workstream);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  if (study.status !== 'approved' || study.startedOn !== undefined) {
    throw outOfSequence(`Study ${study.studyId} already started${study.startedOn ? ` on ${study.startedOn}` : ''}`, {
      studyId: study.studyId,
    });
  }
  if (study.usesStudentRecords) {
    const covering = study.dsaIds
      .map((id) => lookup(state.dataSharingAgreements, id))
      .filter(
        (dsa) =>
          dsa !== undefined && !dsa.ended && dsa.effectiveFrom <= data.startedOn && data.startedOn <= dsa.expiresOn,
      );
    if (covering.length === 0) {
      throw studyGates(
        `Study ${study.studyId} uses student records, and none of its data-sharing agreements (${
          study.dsaIds.join(', ') || 'none'
        }) is active on ${data.startedOn}`,
        { studyId: study.studyId, missing: 'active_dsa', startedOn: data.startedOn, dsaIds: [...study.dsaIds] },
      );
    }
  }
  return [{ type: 'FormalStudyStarted', data: { ...data } }];
}

function dataRule(message: string, details: Readonly<Record<string, unknown>>): RuleViolation {
  return new RuleViolation('DATA_ONLY_UNDER_ACTIVE_DSA', message, details);
}

function recordDataReceived(command: Cmd<'RecordDataReceived'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const dsa = known(state.dataSharingAgreements, 'data-sharing agreement', 'dsaId', data.dsaId);
  if (data.recipientOrganizationId !== undefined) {
    knownOrganization(state, 'recipientOrganizationId', data.recipientOrganizationId);
  }
  requireNew(state.dataTransfers, 'data transfer', 'transferId', data.transferId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  if (data.recipientOrganizationId !== undefined) {
    requireActiveOrganizations(state, 'recipientOrganizationId', [data.recipientOrganizationId]);
  }
  const base = { dsaId: dsa.dsaId, transferId: data.transferId };
  if (dsa.ended) {
    throw dataRule(`Data-sharing agreement ${dsa.dsaId} ended on ${dsa.endedOn}; no data may be received under it`, {
      ...base,
      problem: 'dsa_ended',
    });
  }
  if (data.piiIncluded) {
    if (!dsa.piiIncluded) {
      throw dataRule(`Data-sharing agreement ${dsa.dsaId} does not allow personally identifiable information`, {
        ...base,
        problem: 'pii_not_allowed',
      });
    }
    if (data.receivedOn < dsa.effectiveFrom || data.receivedOn > dsa.expiresOn) {
      throw dataRule(
        `Data received on ${data.receivedOn} is outside the term of ${dsa.dsaId} (${dsa.effectiveFrom} to ${dsa.expiresOn})`,
        { ...base, problem: 'outside_term', receivedOn: data.receivedOn },
      );
    }
    const uncovered = data.dataCategories.filter((c) => !dsa.dataCategories.includes(c));
    if (uncovered.length > 0) {
      throw dataRule(`Data-sharing agreement ${dsa.dsaId} does not cover the data categories ${uncovered.join(', ')}`, {
        ...base,
        problem: 'category_not_covered',
        dataCategories: uncovered,
      });
    }
    if (
      data.recipientOrganizationId !== undefined &&
      !dsa.recipientOrganizationIds.includes(data.recipientOrganizationId)
    ) {
      throw dataRule(
        `Data-sharing agreement ${dsa.dsaId} does not name ${data.recipientOrganizationId} as a recipient`,
        {
          ...base,
          problem: 'recipient_not_named',
          recipientOrganizationId: data.recipientOrganizationId,
        },
      );
    }
  }
  return [{ type: 'DataReceivedUnderAgreement', data: { ...data, dataCategories: [...data.dataCategories] } }];
}

function sharePreliminaryFindings(command: Cmd<'SharePreliminaryFindings'>, state: Partnership): PartnershipEvent[] {
  const { data, metadata } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const source = resolveFindingsSource(state, workstream.workstreamId, data.sourceId);
  if (!source) {
    throw unknownReference('sourceId', data.sourceId, `Unknown source ${data.sourceId}: no study or pilot has that id`);
  }
  knownOrganizations(state, 'sharedWithOrganizationIds', data.sharedWithOrganizationIds);
  requireNew(state.findings, 'findings', 'findingsId', data.findingsId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, metadata);
  requireActiveOrganizations(state, 'sharedWithOrganizationIds', data.sharedWithOrganizationIds);
  requireNotPaused(state, `sharing findings ${data.findingsId}`, workstream.workstreamId);
  const started = source.kind === 'study' ? source.study.startedOn : source.pilot.startedOn;
  if (started === undefined) {
    throw outOfSequence(`The ${source.kind} ${data.sourceId} has not started; it has no findings to share yet`, {
      sourceId: data.sourceId,
      sourceKind: source.kind,
    });
  }
  const transition = gateTransition(workstream, 'SharePreliminaryFindings', metadata);
  return [
    {
      type: 'PreliminaryFindingsShared',
      data: {
        ...data,
        sharedWithOrganizationIds: [...data.sharedWithOrganizationIds],
        sharedOn: datePart(metadata.occurredAt),
      },
    },
    ...transition,
  ];
}

function interpretFindingsJointly(command: Cmd<'InterpretFindingsJointly'>, state: Partnership): PartnershipEvent[] {
  const { data, metadata } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const findings = knownInWorkstream(state.findings, 'findings', 'findingsId', data.findingsId, workstream);
  knownParticipants(state, 'attendeeParticipantIds', data.attendeeParticipantIds);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, metadata);
  requireActiveParticipants(state, 'attendeeParticipantIds', data.attendeeParticipantIds);
  requireNotPaused(state, `interpreting findings ${findings.findingsId}`, workstream.workstreamId);
  if (data.sessionOn < findings.sharedOn) {
    throw outOfSequence(
      `Findings ${findings.findingsId} were shared on ${findings.sharedOn}; they cannot be interpreted on ${data.sessionOn}`,
      { findingsId: findings.findingsId, sharedOn: findings.sharedOn, sessionOn: data.sessionOn },
    );
  }
  const transition = gateTransition(workstream, 'InterpretFindingsJointly', metadata);
  const practiceRoles: Role[] = isCommunityCollaborative(state)
    ? ['practitioner', 'community_member']
    : ['practitioner'];
  if (!distinctHolders(state, data.attendeeParticipantIds, ['researcher'], practiceRoles)) {
    throw new RuleViolation(
      'JOINT_INTERPRETATION_REQUIRES_PRACTICE',
      `Interpreting findings ${findings.findingsId} jointly needs a researcher and another attendee who is a ${practiceRoles.join(
        ' or ',
      )} (attendees: ${data.attendeeParticipantIds.join(', ') || 'none'})`,
      { findingsId: findings.findingsId, attendeeParticipantIds: [...data.attendeeParticipantIds], practiceRoles },
    );
  }
  return [{ type: 'FindingsJointlyInterpreted', data: { ...data } }, ...transition];
}

function recordPracticePartnerReview(
  command: Cmd<'RecordPracticePartnerReview'>,
  state: Partnership,
): PartnershipEvent[] {
  const { data, metadata } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const findings = knownInWorkstream(state.findings, 'findings', 'findingsId', data.findingsId, workstream);
  const reviewer = knownOrganization(state, 'reviewerOrganizationId', data.reviewerOrganizationId);
  if (reviewer.side !== 'practice' && reviewer.side !== 'community') {
    throw unknownReference(
      'reviewerOrganizationId',
      reviewer.organizationId,
      `Organization ${reviewer.organizationId} is on the ${reviewer.side} side; the reviewer must be a practice- or community-side partner`,
    );
  }
  requireOpenWorkstream(workstream);
  requireActiveActor(state, metadata);
  requireActiveOrganizations(state, 'reviewerOrganizationId', [reviewer.organizationId]);
  const reviewedOn = datePart(metadata.occurredAt);
  if (reviewedOn < findings.sharedOn) {
    throw outOfSequence(
      `Findings ${findings.findingsId} were shared on ${findings.sharedOn}; they cannot be reviewed on ${reviewedOn}`,
      { findingsId: findings.findingsId, sharedOn: findings.sharedOn, reviewedOn },
    );
  }
  return [{ type: 'FindingsReviewedByPracticePartner', data: { ...data, reviewedOn } }];
}

/** The DSAs the findings derive from: the source study's, and those of data received in the workstream by sharedOn. */
function findingsDsaIds(state: Partnership, findingsId: string): string[] {
  const findings = lookup(state.findings, findingsId);
  if (!findings) return [];
  const source = resolveFindingsSource(state, findings.workstreamId, findings.sourceId);
  const fromStudy = source?.kind === 'study' ? source.study.dsaIds : [];
  const fromTransfers = Object.values(state.dataTransfers)
    .filter((t) => t.workstreamId === findings.workstreamId && t.receivedOn <= findings.sharedOn)
    .map((t) => t.dsaId);
  return [...new Set([...fromStudy, ...fromTransfers])];
}

function disseminateFindings(command: Cmd<'DisseminateFindings'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  const findings = knownInWorkstream(state.findings, 'findings', 'findingsId', data.findingsId, workstream);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  if (data.releasedOn < findings.sharedOn) {
    throw outOfSequence(
      `Findings ${findings.findingsId} were shared on ${findings.sharedOn}; they cannot be released on ${data.releasedOn}`,
      { findingsId: findings.findingsId, sharedOn: findings.sharedOn, releasedOn: data.releasedOn },
    );
  }
  const reviewed = (REVIEWED_AUDIENCES as readonly string[]).includes(data.audience);
  const dsaIds = reviewed ? findingsDsaIds(state, findings.findingsId) : [];
  if (dsaIds.length > 0 && findings.reviews.length === 0) {
    const windowDays = Math.max(
      ...dsaIds.map(
        (id) => lookup(state.dataSharingAgreements, id)?.noSurprisesReviewDays ?? DEFAULT_NO_SURPRISES_REVIEW_DAYS,
      ),
    );
    const windowEndsOn = addDays(findings.sharedOn, windowDays);
    if (data.releasedOn < windowEndsOn) {
      throw new RuleViolation(
        'NO_SURPRISES_REVIEW_PENDING',
        `Findings ${findings.findingsId} derive from data under ${dsaIds.join(', ')}; releasing them to a ${data.audience} audience waits for the practice partner's review or the end of the review window on ${windowEndsOn}`,
        { findingsId: findings.findingsId, dsaIds, windowDays, windowEndsOn, audience: data.audience },
      );
    }
  }
  return [{ type: 'FindingsDisseminated', data: { ...data } }];
}

function recordResearchUse(command: Cmd<'RecordResearchUse'>, state: Partnership): PartnershipEvent[] {
  const { data } = command;
  const workstream = knownWorkstream(state, data.workstreamId);
  knownOrganization(state, 'decidingOrganizationId', data.decidingOrganizationId);
  for (const id of data.evidenceIds) {
    const isKnown = [state.findings, state.tools, state.evidenceReviews, state.inputs].some(
      (registry) => lookup(registry as Readonly<Record<string, unknown>>, id) !== undefined,
    );
    if (!isKnown) {
      throw unknownReference(
        'evidenceIds',
        id,
        `Evidence ${id} is not a findings, tool, evidence review or input of this partnership`,
      );
    }
  }
  requireNew(state.researchUses, 'research use', 'useId', data.useId);
  requireOpenWorkstream(workstream);
  requireActiveActor(state, command.metadata);
  requireActiveOrganizations(state, 'decidingOrganizationId', [data.decidingOrganizationId]);
  return [{ type: 'ResearchUseRecorded', data: { ...data, evidenceIds: [...data.evidenceIds] } }];
}
