import type { Phase } from '../shared/vocabulary';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  command,
  event,
  exploringPartnership,
  formalizedPartnership,
  ORG,
  P,
  workstreamIds,
} from '../testing/partnership.fixtures';
import { partnershipDecider } from './partnership.decider';

const spec = DeciderSpecification.for(partnershipDecider);
const ids = workstreamIds('ws-1');
const at = (phase: Phase) => formalizedPartnership().workstreamAt(phase).events;
const pausedAt = (phase: Phase) => formalizedPartnership().workstreamAt(phase).status('paused', 'active').events;
const forward = (fromPhase: Phase, toPhase: Phase, workstreamId = 'ws-1') =>
  event('PhaseTransitioned', { workstreamId, fromPhase, toPhase, direction: 'forward', triggerEventId: 'evt-new-1' });

describe('OpenWorkstream', () => {
  const data = {
    workstreamId: 'ws-2',
    title: 'Follow-up',
    leadParticipantIds: [P.researcher, P.teacher],
    parentWorkstreamId: 'ws-1',
  };

  it('opens a workstream in problem_framing, also as a follow-up of a concluded one', () => {
    spec
      .given(at('concluded'))
      .when(command('OpenWorkstream', data))
      .then([event('WorkstreamOpened', data)]);
    spec
      .given(at('concluded'))
      .when(command('OpenWorkstream', data))
      .thenState((state) => {
        if (state.status === 'none') throw new Error('no partnership');
        expect(state.workstreams['ws-2']).toMatchObject({ phase: 'problem_framing', parentWorkstreamId: 'ws-1' });
      });
  });

  it('opens a workstream while exploring (a quick-win project before formalization)', () => {
    const quickWin = { workstreamId: 'ws-q', title: 'Research synthesis', leadParticipantIds: [P.researcher] };
    spec
      .given(exploringPartnership().events)
      .when(command('OpenWorkstream', quickWin))
      .then([event('WorkstreamOpened', quickWin)]);
  });

  it('refuses to open while paused (ILLEGAL_PHASE_TRANSITION)', () => {
    spec.given(pausedAt('pilot')).when(command('OpenWorkstream', data)).thenThrows('ILLEGAL_PHASE_TRANSITION');
  });

  it('refuses an unknown parent or lead (UNKNOWN_REFERENCE), a departed lead (ACTOR_NOT_ACTIVE_MEMBER)', () => {
    spec
      .given(at('pilot'))
      .when(command('OpenWorkstream', { ...data, parentWorkstreamId: 'ws-x' }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(at('pilot'))
      .when(command('OpenWorkstream', { ...data, leadParticipantIds: ['p-x'] }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(
        formalizedPartnership().add('ParticipantDeparted', {
          participantId: P.teacher,
          reason: 'x',
          organizationId: ORG.schoolA,
        }).events,
      )
      .when(command('OpenWorkstream', { ...data, parentWorkstreamId: undefined }))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
  });
});

describe('DefineProblemOfPractice and ReframeProblemOfPractice', () => {
  it('defines a problem surfaced by educators', () => {
    const data = {
      workstreamId: 'ws-1',
      problemId: 'prob-2',
      statement: 'Chronic absence in the spring',
      proposedByParticipantIds: [P.teacher, P.family],
      intendedUse: 'Plan outreach',
      communityGoal: true,
    };
    spec
      .given(at('evidence_review'))
      .when(command('DefineProblemOfPractice', data))
      .then([event('ProblemOfPracticeDefined', data)]);
  });

  it('reframes a problem of the workstream, in any phase', () => {
    const data = {
      workstreamId: 'ws-1',
      problemId: ids.problemId,
      statement: 'Fluency loss is a summer issue',
      reason: 'local data',
    };
    spec
      .given(at('evidence_review'))
      .when(command('ReframeProblemOfPractice', data))
      .then([event('ProblemOfPracticeReframed', data)]);
    spec
      .given(at('evidence_review'))
      .when(command('ReframeProblemOfPractice', data))
      .thenState((state) => {
        if (state.status === 'none') throw new Error('no partnership');
        expect(state.problems[ids.problemId]).toMatchObject({
          statement: 'Fluency loss is a summer issue',
          originalStatement: 'Third graders lose reading fluency over long breaks',
          reframings: [{ statement: 'Fluency loss is a summer issue', reason: 'local data' }],
        });
      });
  });

  it('refuses reframing a problem of another workstream (UNKNOWN_REFERENCE)', () => {
    const given = formalizedPartnership()
      .workstreamAt('evidence_review', 'ws-1')
      .workstreamAt('problem_framing', 'ws-2').events;
    const error = spec
      .given(given)
      .when(
        command('ReframeProblemOfPractice', {
          workstreamId: 'ws-2',
          problemId: ids.problemId,
          statement: 's',
          reason: 'r',
        }),
      )
      .thenThrows('UNKNOWN_REFERENCE');
    expect(error.message).toMatch(/belongs to workstream ws-1/);
  });
});

describe('AgreeResearchAgenda (gate → evidence_review)', () => {
  const data = {
    workstreamId: 'ws-1',
    agendaId: 'agenda-2',
    researchQuestions: [{ questionId: 'rq-new', text: 'What works?' }],
    agreedByParticipantIds: [P.researcher, P.teacher],
  };

  it('records the agenda and moves problem_framing → evidence_review, triggered by the agenda event', () => {
    spec
      .given(at('problem_framing'))
      .when(command('AgreeResearchAgenda', data))
      .then([event('ResearchAgendaAgreed', data), forward('problem_framing', 'evidence_review')]);
  });

  it('moves nothing when the workstream is already in evidence_review (a second agenda)', () => {
    spec
      .given(at('evidence_review'))
      .when(command('AgreeResearchAgenda', data))
      .then([event('ResearchAgendaAgreed', data)]);
  });

  it('accepts a community member in the practitioner’s place', () => {
    const community = { ...data, agreedByParticipantIds: [P.researcher, P.community] };
    spec
      .given(at('problem_framing'))
      .when(command('AgreeResearchAgenda', community))
      .then([event('ResearchAgendaAgreed', community), forward('problem_framing', 'evidence_review')]);
  });

  it.each([
    ['researchers only', [P.researcher]],
    ['practitioners only', [P.practitioner, P.teacher]],
    ['a researcher with a funder and a coordinator', [P.researcher, P.funder, P.coordinator]],
    ['nobody', []],
  ])('refuses an agenda agreed by %s (AGENDA_MUST_BE_MUTUAL)', (_, agreedBy) => {
    spec
      .given(at('problem_framing'))
      .when(command('AgreeResearchAgenda', { ...data, agreedByParticipantIds: agreedBy }))
      .thenThrows('AGENDA_MUST_BE_MUTUAL');
  });

  it('refuses one person wearing both hats: mutual means two participants (AGENDA_MUST_BE_MUTUAL)', () => {
    const given = formalizedPartnership()
      .add('ParticipantJoined', {
        participantId: 'p-both',
        organizationId: ORG.district,
        roles: ['researcher', 'practitioner'],
      })
      .workstreamAt('problem_framing').events;
    spec
      .given(given)
      .when(command('AgreeResearchAgenda', { ...data, agreedByParticipantIds: ['p-both'] }))
      .thenThrows('AGENDA_MUST_BE_MUTUAL');
    spec
      .given(given)
      .when(command('AgreeResearchAgenda', { ...data, agreedByParticipantIds: ['p-both', P.researcher] }))
      .then([
        event('ResearchAgendaAgreed', { ...data, agreedByParticipantIds: ['p-both', P.researcher] }),
        forward('problem_framing', 'evidence_review'),
      ]);
  });

  it('refuses a question id already in use, or repeated in the agenda (DUPLICATE_ID)', () => {
    spec
      .given(at('evidence_review'))
      .when(
        command('AgreeResearchAgenda', {
          ...data,
          researchQuestions: [{ questionId: ids.questionIds[0], text: 'again' }],
        }),
      )
      .thenThrows('DUPLICATE_ID');
    spec
      .given(at('problem_framing'))
      .when(
        command('AgreeResearchAgenda', {
          ...data,
          researchQuestions: [
            { questionId: 'q', text: 'a' },
            { questionId: 'q', text: 'b' },
          ],
        }),
      )
      .thenThrows('DUPLICATE_ID');
  });

  it('is refused in a later phase (ILLEGAL_PHASE_TRANSITION)', () => {
    spec.given(at('co_design')).when(command('AgreeResearchAgenda', data)).thenThrows('ILLEGAL_PHASE_TRANSITION');
  });
});

describe('RecordEvidenceReview', () => {
  it('records a review in any phase without moving it', () => {
    const data = {
      workstreamId: 'ws-1',
      reviewId: 'review-2',
      sources: ['district attendance data 2019–2024'],
      evidenceTypes: ['local_data' as const],
      contributorParticipantIds: [P.researcher, P.practitioner],
    };
    spec
      .given(at('problem_framing'))
      .when(command('RecordEvidenceReview', data))
      .then([event('EvidenceReviewed', data)]);
    spec
      .given(at('formal_study'))
      .when(command('RecordEvidenceReview', data))
      .then([event('EvidenceReviewed', data)]);
  });
});

describe('CoDevelopTool (gate → co_design)', () => {
  const data = {
    workstreamId: 'ws-1',
    toolId: 'tool-2',
    name: 'Coaching cards',
    purpose: 'Support coaches',
    coDesignerParticipantIds: [P.researcher, P.teacher],
  };

  it('creates version 1 and moves evidence_review → co_design', () => {
    spec
      .given(at('evidence_review'))
      .when(command('CoDevelopTool', data))
      .then([event('ToolCoDeveloped', { ...data, version: 1 }), forward('evidence_review', 'co_design')]);
  });

  it('moves nothing for a second tool in co_design', () => {
    spec
      .given(at('co_design'))
      .when(command('CoDevelopTool', data))
      .then([event('ToolCoDeveloped', { ...data, version: 1 })]);
  });

  it.each(['problem_framing', 'pilot', 'input_revision', 'formal_study'] as const)(
    'is refused in %s (ILLEGAL_PHASE_TRANSITION)',
    (phase) => {
      const error = spec.given(at(phase)).when(command('CoDevelopTool', data)).thenThrows('ILLEGAL_PHASE_TRANSITION');
      expect(error.details).toMatchObject({
        workstreamId: 'ws-1',
        fromPhase: phase,
        toPhase: 'co_design',
        allowedFrom: ['evidence_review'],
      });
    },
  );
});

describe('ApprovePilot (gate → pilot)', () => {
  const data = {
    workstreamId: 'ws-1',
    pilotId: 'pilot-2',
    toolId: ids.toolId,
    toolVersion: 1,
    siteOrganizationIds: [ORG.schoolA, ORG.schoolB],
    approvals: [
      { organizationId: ORG.schoolA, kind: 'school_site_letter', ref: 'A-1' },
      { organizationId: ORG.schoolB, kind: 'school_site_letter', ref: 'B-1' },
    ],
    consentBasis: 'parental_permission_active' as const,
    plannedStart: '2024-09-01',
    plannedEnd: '2024-12-15',
  };

  it('records the approval and moves co_design → pilot', () => {
    spec
      .given(at('co_design'))
      .when(command('ApprovePilot', data))
      .then([event('PilotApproved', data), forward('co_design', 'pilot')]);
  });

  it('re-pilots a revised version from input_revision, and moves nothing for a second pilot in pilot', () => {
    const v2 = { ...data, toolVersion: 2 };
    spec
      .given(at('input_revision'))
      .when(command('ApprovePilot', v2))
      .then([event('PilotApproved', v2), forward('input_revision', 'pilot')]);
    spec
      .given(at('pilot'))
      .when(command('ApprovePilot', data))
      .then([event('PilotApproved', data)]);
  });

  it('accepts a non-school site next to a school', () => {
    const withDistrict = {
      ...data,
      siteOrganizationIds: [ORG.schoolA, ORG.district],
      approvals: [data.approvals[0], { organizationId: ORG.district, kind: 'district_research_office', ref: 'D' }],
    };
    spec
      .given(at('co_design'))
      .when(command('ApprovePilot', withDistrict))
      .then([event('PilotApproved', withDistrict), forward('co_design', 'pilot')]);
  });

  it.each([
    ['no site', { siteOrganizationIds: [] }, 'no_sites'],
    [
      'no school among the sites',
      { siteOrganizationIds: [ORG.district], approvals: [{ organizationId: ORG.district, kind: 'x', ref: 'y' }] },
      'no_school_site',
    ],
    ['a site without approval', { approvals: [data.approvals[0]] }, 'site_without_approval'],
    ['no consent basis', { consentBasis: '' as never }, 'no_consent_basis'],
    ['a tool version that does not exist', { toolVersion: 2 }, 'tool_version_missing'],
    ['tool version 0', { toolVersion: 0 }, 'tool_version_missing'],
  ])('refuses %s (PILOT_NEEDS_SITES_APPROVALS_CONSENT)', (_, change, problem) => {
    const error = spec
      .given(at('co_design'))
      .when(command('ApprovePilot', { ...data, ...change }))
      .thenThrows('PILOT_NEEDS_SITES_APPROVALS_CONSENT');
    expect(error.details).toMatchObject({ pilotId: 'pilot-2', problem });
  });

  it('refuses an unknown tool, site or approver (UNKNOWN_REFERENCE) and a withdrawn site (ACTOR_NOT_ACTIVE_MEMBER)', () => {
    spec
      .given(at('co_design'))
      .when(command('ApprovePilot', { ...data, toolId: 'tool-x' }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(at('co_design'))
      .when(command('ApprovePilot', { ...data, siteOrganizationIds: ['org-x'] }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(at('co_design'))
      .when(
        command('ApprovePilot', {
          ...data,
          approvals: [...data.approvals, { organizationId: 'org-irb', kind: 'irb', ref: 'I' }],
        }),
      )
      .thenThrows(
        (e) =>
          e.code === 'UNKNOWN_REFERENCE' &&
          (e.details?.reference as { field: string }).field === 'approvals.organizationId',
      );
    spec
      .given(
        formalizedPartnership()
          .workstreamAt('co_design')
          .add('OrganizationWithdrew', { organizationId: ORG.schoolB, reason: 'x' }).events,
      )
      .when(command('ApprovePilot', data))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
  });

  it('is refused in evidence_review and formal_study (ILLEGAL_PHASE_TRANSITION), and while paused even in pilot', () => {
    const toolElsewhere = formalizedPartnership()
      .workstreamAt('co_design', 'ws-2')
      .workstreamAt('evidence_review', 'ws-1').events;
    spec
      .given(toolElsewhere)
      .when(command('ApprovePilot', { ...data, toolId: 'ws-2-tool' }))
      .thenThrows('ILLEGAL_PHASE_TRANSITION');
    spec
      .given(at('formal_study'))
      .when(command('ApprovePilot', { ...data, toolVersion: 2 }))
      .thenThrows('ILLEGAL_PHASE_TRANSITION');
    spec.given(pausedAt('pilot')).when(command('ApprovePilot', data)).thenThrows('ILLEGAL_PHASE_TRANSITION');
  });
});

describe('StartPilot', () => {
  const data = {
    workstreamId: 'ws-1',
    pilotId: ids.pilotId,
    startedOn: '2024-03-04',
    siteOrganizationIds: [ORG.schoolA],
  };

  it('records the start at approved sites (also while paused: not a gate)', () => {
    spec
      .given(at('pilot'))
      .when(command('StartPilot', data))
      .then([event('PilotStarted', data)]);
    spec
      .given(pausedAt('pilot'))
      .when(command('StartPilot', data))
      .then([event('PilotStarted', data)]);
  });

  it('refuses a site that was not approved, or no site (PILOT_NEEDS_SITES_APPROVALS_CONSENT)', () => {
    const error = spec
      .given(at('pilot'))
      .when(command('StartPilot', { ...data, siteOrganizationIds: [ORG.schoolA, ORG.schoolB] }))
      .thenThrows('PILOT_NEEDS_SITES_APPROVALS_CONSENT');
    expect(error.details).toMatchObject({ problem: 'site_not_approved', organizationIds: [ORG.schoolB] });
    spec
      .given(at('pilot'))
      .when(command('StartPilot', { ...data, siteOrganizationIds: [] }))
      .thenThrows('PILOT_NEEDS_SITES_APPROVALS_CONSENT');
  });

  it('refuses starting twice, or after the pilot concluded (OUT_OF_SEQUENCE)', () => {
    spec
      .given(formalizedPartnership().workstreamAt('pilot').add('PilotStarted', data).events)
      .when(command('StartPilot', data))
      .thenThrows('OUT_OF_SEQUENCE');
    spec.given(at('input_revision')).when(command('StartPilot', data)).thenThrows('OUT_OF_SEQUENCE');
  });

  it('refuses a pilot of another workstream (UNKNOWN_REFERENCE)', () => {
    const given = formalizedPartnership().workstreamAt('pilot', 'ws-1').workstreamAt('co_design', 'ws-2').events;
    spec
      .given(given)
      .when(command('StartPilot', { ...data, workstreamId: 'ws-2' }))
      .thenThrows('UNKNOWN_REFERENCE');
  });
});

describe('ConcludePilot (gate → input_revision)', () => {
  const started = () =>
    formalizedPartnership()
      .workstreamAt('pilot')
      .add('PilotStarted', {
        workstreamId: 'ws-1',
        pilotId: ids.pilotId,
        startedOn: '2024-03-04',
        siteOrganizationIds: [ORG.schoolA],
      });
  const data = { workstreamId: 'ws-1', pilotId: ids.pilotId, endedOn: '2024-05-31', outcome: 'completed' as const };

  it('records the conclusion and moves pilot → input_revision', () => {
    spec
      .given(started().events)
      .when(command('ConcludePilot', data))
      .then([event('PilotConcluded', data), forward('pilot', 'input_revision')]);
  });

  it('lets a pilot be halted before it starts', () => {
    const halted = { ...data, outcome: 'halted' as const };
    spec
      .given(at('pilot'))
      .when(command('ConcludePilot', halted))
      .then([event('PilotConcluded', halted), forward('pilot', 'input_revision')]);
  });

  it('refuses concluding an unstarted pilot as completed, twice, or before it started (OUT_OF_SEQUENCE)', () => {
    spec.given(at('pilot')).when(command('ConcludePilot', data)).thenThrows('OUT_OF_SEQUENCE');
    spec.given(at('input_revision')).when(command('ConcludePilot', data)).thenThrows('OUT_OF_SEQUENCE');
    spec
      .given(started().events)
      .when(command('ConcludePilot', { ...data, endedOn: '2024-03-03' }))
      .thenThrows('OUT_OF_SEQUENCE');
  });

  it('is refused outside the pilot phase and while paused (ILLEGAL_PHASE_TRANSITION)', () => {
    const movedBack = started().add('PhaseTransitioned', {
      workstreamId: 'ws-1',
      fromPhase: 'pilot',
      toPhase: 'co_design',
      direction: 'backward',
      reason: 'redesign',
    });
    spec.given(movedBack.events).when(command('ConcludePilot', data)).thenThrows('ILLEGAL_PHASE_TRANSITION');
    spec
      .given(started().status('paused', 'active').events)
      .when(command('ConcludePilot', data))
      .thenThrows('ILLEGAL_PHASE_TRANSITION');
  });
});

describe('RecordStakeholderInput', () => {
  const data = {
    workstreamId: 'ws-1',
    inputId: 'input-2',
    toolId: ids.toolId,
    toolVersion: 1,
    method: 'focus_group' as const,
    respondentCounts: { practitioner: 12, school: 3 },
    convenedByParticipantId: P.broker,
  };

  it('records input about a tool version, or about nothing in particular, in any phase', () => {
    spec
      .given(at('input_revision'))
      .when(command('RecordStakeholderInput', data))
      .then([event('StakeholderInputGathered', data)]);
    const general = {
      workstreamId: 'ws-1',
      inputId: 'input-3',
      method: 'convening' as const,
      respondentCounts: { LEA: 7 },
    };
    spec
      .given(at('problem_framing'))
      .when(command('RecordStakeholderInput', general))
      .then([event('StakeholderInputGathered', general)]);
  });

  it('takes input naming a tool without a version to be about the version current at the time', () => {
    const data2 = {
      workstreamId: 'ws-1',
      inputId: 'input-4',
      toolId: ids.toolId,
      method: 'interviews' as const,
      respondentCounts: {},
    };
    spec
      .given(at('input_revision'))
      .when(command('RecordStakeholderInput', data2))
      .thenState((state) => {
        if (state.status === 'none') throw new Error('no partnership');
        expect(state.inputs['input-4']).toMatchObject({ toolId: ids.toolId, aboutToolVersion: 2 });
        expect(state.inputs['input-4'].toolVersion).toBeUndefined();
      });
  });

  it('refuses a tool version that does not exist or a version without a tool (UNKNOWN_REFERENCE)', () => {
    spec
      .given(at('pilot'))
      .when(command('RecordStakeholderInput', { ...data, toolVersion: 2 }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(at('pilot'))
      .when(command('RecordStakeholderInput', { ...data, toolId: undefined }))
      .thenThrows('UNKNOWN_REFERENCE');
  });

  it('refuses a departed convener (ACTOR_NOT_ACTIVE_MEMBER)', () => {
    spec
      .given(
        formalizedPartnership()
          .workstreamAt('pilot')
          .add('ParticipantDeparted', { participantId: P.broker, reason: 'x', organizationId: ORG.district }).events,
      )
      .when(command('RecordStakeholderInput', data))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
  });
});

describe('ReviseTool', () => {
  const data = {
    workstreamId: 'ws-1',
    toolId: ids.toolId,
    answersInputIds: [ids.inputId],
    changeSummary: 'Clearer steps',
    revisedWithParticipantIds: [P.researcher, P.practitioner],
  };

  it('creates version n + 1 answering input about the tool', () => {
    spec
      .given(at('input_revision'))
      .when(command('ReviseTool', data))
      .then([event('ToolRevised', { ...data, fromVersion: 2, version: 3 })]);
  });

  it('may answer findings from a pilot of the tool, or from a study in the tool’s workstream', () => {
    const fromStudy = { ...data, answersInputIds: [], answersFindingsIds: [ids.findingsId] };
    spec
      .given(at('joint_interpretation'))
      .when(command('ReviseTool', fromStudy))
      .then([event('ToolRevised', { ...fromStudy, fromVersion: 2, version: 3 })]);
    const pilotFindings = formalizedPartnership().workstreamAt('input_revision').add('PreliminaryFindingsShared', {
      workstreamId: 'ws-1',
      findingsId: 'f-pilot',
      sourceId: ids.pilotId,
      sharedWithOrganizationIds: [],
      sharedOn: '2024-03-01',
    });
    const fromPilot = { ...data, answersInputIds: [], answersFindingsIds: ['f-pilot'] };
    spec
      .given(pilotFindings.events)
      .when(command('ReviseTool', fromPilot))
      .then([event('ToolRevised', { ...fromPilot, fromVersion: 2, version: 3 })]);
  });

  it('may be recorded in another workstream (tools are partnership-wide)', () => {
    const given = formalizedPartnership()
      .workstreamAt('input_revision', 'ws-1')
      .workstreamAt('problem_framing', 'ws-2').events;
    const elsewhere = { ...data, workstreamId: 'ws-2' };
    spec
      .given(given)
      .when(command('ReviseTool', elsewhere))
      .then([event('ToolRevised', { ...elsewhere, fromVersion: 2, version: 3 })]);
  });

  it.each([
    ['nothing cited', { answersInputIds: [] }, 'nothing_cited'],
    ['input about no tool', { answersInputIds: ['input-general'] }, 'not_about_tool'],
    ['input about another tool', { answersInputIds: ['input-other-tool'] }, 'not_about_tool'],
    [
      'findings from a pilot of another tool',
      { answersInputIds: [], answersFindingsIds: ['f-other-pilot'] },
      'not_about_tool',
    ],
  ])('refuses a revision with %s (REVISION_MUST_ANSWER_INPUT)', (_, change, problem) => {
    const given = formalizedPartnership()
      .workstreamAt('input_revision', 'ws-1')
      .workstreamAt('input_revision', 'ws-2')
      .add('StakeholderInputGathered', {
        workstreamId: 'ws-1',
        inputId: 'input-general',
        method: 'survey',
        respondentCounts: { practitioner: 9 },
      })
      .add('StakeholderInputGathered', {
        workstreamId: 'ws-1',
        inputId: 'input-other-tool',
        toolId: 'ws-2-tool',
        method: 'survey',
        respondentCounts: { practitioner: 9 },
      })
      .add('PreliminaryFindingsShared', {
        workstreamId: 'ws-2',
        findingsId: 'f-other-pilot',
        sourceId: 'ws-2-pilot',
        sharedWithOrganizationIds: [],
        sharedOn: '2024-03-01',
      });
    const error = spec
      .given(given.events)
      .when(command('ReviseTool', { ...data, ...change }))
      .thenThrows('REVISION_MUST_ANSWER_INPUT');
    expect(error.details).toMatchObject({ toolId: ids.toolId, problem });
  });

  it('refuses unknown inputs or findings (UNKNOWN_REFERENCE)', () => {
    spec
      .given(at('input_revision'))
      .when(command('ReviseTool', { ...data, answersInputIds: ['input-x'] }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(at('input_revision'))
      .when(command('ReviseTool', { ...data, answersFindingsIds: ['f-x'] }))
      .thenThrows('UNKNOWN_REFERENCE');
  });
});

describe('TransitionPhase', () => {
  const move = (toPhase: Phase, reason = 'explained') =>
    command('TransitionPhase', { workstreamId: 'ws-1', toPhase, reason });
  const explicit = (
    fromPhase: Phase,
    toPhase: Phase,
    direction: 'forward' | 'backward' | 'skip',
    reason = 'explained',
  ) => event('PhaseTransitioned', { workstreamId: 'ws-1', fromPhase, toPhase, direction, reason });

  it.each([
    ['evidence_review', 'problem_framing'],
    ['co_design', 'problem_framing'],
    ['pilot', 'co_design'],
    ['input_revision', 'co_design'],
    ['formal_study', 'input_revision'],
    ['joint_interpretation', 'formal_study'],
    ['joint_interpretation', 'co_design'],
    ['joint_interpretation', 'problem_framing'],
    ['use_dissemination', 'problem_framing'],
  ] as const)('goes backward %s → %s with a reason', (from, to) => {
    spec
      .given(at(from))
      .when(move(to))
      .then([explicit(from, to, 'backward')]);
  });

  it('skips problem_framing → co_design (no evidence review)', () => {
    spec
      .given(at('problem_framing'))
      .when(move('co_design'))
      .then([explicit('problem_framing', 'co_design', 'skip')]);
  });

  it.each([
    'problem_framing',
    'evidence_review',
    'co_design',
    'pilot',
    'input_revision',
    'formal_study',
    'joint_interpretation',
  ] as const)('concludes early from %s (skip)', (from) => {
    spec
      .given(at(from))
      .when(move('concluded', 'funding ended'))
      .then([explicit(from, 'concluded', 'skip', 'funding ended')]);
  });

  it('concludes from use_dissemination (forward)', () => {
    spec
      .given(at('use_dissemination'))
      .when(move('concluded'))
      .then([explicit('use_dissemination', 'concluded', 'forward')]);
  });

  it('goes forward again where the gate fact exists: back to evidence_review after a reframing', () => {
    const back = formalizedPartnership().workstreamAt('evidence_review').add('PhaseTransitioned', {
      workstreamId: 'ws-1',
      fromPhase: 'evidence_review',
      toPhase: 'problem_framing',
      direction: 'backward',
      reason: 'reframe',
    });
    spec
      .given(back.events)
      .when(move('evidence_review'))
      .then([explicit('problem_framing', 'evidence_review', 'forward')]);
  });

  it.each([
    ['pilot', 'co_design', 'pilot'],
    ['co_design', 'evidence_review', 'co_design'],
    ['formal_study', 'input_revision', 'formal_study'],
    ['joint_interpretation', 'formal_study', 'joint_interpretation'],
  ] as const)('re-enters %s from %s after going back, since its gate fact exists', (_, from, to) => {
    const atTo = formalizedPartnership().workstreamAt(to).add('PhaseTransitioned', {
      workstreamId: 'ws-1',
      fromPhase: to,
      toPhase: from,
      direction: 'backward',
      reason: 'x',
    });
    spec
      .given(atTo.events)
      .when(move(to))
      .then([explicit(from, to, 'forward')]);
  });

  it('enters co_design forward when a tool was revised in the workstream (a follow-up revising its parent’s tool)', () => {
    const followUp = formalizedPartnership()
      .workstreamAt('input_revision', 'ws-0')
      .workstreamAt('evidence_review', 'ws-1')
      .add('ToolRevised', {
        workstreamId: 'ws-1',
        toolId: 'ws-0-tool',
        answersInputIds: ['ws-0-input'],
        changeSummary: 'adapted for middle school',
        revisedWithParticipantIds: [P.researcher, P.teacher],
        fromVersion: 2,
        version: 3,
      });
    spec
      .given(followUp.events)
      .when(move('co_design'))
      .then([explicit('evidence_review', 'co_design', 'forward')]);
  });

  describe('ILLEGAL_PHASE_TRANSITION', () => {
    it.each([
      ['problem_framing', 'evidence_review', 'no agenda agreed'],
      ['evidence_review', 'co_design', 'no tool'],
      ['evidence_review', 'formal_study', 'no study approved'],
      ['co_design', 'pilot', 'no pilot approved'],
      ['formal_study', 'joint_interpretation', 'no findings shared'],
    ] as const)('forward %s → %s without its gate fact (%s)', (from: Phase, to: Phase, _why: string) => {
      spec.given(at(from)).when(move(to)).thenThrows('ILLEGAL_PHASE_TRANSITION');
    });

    it('forward into pilot from input_revision needs a pilot, into use_dissemination needs interpretation', () => {
      const skipped = formalizedPartnership().workstreamAt('problem_framing').add('PhaseTransitioned', {
        workstreamId: 'ws-1',
        fromPhase: 'problem_framing',
        toPhase: 'co_design',
        direction: 'skip',
        reason: 'x',
      });
      spec.given(skipped.events).when(move('pilot')).thenThrows('ILLEGAL_PHASE_TRANSITION');
      spec.given(at('joint_interpretation')).when(move('use_dissemination')).thenThrows('ILLEGAL_PHASE_TRANSITION');
    });

    it.each([
      ['problem_framing', 'pilot'],
      ['problem_framing', 'formal_study'],
      ['evidence_review', 'pilot'],
      ['co_design', 'input_revision'],
      ['pilot', 'formal_study'],
      ['pilot', 'problem_framing'],
      ['formal_study', 'co_design'],
      ['use_dissemination', 'joint_interpretation'],
    ] as const)('an edge that is not in the graph: %s → %s', (from, to) => {
      const error = spec.given(at(from)).when(move(to)).thenThrows('ILLEGAL_PHASE_TRANSITION');
      expect(error.details).toEqual({ workstreamId: 'ws-1', fromPhase: from, toPhase: to });
    });

    it('to the phase the workstream is already in', () => {
      spec.given(at('pilot')).when(move('pilot')).thenThrows('ILLEGAL_PHASE_TRANSITION');
    });

    it('without a reason (blank)', () => {
      spec.given(at('evidence_review')).when(move('problem_framing', '   ')).thenThrows('ILLEGAL_PHASE_TRANSITION');
    });

    it('while the partnership is paused, in any direction', () => {
      spec.given(pausedAt('evidence_review')).when(move('problem_framing')).thenThrows('ILLEGAL_PHASE_TRANSITION');
      spec.given(pausedAt('use_dissemination')).when(move('concluded')).thenThrows('ILLEGAL_PHASE_TRANSITION');
    });

    it.each([
      ['AgreeResearchAgenda', 'problem_framing'],
      ['CoDevelopTool', 'evidence_review'],
    ] as const)('a gate (%s) while paused, even where it would be legal', (type, phase) => {
      const cmd =
        type === 'AgreeResearchAgenda'
          ? command(type, {
              workstreamId: 'ws-1',
              agendaId: 'a2',
              researchQuestions: [],
              agreedByParticipantIds: [P.researcher, P.teacher],
            })
          : command(type, {
              workstreamId: 'ws-1',
              toolId: 't2',
              name: 'n',
              purpose: 'p',
              coDesignerParticipantIds: [],
            });
      spec.given(pausedAt(phase)).when(cmd).thenThrows('ILLEGAL_PHASE_TRANSITION');
    });
  });

  it('is refused on a concluded workstream (TERMINAL_STATE)', () => {
    spec.given(at('concluded')).when(move('problem_framing')).thenThrows('TERMINAL_STATE');
  });

  it('records the transition with the time it occurred in the phase history', () => {
    spec
      .given(at('evidence_review'))
      .when(
        command(
          'TransitionPhase',
          { workstreamId: 'ws-1', toPhase: 'problem_framing', reason: 'reframe' },
          { now: '2025-06-02T12:00:00.000Z', occurredAt: '2025-05-30T08:00:00.000Z' },
        ),
      )
      .thenState((state) => {
        if (state.status === 'none') throw new Error('no partnership');
        // decided events carry no metadata: the phase entered-at comes from the recorded event
        expect(state.workstreams['ws-1'].phase).toBe('problem_framing');
        expect(state.workstreams['ws-1'].phaseHistory.at(-1)).toEqual({
          phase: 'problem_framing',
          fromPhase: 'evidence_review',
          direction: 'backward',
          reason: 'reframe',
        });
      });
  });
});
