/**
 * Fixtures for partnership specifications (this library's and other libraries' tests): command
 * metadata with a fixed clock, a history builder that stamps events the way the store does
 * (eventId, occurredAt, recordedAt), a formalized partnership with members of every role, a
 * workstream brought to any phase, a miniature command pipeline, and the two seed paths of DOMAIN.md.
 */
import { fold } from '../shared/decider';
import { DomainError } from '../shared/domain-error';
import type { Phase } from '../shared/vocabulary';
import type {
  CommandMetadata,
  PartnershipCommand,
  PartnershipCommandDataMap,
  PartnershipCommandOf,
  PartnershipCommandType,
} from '../partnership/partnership.commands';
import type {
  PartnershipEvent,
  PartnershipEventDataMap,
  PartnershipEventOf,
  PartnershipEventType,
} from '../partnership/partnership.events';
import { partnershipDecider } from '../partnership/partnership.decider';
import { addDays as shiftDate } from '../partnership/partnership.rules';
import type { PartnershipState } from '../partnership/partnership.state';

// --- ids -------------------------------------------------------------------------------------------

export const PARTNERSHIP_ID = 'rpp-1';
/** The recording clock of fixture commands: after every fixture history. */
export const NOW = '2025-06-02T12:00:00.000Z';
export const TODAY = '2025-06-02';

export const ORG = {
  district: 'org-district',
  schoolA: 'org-school-a',
  schoolB: 'org-school-b',
  county: 'org-county',
  research: 'org-research',
  community: 'org-community',
  funder: 'org-funder',
} as const;

/** Participants of every role (brokering is a second hat of a district practitioner). */
export const P = {
  researcher: 'p-researcher',
  coordinator: 'p-coordinator',
  practitioner: 'p-practitioner',
  teacher: 'p-teacher',
  broker: 'p-broker',
  community: 'p-community',
  family: 'p-family',
  student: 'p-student',
  funder: 'p-funder',
  countyStaff: 'p-county-staff',
} as const;

export const AGREEMENT_REF = 'MOU-2024-01';
export const DSA_ID = 'dsa-1';

/** The ids a fixture workstream uses for the things recorded in it. */
export function workstreamIds(workstreamId: string) {
  return {
    workstreamId,
    problemId: `${workstreamId}-problem`,
    agendaId: `${workstreamId}-agenda`,
    questionIds: [`${workstreamId}-q1`, `${workstreamId}-q2`] as const,
    reviewId: `${workstreamId}-review`,
    toolId: `${workstreamId}-tool`,
    pilotId: `${workstreamId}-pilot`,
    inputId: `${workstreamId}-input`,
    studyId: `${workstreamId}-study`,
    transferId: `${workstreamId}-transfer`,
    findingsId: `${workstreamId}-findings`,
    useId: `${workstreamId}-use`,
  };
}

// --- commands --------------------------------------------------------------------------------------

export function metadata(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return {
    now: NOW,
    occurredAt: overrides.now ?? NOW,
    eventIds: ['evt-new-1', 'evt-new-2'],
    partnershipId: PARTNERSHIP_ID,
    actor: { apiKeyId: 'key-test' },
    ...overrides,
  };
}

/** A typed command with fixture metadata. */
export function command<T extends PartnershipCommandType>(
  type: T,
  data: PartnershipCommandDataMap[T],
  metadataOverrides: Partial<CommandMetadata> = {},
): PartnershipCommandOf<T> {
  return { type, data, metadata: metadata(metadataOverrides) } as PartnershipCommandOf<T>;
}

/** A decided (not yet recorded) event: `{type, data}` without metadata, as `decide` returns it. */
export function event<T extends PartnershipEventType>(
  type: T,
  data: PartnershipEventDataMap[T],
): PartnershipEventOf<T> {
  return { type, data } as PartnershipEventOf<T>;
}

// --- histories -------------------------------------------------------------------------------------

const PHASE_STEPS = [
  'problem_framing',
  'evidence_review',
  'co_design',
  'pilot',
  'input_revision',
  'formal_study',
  'joint_interpretation',
  'use_dissemination',
  'concluded',
] as const satisfies readonly Phase[];

/**
 * Builds event histories stamped as the store would: each event one day after the previous one
 * (from `startDate`), with ids `h-001`, `h-002`, … . Methods append canonical fixture facts.
 */
export class PartnershipHistory {
  private readonly recorded: PartnershipEvent[] = [];

  constructor(private readonly startDate = '2024-01-01') {}

  get events(): PartnershipEvent[] {
    return [...this.recorded];
  }

