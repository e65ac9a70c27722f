/**
 * Test helper for the reminder policies: histories built by the real partnership decider (so event
 * shapes are the recorded ones), on top of the domain's fixture histories, plus the reminder stream's
 * `ReminderIssued` events. No test-runner globals.
 */
import {
  PartnershipFixtures,
  partnershipDecider,
  fold,
  type PartnershipCommand,
  type PartnershipCommandDataMap,
  type PartnershipCommandType,
  type PartnershipEvent,
} from '@trellis/domain';
import type { ReminderIssued } from '../reminder.events';
import type { ReminderPolicyId } from '../reminder.policies';
import { defaultReminderSettings, type ReminderSettings } from '../reminder-settings';
import { pendingReminders, toReminderIssued, type PendingReminder } from '../reminder.schedule';
import { foldReminderState, type ReminderInputEvent, type ReminderState } from '../reminder.state';

export const { P, ORG, PARTNERSHIP_ID } = PartnershipFixtures;
export const DAY = 86_400_000;

/** `2024-03-01` → `2024-03-01T10:00:00.000Z` (the time commands of a scenario occur). */
export const at = (on: string): string => (on.length === 10 ? `${on}T10:00:00.000Z` : on);
/** An ISO instant `days` (may be fractional) after `iso`. */
export const plus = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY).toISOString();
/** 00:00 UTC of a date `days` after (negative: before) `isoDate`. */
export const midnight = (isoDate: string, days = 0): string => plus(`${isoDate}T00:00:00.000Z`, days);

export class ReminderScenario {
  readonly events: ReminderInputEvent[];
  private count = 0;

  constructor(given: readonly PartnershipEvent[] = PartnershipFixtures.formalizedPartnership().events) {
    this.events = [...given];
  }

  /** Runs a command through the decider on `on` (a date: 10:00 UTC, or an ISO instant); throws if refused. */
  run<T extends PartnershipCommandType>(on: string, type: T, data: PartnershipCommandDataMap[T]): this {
    const occurredAt = at(on);
    const n = ++this.count;
    const eventIds = [1, 2, 3].map((j) => `s${String(n).padStart(3, '0')}-${j}`);
    const command = {
      type,
      data,
      metadata: { now: occurredAt, occurredAt, eventIds, partnershipId: PARTNERSHIP_ID, actor: { apiKeyId: 'key-test' } },
    } as PartnershipCommand;
    const decided = partnershipDecider.decide(command, this.domainState());
    decided.forEach((e, i) => this.events.push({ ...e, metadata: { eventId: eventIds[i]!, occurredAt, recordedAt: occurredAt } } as PartnershipEvent));
    return this;
  }

