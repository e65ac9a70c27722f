/**
 * The two worked examples of the seed documents, as command sequences with realistic dates
 * (back-dated with occurredAt). Used by the end-to-end tests; reusable by the demo and benchmarks.
 *
 * Tool path (WestEd Q&A): a district and a research organization; a problem surfaced by educators;
 * evidence reviewed together; a tool co-developed and piloted in a few interested schools; input from
 * county staff, district and school administrators and teachers; the tool revised with the district;
 * a formal study; findings interpreted jointly; research use recorded.
 *
 * State-agency path: an SEA tasked by the legislature with teacher retention convenes LEAs, hears
 * local perspectives, looks at local retention data and moves straight into a study — no tool, no
 * pilot — while acting as a broker.
 */
type Step = readonly [type: string, data: Record<string, unknown>, occurredAt: string];

export interface Scenario {
  readonly proposal: Record<string, unknown>;
  readonly steps: readonly Step[];
  /** The forward phase moves the scenario produces, in order. */
  readonly expectedPhases: readonly string[];
  readonly workstreamId: string;
}

const at = (date: string) => `${date}T15:00:00Z`;

export const TOOL_PATH: Scenario = {
  workstreamId: 'ws-attendance-tool',
  proposal: {
    name: 'Riverside Attendance Partnership',
    initiationMode: 'agency',
    focus: 'Chronic absence in middle schools, surfaced by educators over several years',
    types: ['design_research_partnership'],
    occurredAt: at('2024-08-20'),
  },
  expectedPhases: ['evidence_review', 'co_design', 'pilot', 'input_revision', 'formal_study', 'joint_interpretation', 'use_dissemination'],
  steps: [
    ['JoinOrganization', { organizationId: 'riverside-usd', name: 'Riverside Unified School District', orgType: 'school_district', side: 'practice' }, at('2024-08-20')],
    ['JoinOrganization', { organizationId: 'westlab', name: 'West Regional Research Lab', orgType: 'research_organization', side: 'research' }, at('2024-08-20')],
    ['JoinOrganization', { organizationId: 'river-county', name: 'River County Office of Education', orgType: 'county_office', side: 'practice' }, at('2024-09-02')],
    ['JoinOrganization', { organizationId: 'lincoln-ms', name: 'Lincoln Middle School', orgType: 'school', side: 'practice', parentOrganizationId: 'riverside-usd' }, at('2024-09-02')],
    ['JoinOrganization', { organizationId: 'cesar-chavez-ms', name: 'Cesar Chavez Middle School', orgType: 'school', side: 'practice', parentOrganizationId: 'riverside-usd' }, at('2024-09-02')],
    ['JoinOrganization', { organizationId: 'oak-grove-ms', name: 'Oak Grove Middle School', orgType: 'school', side: 'practice', parentOrganizationId: 'riverside-usd' }, at('2024-09-02')],
    ['JoinParticipant', { participantId: 'p-district-lead', organizationId: 'riverside-usd', roles: ['practitioner', 'coordinator'] }, at('2024-08-20')],
    ['JoinParticipant', { participantId: 'p-researcher', organizationId: 'westlab', roles: ['researcher'] }, at('2024-08-20')],
    ['JoinParticipant', { participantId: 'p-research-broker', organizationId: 'westlab', roles: ['researcher', 'broker'] }, at('2024-08-20')],
    ['JoinParticipant', { participantId: 'p-county-staff', organizationId: 'river-county', roles: ['practitioner', 'broker'] }, at('2024-09-02')],
    ['JoinParticipant', { participantId: 'p-teacher-lincoln', organizationId: 'lincoln-ms', roles: ['practitioner'] }, at('2024-09-02')],
    ['JoinParticipant', { participantId: 'p-principal-chavez', organizationId: 'cesar-chavez-ms', roles: ['practitioner'] }, at('2024-09-02')],
    ['FormalizePartnership', { agreementRef: 'MOU-RUSD-WRRL-2024', partyOrganizationIds: ['riverside-usd', 'westlab'], coLeadParticipantIds: ['p-district-lead', 'p-researcher'], effectiveFrom: '2024-10-01', termEnd: '2027-09-30' }, at('2024-10-01')],
    ['OpenWorkstream', { workstreamId: 'ws-attendance-tool', title: 'Attendance supports tool', leadParticipantIds: ['p-district-lead', 'p-researcher'] }, at('2024-10-08')],
    ['DefineProblemOfPractice', { workstreamId: 'ws-attendance-tool', problemId: 'pop-chronic-absence', statement: 'Educators report that chronic absence in grades 6–8 has persisted for years despite outreach.', proposedByParticipantIds: ['p-teacher-lincoln', 'p-district-lead'], intendedUse: 'Decide which attendance supports the district funds next year' }, at('2024-10-08')],
    ['AgreeResearchAgenda', { workstreamId: 'ws-attendance-tool', agendaId: 'agenda-2024', researchQuestions: [{ questionId: 'q-drivers', text: 'What drives chronic absence in our middle schools?' }, { questionId: 'q-effect', text: 'Does the attendance supports tool reduce chronic absence?' }], agreedByParticipantIds: ['p-district-lead', 'p-researcher'] }, at('2024-10-22')],
    ['RecordEvidenceReview', { workstreamId: 'ws-attendance-tool', reviewId: 'review-lit-local', sources: ['Research synthesis on attendance interventions', 'District attendance dashboards 2019–2024'], evidenceTypes: ['research_literature', 'local_data', 'practitioner_knowledge'], contributorParticipantIds: ['p-researcher', 'p-district-lead', 'p-teacher-lincoln'] }, at('2024-11-19')],
    ['CoDevelopTool', { workstreamId: 'ws-attendance-tool', toolId: 'tool-attendance', name: 'Attendance supports planner', purpose: 'Helps school teams match evidence-based supports to absence patterns', coDesignerParticipantIds: ['p-researcher', 'p-district-lead', 'p-teacher-lincoln'] }, at('2025-01-28')],
    ['ApprovePilot', { workstreamId: 'ws-attendance-tool', pilotId: 'pilot-spring-2025', toolId: 'tool-attendance', toolVersion: 1, siteOrganizationIds: ['lincoln-ms', 'cesar-chavez-ms'], approvals: [{ organizationId: 'lincoln-ms', kind: 'school_site_letter', ref: 'SITE-LMS-2025-02' }, { organizationId: 'cesar-chavez-ms', kind: 'school_site_letter', ref: 'SITE-CCMS-2025-03' }, { organizationId: 'riverside-usd', kind: 'district_research_office', ref: 'RUSD-RO-2025-011' }], consentBasis: 'staff_consent_only', plannedStart: '2025-03-03', plannedEnd: '2025-05-30' }, at('2025-02-14')],
    ['StartPilot', { workstreamId: 'ws-attendance-tool', pilotId: 'pilot-spring-2025', startedOn: '2025-03-03', siteOrganizationIds: ['lincoln-ms', 'cesar-chavez-ms'] }, at('2025-03-03')],
    ['ConcludePilot', { workstreamId: 'ws-attendance-tool', pilotId: 'pilot-spring-2025', endedOn: '2025-05-30', outcome: 'completed' }, at('2025-05-30')],
    ['RecordStakeholderInput', { workstreamId: 'ws-attendance-tool', inputId: 'input-pilot-focus-groups', toolId: 'tool-attendance', toolVersion: 1, method: 'focus_group', respondentCounts: { county_office: 3, school_district: 4, school: 6, practitioner: 14 }, convenedByParticipantId: 'p-county-staff' }, at('2025-06-10')],
    ['ReviseTool', { workstreamId: 'ws-attendance-tool', toolId: 'tool-attendance', answersInputIds: ['input-pilot-focus-groups'], changeSummary: 'Simplified the intake screen and added family-outreach scripts requested by teachers', revisedWithParticipantIds: ['p-district-lead', 'p-researcher'] }, at('2025-07-15')],
    ['ExecuteDataSharingAgreement', { dsaId: 'dsa-rusd-attendance', providerOrganizationId: 'riverside-usd', recipientOrganizationIds: ['westlab'], legalBasis: 'ferpa_studies_exception', purpose: 'Evaluate whether the attendance supports tool reduces chronic absence', dataCategories: ['attendance', 'enrollment', 'demographics'], piiIncluded: true, effectiveFrom: '2025-08-01', expiresOn: '2027-07-31', destructionPeriodDays: 90, noSurprisesReviewDays: 30 }, at('2025-08-01')],
    ['ApproveFormalStudy', { workstreamId: 'ws-attendance-tool', studyId: 'study-attendance-2025', questionIds: ['q-effect'], design: 'quasi-experimental', siteOrganizationIds: ['lincoln-ms', 'cesar-chavez-ms', 'oak-grove-ms'], approvals: [{ organizationId: 'riverside-usd', kind: 'district_research_office', ref: 'RUSD-RO-2025-031' }, { organizationId: 'westlab', kind: 'irb_determination', ref: 'IRB-2025-118' }], usesStudentRecords: true, dsaIds: ['dsa-rusd-attendance'], ethicsRef: 'IRB-2025-118' }, at('2025-08-20')],
    ['StartFormalStudy', { workstreamId: 'ws-attendance-tool', studyId: 'study-attendance-2025', startedOn: '2025-09-02' }, at('2025-09-02')],
    ['RecordDataReceived', { workstreamId: 'ws-attendance-tool', transferId: 'transfer-2025-10', dsaId: 'dsa-rusd-attendance', dataCategories: ['attendance', 'enrollment'], piiIncluded: true, receivedOn: '2025-10-06', recipientOrganizationId: 'westlab' }, at('2025-10-06')],
    ['SharePreliminaryFindings', { workstreamId: 'ws-attendance-tool', findingsId: 'findings-midyear', sourceId: 'study-attendance-2025', sharedWithOrganizationIds: ['riverside-usd', 'lincoln-ms', 'cesar-chavez-ms'] }, at('2026-02-10')],
    ['InterpretFindingsJointly', { workstreamId: 'ws-attendance-tool', findingsId: 'findings-midyear', sessionOn: '2026-02-24', attendeeParticipantIds: ['p-researcher', 'p-district-lead', 'p-teacher-lincoln', 'p-principal-chavez'], followUpQuestions: ['Does the effect hold for students new to the district?'], agreedImplications: ['Keep family-outreach scripts', 'Train all middle-school attendance teams'] }, at('2026-02-24')],
    ['RecordPracticePartnerReview', { workstreamId: 'ws-attendance-tool', findingsId: 'findings-midyear', reviewerOrganizationId: 'riverside-usd', outcome: 'cleared' }, at('2026-03-05')],
    ['RecordResearchUse', { workstreamId: 'ws-attendance-tool', useId: 'use-budget-2026', decisionSummary: 'District funds attendance teams in all middle schools for 2026–27', decisionLevel: 'district', decidingOrganizationId: 'riverside-usd', evidenceIds: ['findings-midyear', 'tool-attendance'] }, at('2026-04-15')],
  ],
};