  /** The id the next appended event will get. */
  get nextEventId(): string {
    return `h-${String(this.recorded.length + 1).padStart(3, '0')}`;
  }

  /** The date (`YYYY-MM-DD`) the next appended event will carry. */
  get nextDate(): string {
    return shiftDate(this.startDate, this.recorded.length);
  }

  get lastEventId(): string | undefined {
    return this.recorded.at(-1)?.metadata?.eventId;
  }

  state(): PartnershipState {
    return fold(partnershipDecider, this.recorded);
  }

  add<T extends PartnershipEventType>(type: T, data: PartnershipEventDataMap[T]): this {
    const occurredAt = `${this.nextDate}T09:00:00.000Z`;
    this.recorded.push({
      type,
      data,
      metadata: { eventId: this.nextEventId, occurredAt, recordedAt: occurredAt },
    } as PartnershipEvent);
    return this;
  }

  /** Appends events as recorded (keeps their own metadata when they carry some). */
  append(...events: PartnershipEvent[]): this {
    for (const e of events) {
      if (e.metadata) this.recorded.push(e);
      else this.add(e.type, e.data as never);
    }
    return this;
  }

  proposed(overrides: Partial<PartnershipEventDataMap['PartnershipProposed']> = {}): this {
    return this.add('PartnershipProposed', {
      partnershipId: PARTNERSHIP_ID,
      name: 'Valley Literacy Partnership',
      initiationMode: 'agency',
      focus: 'early literacy',
      types: ['design_research_partnership'],
      ...overrides,
    });
  }

  /** Organizations on every side and participants of every role. */
  members(): this {
    return this.add('OrganizationJoined', {
      organizationId: ORG.district,
      name: 'Valley Unified School District',
      orgType: 'school_district',
      side: 'practice',
    })
      .add('OrganizationJoined', {
        organizationId: ORG.schoolA,
        name: 'Lincoln Elementary',
        orgType: 'school',
        side: 'practice',
        parentOrganizationId: ORG.district,
      })
      .add('OrganizationJoined', {
        organizationId: ORG.schoolB,
        name: 'Jefferson Elementary',
        orgType: 'school',
        side: 'practice',
        parentOrganizationId: ORG.district,
      })
      .add('OrganizationJoined', {
        organizationId: ORG.county,
        name: 'Valley County Office of Education',
        orgType: 'county_office',
        side: 'practice',
      })
      .add('OrganizationJoined', {
        organizationId: ORG.research,
        name: 'Regional Education Lab',
        orgType: 'research_organization',
        side: 'research',
      })
      .add('OrganizationJoined', {
        organizationId: ORG.community,
        name: 'Valley Families United',
        orgType: 'community_organization',
        side: 'community',
      })
      .add('OrganizationJoined', {
        organizationId: ORG.funder,
        name: 'Valley Foundation',
        orgType: 'funder',
        side: 'funder',
      })
      .add('ParticipantJoined', {
        participantId: P.researcher,
        organizationId: ORG.research,
        roles: ['researcher'],
        personId: 'person-1',
      })
      .add('ParticipantJoined', { participantId: P.coordinator, organizationId: ORG.research, roles: ['coordinator'] })
      .add('ParticipantJoined', {
        participantId: P.practitioner,
        organizationId: ORG.district,
        roles: ['practitioner'],
      })
      .add('ParticipantJoined', { participantId: P.teacher, organizationId: ORG.schoolA, roles: ['practitioner'] })
      .add('ParticipantJoined', {
        participantId: P.broker,
        organizationId: ORG.district,
        roles: ['practitioner', 'broker'],
      })
      .add('ParticipantJoined', {
        participantId: P.community,
        organizationId: ORG.community,
        roles: ['community_member'],
      })
      .add('ParticipantJoined', { participantId: P.family, organizationId: ORG.community, roles: ['family_member'] })
      .add('ParticipantJoined', { participantId: P.student, organizationId: ORG.schoolA, roles: ['student_youth'] })
      .add('ParticipantJoined', { participantId: P.funder, organizationId: ORG.funder, roles: ['funder_rep'] })
      .add('ParticipantJoined', { participantId: P.countyStaff, organizationId: ORG.county, roles: ['practitioner'] });
  }

  formalized(overrides: Partial<PartnershipEventDataMap['PartnershipFormalized']> = {}): this {
    return this.add('PartnershipFormalized', {
      agreementRef: AGREEMENT_REF,
      partyOrganizationIds: [ORG.district, ORG.research, ORG.community],
      coLeadParticipantIds: [P.researcher, P.practitioner],
      effectiveFrom: '2024-01-15',
      termEnd: '2027-06-30',
      ...overrides,
    });
  }

