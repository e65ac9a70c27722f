/**
 * The participation view's small-cell suppression, at the threshold: counts of people under 5 are
 * "<5" (4 → "<5", 5 → 5); counts of organizations and events are shown as they are. The context and
 * rows come from the projection's own fold (no database).
 */
import { TestLog, SignalScenarios } from '../../testing';
import { participationProjection } from './participation.projection';
import { participationView } from './participation.view';

const { cmd, cleanPartnership, WS, ORG, PEOPLE } = SignalScenarios;

function ledgerOf(commands: readonly SignalScenarios.ScenarioCommand[]) {
  const log = new TestLog();
  const p = log.partnership();
  p.run(commands);
  const { context, rows } = participationProjection.fold(p.partnershipId, log.events);
  return participationView(context!, log.head.toString(), rows.map((r) => ({ workstream_id: r.workstream_id, entered_position: r.entered_position, doc: r.doc })));
}

const join = (participantId: string, organizationId: string, role: 'researcher' | 'practitioner') =>
  cmd('2025-01-21', 'JoinParticipant', { participantId, organizationId, roles: [role] });

describe('participation view: counts of people under 5 are "<5"', () => {
  // Four researchers and five practitioners (one of them also a broker) agree the agenda.
  const researchers = [PEOPLE.researcher, PEOPLE.analyst, 'p-res-3', 'p-res-4'];
  const practitioners = [PEOPLE.practitioner, PEOPLE.broker, 'p-prac-3', 'p-prac-4', 'p-prac-5'];
  const view = ledgerOf([
    ...cleanPartnership(),
    join('p-res-3', ORG.research, 'researcher'),
    join('p-res-4', ORG.research, 'researcher'),
    join('p-prac-3', ORG.practice, 'practitioner'),
    join('p-prac-4', ORG.practice, 'practitioner'),
    join('p-prac-5', ORG.practice, 'practitioner'),
    cmd('2025-02-03', 'AgreeResearchAgenda', { workstreamId: WS, agendaId: 'a', researchQuestions: [{ questionId: 'q', text: 't' }], agreedByParticipantIds: [...researchers, ...practitioners] }),
    cmd('2025-02-04', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'i1', method: 'survey', respondentCounts: { practitioner: 5, family_member: 4, school: 5, LEA: 4, student_youth: 2 } }),
    cmd('2025-02-05', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'i2', method: 'focus_group', respondentCounts: { student_youth: 3, community_member: 1 } }),
  ]);
  const [framing, review] = view.workstreams[0]!.phases;

  it('suppresses distinct participants by role: 4 → "<5", 5 → 5', () => {
    expect(framing!.rolesPresent).toEqual({ researcher: '<5', practitioner: 5, broker: '<5' });
    expect(framing!.participantsPresent).toBe(9);
    expect(view.partnershipTotals.rolesPresent).toEqual({ researcher: '<5', practitioner: 5, broker: '<5' });
  });

  it('suppresses respondents by role and by organization type, after summing the inputs of a phase', () => {
    expect(review!.respondents).toEqual({ practitioner: 5, community_member: '<5', family_member: '<5', student_youth: 5, LEA: '<5', school: 5 });
    expect(review!.stakeholderInputs).toBe(2);
    expect(view.partnershipTotals.respondents).toEqual(review!.respondents);
  });

  it('shows counts of organizations and events as they are, and no participant id anywhere', () => {
    expect(framing).toMatchObject({ organizationTypes: { school_district: 1, research_organization: 1 }, sides: { research: 1, practice: 1 }, events: 3 });
    expect(review!.participantsPresent).toBe(0);
    const text = JSON.stringify(view);
    for (const id of [...researchers, ...practitioners]) expect(text).not.toContain(id);
  });
});