export const STATE_AGENCY_PATH: Scenario = {
  workstreamId: 'ws-retention',
  proposal: {
    name: 'Statewide Teacher Retention Study',
    initiationMode: 'agency',
    focus: 'Teacher retention, as tasked by the state legislature',
    types: ['research_alliance'],
    occurredAt: at('2025-01-13'),
  },
  expectedPhases: ['evidence_review', 'formal_study'],
  steps: [
    ['JoinOrganization', { organizationId: 'sea', name: 'State Department of Education', orgType: 'SEA', side: 'practice' }, at('2025-01-13')],
    ['JoinOrganization', { organizationId: 'westlab', name: 'West Regional Research Lab', orgType: 'research_organization', side: 'research' }, at('2025-01-13')],
    ['JoinOrganization', { organizationId: 'lea-metro', name: 'Metro City Schools', orgType: 'LEA', side: 'practice' }, at('2025-02-03')],
    ['JoinOrganization', { organizationId: 'lea-highland', name: 'Highland Rural District', orgType: 'LEA', side: 'practice' }, at('2025-02-03')],
    ['JoinParticipant', { participantId: 'p-sea-director', organizationId: 'sea', roles: ['practitioner', 'broker'] }, at('2025-01-13')],
    ['JoinParticipant', { participantId: 'p-lab-researcher', organizationId: 'westlab', roles: ['researcher'] }, at('2025-01-13')],
    ['JoinParticipant', { participantId: 'p-metro-hr', organizationId: 'lea-metro', roles: ['practitioner'] }, at('2025-02-03')],
    ['JoinParticipant', { participantId: 'p-highland-super', organizationId: 'lea-highland', roles: ['practitioner'] }, at('2025-02-03')],
    ['FormalizePartnership', { agreementRef: 'SEA-WRRL-RETENTION-2025', partyOrganizationIds: ['sea', 'westlab'], coLeadParticipantIds: ['p-sea-director', 'p-lab-researcher'], effectiveFrom: '2025-02-01' }, at('2025-02-01')],
    ['OpenWorkstream', { workstreamId: 'ws-retention', title: 'Why teachers leave, and what keeps them', leadParticipantIds: ['p-sea-director', 'p-lab-researcher'] }, at('2025-02-05')],
    ['DefineProblemOfPractice', { workstreamId: 'ws-retention', problemId: 'pop-retention', statement: 'The legislature asked the SEA to address teacher attrition, which differs between urban and rural districts.', proposedByParticipantIds: ['p-sea-director'], intendedUse: 'Target state retention grants and supports to LEAs' }, at('2025-02-05')],
    ['RecordStakeholderInput', { workstreamId: 'ws-retention', inputId: 'input-lea-convening', method: 'convening', respondentCounts: { LEA: 14, practitioner: 37 }, convenedByParticipantId: 'p-sea-director' }, at('2025-03-12')],
    ['AgreeResearchAgenda', { workstreamId: 'ws-retention', agendaId: 'agenda-retention', researchQuestions: [{ questionId: 'q-why-leave', text: 'Why do teachers leave, by context?' }, { questionId: 'q-what-works', text: 'Which retention strategies work in urban and rural districts?' }], agreedByParticipantIds: ['p-sea-director', 'p-lab-researcher', 'p-metro-hr'] }, at('2025-04-02')],
    ['RecordEvidenceReview', { workstreamId: 'ws-retention', reviewId: 'review-local-retention', sources: ['State educator workforce data 2018–2024', 'Exit surveys from convened LEAs'], evidenceTypes: ['local_data', 'practitioner_knowledge', 'research_literature'], contributorParticipantIds: ['p-lab-researcher', 'p-sea-director', 'p-highland-super'] }, at('2025-05-06')],
    ['ApproveFormalStudy', { workstreamId: 'ws-retention', studyId: 'study-retention', questionIds: ['q-why-leave', 'q-what-works'], design: 'mixed methods across urban and rural districts', siteOrganizationIds: ['lea-metro', 'lea-highland'], approvals: [{ organizationId: 'sea', kind: 'sea', ref: 'SEA-RES-2025-07' }], usesStudentRecords: false }, at('2025-06-17')],
    ['StartFormalStudy', { workstreamId: 'ws-retention', studyId: 'study-retention', startedOn: '2025-08-18' }, at('2025-08-18')],
    ['RecordBrokeringActivity', { brokerParticipantId: 'p-sea-director', fromOrganizationId: 'sea', toOrganizationId: 'lea-highland', activityKind: 'share_strategies', workstreamId: 'ws-retention' }, at('2025-09-09')],
  ],
};

/** Plays a scenario through the API; returns the partnership id. */
export async function playScenario(
  api: { post(path: string, body: unknown): Promise<{ status: number; body: any; text: string }>; command(id: string, type: string, data: unknown, extra?: Record<string, unknown>): Promise<{ status: number; text: string }> },
  scenario: Scenario,
): Promise<string> {
  const proposed = await api.post('/partnerships', scenario.proposal);
  if (proposed.status !== 201) throw new Error(`ProposePartnership → ${proposed.status}: ${proposed.text}`);
  const id = proposed.body.partnershipId as string;
  for (const [type, data, occurredAt] of scenario.steps) {
    const res = await api.command(id, type, data, { occurredAt });
    if (res.status !== 201) throw new Error(`${type} → ${res.status}: ${res.text}`);
  }
  return id;
}