  dsa(overrides: Partial<PartnershipEventDataMap['DataSharingAgreementExecuted']> = {}): this {
    return this.add('DataSharingAgreementExecuted', {
      dsaId: DSA_ID,
      providerOrganizationId: ORG.district,
      recipientOrganizationIds: [ORG.research],
      legalBasis: 'ferpa_studies_exception',
      purpose: 'Evaluate the reading-routines tool',
      dataCategories: ['attendance', 'assessment_scores'],
      piiIncluded: true,
      effectiveFrom: '2024-01-01',
      expiresOn: '2026-12-31',
      destructionPeriodDays: 90,
      noSurprisesReviewDays: 45,
      ...overrides,
    });
  }

  status(
    toStatus: 'active' | 'paused' | 'transitioning',
    fromStatus: PartnershipEventDataMap['PartnershipStatusChanged']['fromStatus'],
  ): this {
    return this.add('PartnershipStatusChanged', { fromStatus, toStatus, reason: `fixture: ${toStatus}` });
  }

  private hasDsa(dsaId: string): boolean {
    return this.recorded.some((e) => e.type === 'DataSharingAgreementExecuted' && e.data.dsaId === dsaId);
  }

  private transition(workstreamId: string, fromPhase: Phase, toPhase: Phase, triggerEventId: string | undefined): this {
    return this.add('PhaseTransitioned', {
      workstreamId,
      fromPhase,
      toPhase,
      direction: 'forward',
      ...(triggerEventId === undefined ? {} : { triggerEventId }),
    });
  }