  /** Whether the decider refuses the command (and with which code). */
  refuses<T extends PartnershipCommandType>(on: string, type: T, data: PartnershipCommandDataMap[T]): string | undefined {
    try {
      const copy = new ReminderScenario([]);
      copy.events.push(...this.events);
      copy.run(on, type, data);
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  }

  /** Appends the `ReminderIssued` a scheduler would record for `reminder`. */
  issue(reminder: PendingReminder, on: string = reminder.dueAt): this {
    const n = ++this.count;
    const event: ReminderIssued = {
      type: 'ReminderIssued',
      data: toReminderIssued(reminder),
      metadata: { eventId: `r${n}`, occurredAt: at(on), recordedAt: at(on) },
    };
    this.events.push(event);
    return this;
  }

  domainState() {
    return fold(partnershipDecider, this.events.filter((e): e is PartnershipEvent => e.type !== 'ReminderIssued'));
  }

  state(): ReminderState {
    return foldReminderState(this.events);
  }

  /** The pending reminders of one policy at `now`. */
  pending(policy: ReminderPolicyId, now: string, settings: ReminderSettings = defaultReminderSettings()): PendingReminder[] {
    return pendingReminders(this.state(), settings, at(now)).filter((r) => r.policy === policy);
  }

  /** The id of the last event recorded (the one that started a clock, usually). */
  get lastEventId(): string {
    return this.events.at(-1)?.metadata?.eventId ?? '';
  }

  /** The occurredAt of the event with this id. */
  occurredAtOf(eventId: string): string {
    const e = this.events.find((x) => x.metadata?.eventId === eventId);
    if (!e?.metadata) throw new Error(`no event ${eventId}`);
    return e.metadata.occurredAt;
  }
}

export const scenario = (given?: readonly PartnershipEvent[]): ReminderScenario => new ReminderScenario(given);

export const settingsWith = (patch: Partial<Record<ReminderPolicyId, readonly number[]>>, timeScale = 1): ReminderSettings => {
  const base = defaultReminderSettings();
  const policies = { ...base.policies };
  for (const [id, days] of Object.entries(patch) as [ReminderPolicyId, readonly number[]][]) policies[id] = { enabled: true, days };
  return { timeScale, policies };
};

/** Common command data. */
export const WS = 'ws-a';
export const openWorkstream = (s: ReminderScenario, on: string, workstreamId = WS): ReminderScenario =>
  s.run(on, 'OpenWorkstream', { workstreamId, title: 'Attendance', leadParticipantIds: [P.researcher, P.practitioner] });
export const defineProblem = (s: ReminderScenario, on: string, problemId = 'prob-1', workstreamId = WS): ReminderScenario =>
  s.run(on, 'DefineProblemOfPractice', {
    workstreamId,
    problemId,
    statement: 'Chronic absence rose after the pandemic',
    proposedByParticipantIds: [P.practitioner],
    intendedUse: 'Choose attendance supports',
  });
export const agreeAgenda = (s: ReminderScenario, on: string, agendaId = 'agenda-1', workstreamId = WS): ReminderScenario =>
  s.run(on, 'AgreeResearchAgenda', {
    workstreamId,
    agendaId,
    researchQuestions: [{ questionId: `${agendaId}-q1`, text: 'What predicts chronic absence?' }],
    agreedByParticipantIds: [P.researcher, P.practitioner],
  });
export const reviewEvidence = (s: ReminderScenario, on: string, reviewId = 'review-1', workstreamId = WS): ReminderScenario =>
  s.run(on, 'RecordEvidenceReview', {
    workstreamId,
    reviewId,
    sources: ['district attendance data'],
    evidenceTypes: ['local_data'],
    contributorParticipantIds: [P.researcher, P.teacher],
  });
export const coDevelopTool = (s: ReminderScenario, on: string, toolId = 'tool-1', workstreamId = WS): ReminderScenario =>
  s.run(on, 'CoDevelopTool', {
    workstreamId,
    toolId,
    name: 'Attendance nudges',
    purpose: 'Family outreach',
    coDesignerParticipantIds: [P.researcher, P.teacher],
  });
export const approvePilot = (
  s: ReminderScenario,
  on: string,
  plannedStart: string,
  plannedEnd: string,
  pilotId = 'pilot-1',
  toolId = 'tool-1',
  workstreamId = WS,
): ReminderScenario =>
  s.run(on, 'ApprovePilot', {
    workstreamId,
    pilotId,
    toolId,
    toolVersion: 1,
    siteOrganizationIds: [ORG.schoolA],
    approvals: [{ organizationId: ORG.schoolA, kind: 'school_site_letter', ref: 'LTR-9' }],
    consentBasis: 'parental_permission_passive',
    plannedStart,
    plannedEnd,
  });
export const pause = (s: ReminderScenario, on: string): ReminderScenario => s.run(on, 'ChangePartnershipStatus', { status: 'paused', reason: 'summer break' });
export const resume = (s: ReminderScenario, on: string): ReminderScenario => s.run(on, 'ChangePartnershipStatus', { status: 'active', reason: 'school year' });

/** A workstream brought to `co_design` (problem, agenda, review, tool) on consecutive days from `on`. */
export function workstreamInCoDesign(s: ReminderScenario, on: string, workstreamId = WS, toolId = 'tool-1'): ReminderScenario {
  const day = (n: number) => plus(at(on), n);
  openWorkstream(s, day(0), workstreamId);
  defineProblem(s, day(1), `${workstreamId}-prob`, workstreamId);
  agreeAgenda(s, day(2), `${workstreamId}-agenda`, workstreamId);
  reviewEvidence(s, day(3), `${workstreamId}-review`, workstreamId);
  return coDevelopTool(s, day(4), toolId, workstreamId);
}