  /**
   * Opens workstream `workstreamId` and records the tool path up to `phase` (see `workstreamIds`
   * for the ids): problem, agenda, review, tool v1, pilot at school A (started, concluded), input
   * and tool v2, a study using student records under `dsa-1` (added when missing), data received,
   * findings shared, interpreted, reviewed, disseminated and used, and concluded.
   */
  workstreamAt(phase: Phase, workstreamId = 'ws-1'): this {
    const ids = workstreamIds(workstreamId);
    const upTo = PHASE_STEPS.indexOf(phase as (typeof PHASE_STEPS)[number]);
    const reached = (p: Phase) => PHASE_STEPS.indexOf(p as (typeof PHASE_STEPS)[number]) <= upTo;

    this.add('WorkstreamOpened', {
      workstreamId,
      title: `Reading routines (${workstreamId})`,
      leadParticipantIds: [P.researcher, P.practitioner],
    }).add('ProblemOfPracticeDefined', {
      workstreamId,
      problemId: ids.problemId,
      statement: 'Third graders lose reading fluency over long breaks',
      proposedByParticipantIds: [P.teacher, P.practitioner],
      intendedUse: 'Decide which routines schools adopt',
    });
    if (!reached('evidence_review')) return this;

    let gate = this.nextEventId;
    this.add('ResearchAgendaAgreed', {
      workstreamId,
      agendaId: ids.agendaId,
      researchQuestions: [
        { questionId: ids.questionIds[0], text: 'Which routines sustain fluency?' },
        { questionId: ids.questionIds[1], text: 'How do teachers adapt them?' },
      ],
      agreedByParticipantIds: [P.researcher, P.practitioner],
    }).transition(workstreamId, 'problem_framing', 'evidence_review', gate);
    if (!reached('co_design')) return this;

    this.add('EvidenceReviewed', {
      workstreamId,
      reviewId: ids.reviewId,
      sources: ['What Works Clearinghouse practice guide'],
      evidenceTypes: ['research_literature', 'practitioner_knowledge'],
      contributorParticipantIds: [P.researcher, P.teacher],
    });
    gate = this.nextEventId;
    this.add('ToolCoDeveloped', {
      workstreamId,
      toolId: ids.toolId,
      name: 'Reading routines guide',
      purpose: 'Structure daily fluency practice',
      coDesignerParticipantIds: [P.researcher, P.teacher],
      version: 1,
    }).transition(workstreamId, 'evidence_review', 'co_design', gate);
    if (!reached('pilot')) return this;

    gate = this.nextEventId;
    this.add('PilotApproved', {
      workstreamId,
      pilotId: ids.pilotId,
      toolId: ids.toolId,
      toolVersion: 1,
      siteOrganizationIds: [ORG.schoolA],
      approvals: [
        { organizationId: ORG.schoolA, kind: 'school_site_letter', ref: 'LTR-1' },
        { organizationId: ORG.district, kind: 'district_research_office', ref: 'DRO-1' },
      ],
      consentBasis: 'parental_permission_passive',
      plannedStart: '2024-03-01',
      plannedEnd: '2024-05-31',
    }).transition(workstreamId, 'co_design', 'pilot', gate);
    if (!reached('input_revision')) return this;

    this.add('PilotStarted', {
      workstreamId,
      pilotId: ids.pilotId,
      startedOn: this.nextDate,
      siteOrganizationIds: [ORG.schoolA],
    });
    gate = this.nextEventId;
    this.add('PilotConcluded', { workstreamId, pilotId: ids.pilotId, endedOn: this.nextDate, outcome: 'completed' })
      .transition(workstreamId, 'pilot', 'input_revision', gate)
      .add('StakeholderInputGathered', {
        workstreamId,
        inputId: ids.inputId,
        toolId: ids.toolId,
        toolVersion: 1,
        method: 'survey',
        respondentCounts: { practitioner: 24, county_office: 3 },
      })
      .add('ToolRevised', {
        workstreamId,
        toolId: ids.toolId,
        answersInputIds: [ids.inputId],
        changeSummary: 'Shorter routines',
        revisedWithParticipantIds: [P.researcher, P.practitioner],
        fromVersion: 1,
        version: 2,
      });
    if (!reached('formal_study')) return this;

    if (!this.hasDsa(DSA_ID)) this.dsa();
    gate = this.nextEventId;
    this.add('FormalStudyApproved', {
      workstreamId,
      studyId: ids.studyId,
      questionIds: [ids.questionIds[0]],
      design: 'quasi-experimental',
      siteOrganizationIds: [ORG.schoolA, ORG.schoolB],
      approvals: [{ organizationId: ORG.district, kind: 'district_research_office', ref: 'DRO-2' }],
      usesStudentRecords: true,
      dsaIds: [DSA_ID],
      ethicsRef: 'IRB-2024-17',
    }).transition(workstreamId, 'input_revision', 'formal_study', gate);
    if (!reached('joint_interpretation')) return this;

    this.add('FormalStudyStarted', { workstreamId, studyId: ids.studyId, startedOn: this.nextDate }).add(
      'DataReceivedUnderAgreement',
      {
        workstreamId,
        transferId: ids.transferId,
        dsaId: DSA_ID,
        dataCategories: ['assessment_scores'],
        piiIncluded: true,
        receivedOn: this.nextDate,
      },
    );
    gate = this.nextEventId;
    this.add('PreliminaryFindingsShared', {
      workstreamId,
      findingsId: ids.findingsId,
      sourceId: ids.studyId,
      sharedWithOrganizationIds: [ORG.district],
      sharedOn: this.nextDate,
    }).transition(workstreamId, 'formal_study', 'joint_interpretation', gate);
    if (!reached('use_dissemination')) return this;

    gate = this.nextEventId;
    this.add('FindingsJointlyInterpreted', {
      workstreamId,
      findingsId: ids.findingsId,
      sessionOn: this.nextDate,
      attendeeParticipantIds: [P.researcher, P.practitioner, P.teacher],
      followUpQuestions: ['Does the effect last into fourth grade?'],
      agreedImplications: ['Adopt the shorter routines district-wide'],
    }).transition(workstreamId, 'joint_interpretation', 'use_dissemination', gate);
    if (!reached('concluded')) return this;

    this.add('FindingsReviewedByPracticePartner', {
      workstreamId,
      findingsId: ids.findingsId,
      reviewerOrganizationId: ORG.district,
      outcome: 'cleared',
      reviewedOn: this.nextDate,
    })
      .add('FindingsDisseminated', {
        workstreamId,
        findingsId: ids.findingsId,
        artifactKind: 'brief',
        audience: 'public',
        releasedOn: this.nextDate,
      })
      .add('ResearchUseRecorded', {
        workstreamId,
        useId: ids.useId,
        decisionSummary: 'District adopts the routines in all elementary schools',
        decisionLevel: 'district',
        decidingOrganizationId: ORG.district,
        evidenceIds: [ids.findingsId, ids.toolId],
      })
      .add('PhaseTransitioned', {
        workstreamId,
        fromPhase: 'use_dissemination',
        toPhase: 'concluded',
        direction: 'forward',
        reason: 'Findings used and shared',
      });
    return this;
  }
}

export const history = (startDate?: string): PartnershipHistory => new PartnershipHistory(startDate);

/** Proposed, with organizations on every side and participants of every role, not yet formalized. */
export const exploringPartnership = (): PartnershipHistory => history().proposed().members();

/** Proposed, members of every role, formalized (status `active`). */
export const formalizedPartnership = (): PartnershipHistory => exploringPartnership().formalized();

// --- a miniature command pipeline ------------------------------------------------------------------

/** A command to run through `runCommands`: type, data, and the day it happened. */
export type PlannedCommand = {
  [T in PartnershipCommandType]: {
    type: T;
    data: PartnershipCommandDataMap[T];
    /** `YYYY-MM-DD`: the command occurs and is recorded at 10:00 UTC that day. */
    on: string;
    actorParticipantId?: string;
  };
}[PartnershipCommandType];

export const plan = <T extends PartnershipCommandType>(
  on: string,
  type: T,
  data: PartnershipCommandDataMap[T],
): PlannedCommand => ({ type, data, on }) as PlannedCommand;

/**
 * Runs commands as the command pipeline does (fold → decide → record), giving the i-th event of a
 * command the id `metadata.eventIds[i]`. Throws, naming the command, when one is refused.
 */
export function runCommands(
  commands: readonly PlannedCommand[],
  given: readonly PartnershipEvent[] = [],
): { events: PartnershipEvent[]; state: PartnershipState } {
  const events = [...given];
  let state = fold(partnershipDecider, events);
  commands.forEach((planned, index) => {
    const at = `${planned.on}T10:00:00.000Z`;
    const eventIds = [0, 1, 2].map((j) => `run-${String(index + 1).padStart(3, '0')}-${j + 1}`);
    const cmd = {
      type: planned.type,
      data: planned.data,
      metadata: {
        now: at,
        occurredAt: at,
        eventIds,
        partnershipId: PARTNERSHIP_ID,
        actor: {
          apiKeyId: 'key-test',
          ...(planned.actorParticipantId ? { participantId: planned.actorParticipantId } : {}),
        },
      },
    } as PartnershipCommand;
    let decided: PartnershipEvent[];
    try {
      decided = partnershipDecider.decide(cmd, state);
    } catch (error) {
      const detail = DomainError.is(error) ? `${error.code}: ${error.message}` : String(error);
      throw new Error(`Command #${index + 1} ${planned.type} was refused: ${detail}`);
    }
    decided.forEach((e, i) => {
      const stamped = { ...e, metadata: { eventId: eventIds[i], occurredAt: at, recordedAt: at } } as PartnershipEvent;
      events.push(stamped);
      state = partnershipDecider.evolve(state, stamped);
    });
  });
  return { events, state };
}

// --- the two seed paths (DOMAIN.md, research §1.5) -------------------------------------------------

export const TOOL_PATH = {
  district: 'org-valley-usd',
  research: 'org-westlab',
  county: 'org-valley-coe',
  schools: ['org-oak-es', 'org-pine-es', 'org-elm-es'],
  workstreamId: 'ws-routines',
  dsaId: 'dsa-valley-2024',
} as const;

/**
 * The tool path: proposed by a district with a research organization; a problem surfaced by
 * educators; agenda; evidence review; tool co-developed; pilot approved and run in a few schools;
 * input from county staff, district and school administrators and teachers; tool revised with the
 * district; formal study approved and started; findings shared and interpreted jointly; research use.
 */
export function seedToolPath(): PlannedCommand[] {
  const { district, research, county, schools, workstreamId: ws, dsaId } = TOOL_PATH;
  return [
    plan('2024-01-08', 'ProposePartnership', {
      name: 'Valley–WestLab partnership',
      initiationMode: 'agency',
      focus: 'a years-long issue educators raised about student engagement',
      types: ['design_research_partnership'],
    }),
    plan('2024-01-08', 'JoinOrganization', {
      organizationId: district,
      name: 'Valley USD',
      orgType: 'school_district',
      side: 'practice',
    }),
    plan('2024-01-09', 'JoinOrganization', {
      organizationId: research,
      name: 'WestLab',
      orgType: 'research_organization',
      side: 'research',
    }),
    plan('2024-01-09', 'JoinOrganization', {
      organizationId: county,
      name: 'Valley County Office',
      orgType: 'county_office',
      side: 'practice',
    }),
    ...schools.map((organizationId, i) =>
      plan('2024-01-10', 'JoinOrganization', {
        organizationId,
        name: `School ${i + 1}`,
        orgType: 'school',
        side: 'practice',
        parentOrganizationId: district,
      }),
    ),
    plan('2024-01-10', 'JoinParticipant', {
      participantId: 'p-dist-lead',
      organizationId: district,
      roles: ['practitioner'],
    }),
    plan('2024-01-10', 'JoinParticipant', {
      participantId: 'p-dist-broker',
      organizationId: district,
      roles: ['practitioner', 'broker'],
    }),
    plan('2024-01-10', 'JoinParticipant', {
      participantId: 'p-lab-lead',
      organizationId: research,
      roles: ['researcher'],
    }),
    plan('2024-01-10', 'JoinParticipant', {
      participantId: 'p-lab-analyst',
      organizationId: research,
      roles: ['researcher'],
    }),
    plan('2024-01-11', 'JoinParticipant', {
      participantId: 'p-teacher-oak',
      organizationId: schools[0],
      roles: ['practitioner'],
    }),
    plan('2024-01-11', 'JoinParticipant', {
      participantId: 'p-principal-pine',
      organizationId: schools[1],
      roles: ['practitioner'],
    }),
    plan('2024-01-11', 'JoinParticipant', {
      participantId: 'p-county-staff',
      organizationId: county,
      roles: ['practitioner'],
    }),
    plan('2024-02-01', 'FormalizePartnership', {
      agreementRef: 'MOU-VALLEY-2024',
      partyOrganizationIds: [district, research],
      coLeadParticipantIds: ['p-dist-lead', 'p-lab-lead'],
      effectiveFrom: '2024-02-01',
      termEnd: '2027-01-31',
    }),
    plan('2024-02-05', 'OpenWorkstream', {
      workstreamId: ws,
      title: 'Engagement routines',
      leadParticipantIds: ['p-dist-lead', 'p-lab-lead'],
    }),
    plan('2024-02-06', 'DefineProblemOfPractice', {
      workstreamId: ws,
      problemId: 'prob-engagement',
      statement: 'Educators report a years-long decline in engagement in the middle grades',
      proposedByParticipantIds: ['p-teacher-oak', 'p-dist-lead'],
      intendedUse: 'Decide which engagement routines to support',
    }),
    plan('2024-02-20', 'AgreeResearchAgenda', {
      workstreamId: ws,
      agendaId: 'agenda-engagement',
      researchQuestions: [
        { questionId: 'rq-routines', text: 'Which routines raise engagement?' },
        { questionId: 'rq-context', text: 'How does it vary by school?' },
      ],
      agreedByParticipantIds: ['p-lab-lead', 'p-dist-lead'],
    }),
    plan('2024-03-15', 'RecordEvidenceReview', {
      workstreamId: ws,
      reviewId: 'review-engagement',
      sources: ['engagement literature synthesis'],
      evidenceTypes: ['research_literature', 'practitioner_knowledge'],
      contributorParticipantIds: ['p-lab-analyst', 'p-teacher-oak'],
    }),
    plan('2024-04-10', 'CoDevelopTool', {
      workstreamId: ws,
      toolId: 'tool-routines',
      name: 'Engagement routines toolkit',
      purpose: 'Daily routines that invite participation',
      coDesignerParticipantIds: ['p-lab-lead', 'p-teacher-oak'],
    }),
    plan('2024-08-01', 'ApprovePilot', {
      workstreamId: ws,
      pilotId: 'pilot-fall',
      toolId: 'tool-routines',
      toolVersion: 1,
      siteOrganizationIds: [schools[0], schools[1]],
      approvals: [
        { organizationId: schools[0], kind: 'school_site_letter', ref: 'OAK-1' },
        { organizationId: schools[1], kind: 'school_site_letter', ref: 'PINE-1' },
        { organizationId: district, kind: 'district_research_office', ref: 'DRO-24-3' },
      ],
      consentBasis: 'staff_consent_only',
      plannedStart: '2024-09-01',
      plannedEnd: '2024-12-15',
    }),
    plan('2024-09-03', 'StartPilot', {
      workstreamId: ws,
      pilotId: 'pilot-fall',
      startedOn: '2024-09-03',
      siteOrganizationIds: [schools[0], schools[1]],
    }),
    plan('2024-12-16', 'ConcludePilot', {
      workstreamId: ws,
      pilotId: 'pilot-fall',
      endedOn: '2024-12-13',
      outcome: 'completed',
    }),
    plan('2025-01-15', 'RecordStakeholderInput', {
      workstreamId: ws,
      inputId: 'input-winter',
      toolId: 'tool-routines',
      toolVersion: 1,
      method: 'survey',
      respondentCounts: { county_office: 6, school_district: 4, school: 9, practitioner: 38 },
      convenedByParticipantId: 'p-dist-broker',
    }),
    plan('2025-02-10', 'ReviseTool', {
      workstreamId: ws,
      toolId: 'tool-routines',
      answersInputIds: ['input-winter'],
      changeSummary: 'Fewer, shorter routines; a county coaching guide',
      revisedWithParticipantIds: ['p-lab-lead', 'p-dist-lead'],
    }),
    plan('2025-02-12', 'ExecuteDataSharingAgreement', {
      dsaId,
      providerOrganizationId: district,
      recipientOrganizationIds: [research],
      legalBasis: 'ferpa_studies_exception',
      purpose: 'Evaluate whether the routines toolkit works in practice',
      dataCategories: ['attendance', 'engagement_survey'],
      piiIncluded: true,
      effectiveFrom: '2025-03-01',
      expiresOn: '2027-02-28',
      destructionPeriodDays: 60,
    }),
    plan('2025-02-20', 'ApproveFormalStudy', {
      workstreamId: ws,
      studyId: 'study-routines',
      questionIds: ['rq-routines', 'rq-context'],
      design: 'quasi-experimental',
      siteOrganizationIds: [...schools],
      approvals: [
        { organizationId: district, kind: 'district_research_office', ref: 'DRO-25-1' },
        { organizationId: research, kind: 'irb_determination', ref: 'IRB-25-004' },
      ],
      usesStudentRecords: true,
      dsaIds: [dsaId],
      ethicsRef: 'IRB-25-004',
    }),
    plan('2025-03-03', 'StartFormalStudy', { workstreamId: ws, studyId: 'study-routines', startedOn: '2025-03-03' }),
    plan('2025-04-01', 'RecordDataReceived', {
      workstreamId: ws,
      transferId: 'xfer-1',
      dsaId,
      dataCategories: ['attendance'],
      piiIncluded: true,
      receivedOn: '2025-04-01',
      recipientOrganizationId: research,
    }),
    plan('2025-06-10', 'SharePreliminaryFindings', {
      workstreamId: ws,
      findingsId: 'findings-routines',
      sourceId: 'study-routines',
      sharedWithOrganizationIds: [district],
    }),
    plan('2025-06-24', 'InterpretFindingsJointly', {
      workstreamId: ws,
      findingsId: 'findings-routines',
      sessionOn: '2025-06-24',
      attendeeParticipantIds: ['p-lab-lead', 'p-dist-lead', 'p-teacher-oak', 'p-principal-pine'],
      followUpQuestions: ['Does it hold in the third school?'],
      agreedImplications: ['Scale the toolkit to all middle grades'],
    }),
    plan('2025-08-01', 'RecordResearchUse', {
      workstreamId: ws,
      useId: 'use-scale',
      decisionSummary: 'District funds the toolkit in every middle-grade classroom',
      decisionLevel: 'district',
      decidingOrganizationId: district,
      evidenceIds: ['findings-routines', 'tool-routines'],
    }),
  ];
}

export const STATE_PATH = {
  sea: 'org-sea',
  urbanLea: 'org-lea-metro',
  ruralLea: 'org-lea-plains',
  research: 'org-state-univ',
  workstreamId: 'ws-retention',
  dsaId: 'dsa-retention',
} as const;

/**
 * The state-agency path: an SEA tasked by its legislature with teacher retention, LEAs and a
 * research organization; problem from the SEA; input from LEAs the SEA convened; agenda; evidence
 * review of local retention data; straight to a formal study (evidence_review → formal_study); the
 * SEA also brokers.
 */
export function seedStateAgencyPath(): PlannedCommand[] {
  const { sea, urbanLea, ruralLea, research, workstreamId: ws, dsaId } = STATE_PATH;
  return [
    plan('2024-03-01', 'ProposePartnership', {
      name: 'Statewide teacher retention alliance',
      initiationMode: 'agency',
      focus: 'teacher retention, as tasked by the state legislature',
      types: ['research_alliance'],
    }),
    plan('2024-03-01', 'JoinOrganization', {
      organizationId: sea,
      name: 'State Department of Education',
      orgType: 'SEA',
      side: 'practice',
    }),
    plan('2024-03-02', 'JoinOrganization', {
      organizationId: urbanLea,
      name: 'Metro LEA',
      orgType: 'LEA',
      side: 'practice',
      parentOrganizationId: sea,
    }),
    plan('2024-03-02', 'JoinOrganization', {
      organizationId: ruralLea,
      name: 'Plains LEA',
      orgType: 'LEA',
      side: 'practice',
      parentOrganizationId: sea,
    }),
    plan('2024-03-02', 'JoinOrganization', {
      organizationId: research,
      name: 'State University',
      orgType: 'research_organization',
      side: 'research',
    }),
    plan('2024-03-03', 'JoinParticipant', {
      participantId: 'p-sea-director',
      organizationId: sea,
      roles: ['practitioner', 'broker'],
    }),
    plan('2024-03-03', 'JoinParticipant', {
      participantId: 'p-metro-hr',
      organizationId: urbanLea,
      roles: ['practitioner'],
    }),
    plan('2024-03-03', 'JoinParticipant', {
      participantId: 'p-plains-supt',
      organizationId: ruralLea,
      roles: ['practitioner'],
    }),
    plan('2024-03-03', 'JoinParticipant', {
      participantId: 'p-univ-pi',
      organizationId: research,
      roles: ['researcher'],
    }),
    plan('2024-04-01', 'FormalizePartnership', {
      agreementRef: 'MOU-RETENTION',
      partyOrganizationIds: [sea, urbanLea, ruralLea, research],
      coLeadParticipantIds: ['p-sea-director', 'p-univ-pi'],
      effectiveFrom: '2024-04-01',
    }),
    plan('2024-04-02', 'OpenWorkstream', {
      workstreamId: ws,
      title: 'Teacher retention strategies',
      leadParticipantIds: ['p-sea-director', 'p-univ-pi'],
    }),
    plan('2024-04-03', 'DefineProblemOfPractice', {
      workstreamId: ws,
      problemId: 'prob-retention',
      statement: 'The legislature tasked the SEA with addressing teacher retention',
      proposedByParticipantIds: ['p-sea-director'],
      intendedUse: 'Recommend state retention strategies to the legislature',
    }),
    plan('2024-04-20', 'RecordStakeholderInput', {
      workstreamId: ws,
      inputId: 'input-lea-convening',
      method: 'convening',
      respondentCounts: { LEA: 14, practitioner: 31 },
      convenedByParticipantId: 'p-sea-director',
    }),
    plan('2024-04-20', 'RecordBrokeringActivity', {
      brokerParticipantId: 'p-sea-director',
      fromOrganizationId: sea,
      toOrganizationId: urbanLea,
      activityKind: 'convene',
      workstreamId: ws,
    }),
    plan('2024-05-01', 'AgreeResearchAgenda', {
      workstreamId: ws,
      agendaId: 'agenda-retention',
      researchQuestions: [
        { questionId: 'rq-strategies', text: 'Which strategies retain teachers in urban and rural contexts?' },
      ],
      agreedByParticipantIds: ['p-univ-pi', 'p-sea-director', 'p-plains-supt'],
    }),
    plan('2024-05-20', 'RecordEvidenceReview', {
      workstreamId: ws,
      reviewId: 'review-local-retention',
      sources: ['state educator workforce data 2015–2023'],
      evidenceTypes: ['local_data', 'practitioner_knowledge'],
      contributorParticipantIds: ['p-univ-pi', 'p-metro-hr', 'p-plains-supt'],
    }),
    plan('2024-06-01', 'ExecuteDataSharingAgreement', {
      dsaId,
      providerOrganizationId: sea,
      recipientOrganizationIds: [research],
      legalBasis: 'state_law_other',
      purpose: 'Study retention strategies',
      dataCategories: ['educator_employment'],
      piiIncluded: true,
      effectiveFrom: '2024-06-01',
      expiresOn: '2026-05-31',
      destructionPeriodDays: 30,
      noSurprisesReviewDays: 21,
    }),
    plan('2024-06-15', 'ApproveFormalStudy', {
      workstreamId: ws,
      studyId: 'study-retention',
      questionIds: ['rq-strategies'],
      design: 'mixed methods',
      siteOrganizationIds: [urbanLea, ruralLea],
      approvals: [{ organizationId: sea, kind: 'sea', ref: 'SEA-RES-2024-9' }],
      usesStudentRecords: false,
      dsaIds: [dsaId],
    }),
    plan('2024-08-01', 'StartFormalStudy', { workstreamId: ws, studyId: 'study-retention', startedOn: '2024-08-01' }),
    plan('2024-09-10', 'RecordBrokeringActivity', {
      brokerParticipantId: 'p-sea-director',
      fromOrganizationId: sea,
      toOrganizationId: ruralLea,
      activityKind: 'share_strategies',
      workstreamId: ws,
    }),
  ];
}
