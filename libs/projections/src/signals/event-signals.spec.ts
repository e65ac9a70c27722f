/**
 * `detectEventSignals` over the domain's folded state (what the audit timeline uses) agrees with the
 * read models' facts, event by event; the catalog says truthfully which signals events raise.
 */
import { partnershipDecider, PartnershipFixtures, type PartnershipEvent, type PartnershipState } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import { TestLog, type LogCommand } from '../testing/test-log';
import { detectEventSignals } from './event-signals';
import { SIGNAL_CATALOG, SIGNAL_CODES, type SignalCode } from './signal-catalog';
import { hydrateSignal } from './signal-instance';
import { initialSignalFacts, presenceLeftBy, stepSignalFacts } from './signal-facts';
import { allScenarios, scenarioFor, WS } from '../testing/signal-scenarios';

const toDomain = (e: RecordedEvent): PartnershipEvent =>
  ({
    type: e.type,
    data: e.data,
    metadata: { eventId: e.eventId, occurredAt: e.metadata['occurredAt'], recordedAt: e.metadata['recordedAt'] },
  }) as PartnershipEvent;

/** Walks a history folding both the domain state and the facts; returns what each detector raised per event. */
function walk(events: readonly RecordedEvent[], partnershipId: string) {
  let state: PartnershipState = partnershipDecider.initialState();
  let facts = initialSignalFacts(partnershipId);
  const rows: Array<{ event: RecordedEvent; domain: ReturnType<typeof detectEventSignals>; withoutPresence: SignalCode[]; facts: ReturnType<typeof hydrateSignal>[] }> = [];
  for (const event of events) {
    const next = partnershipDecider.evolve(state, toDomain(event));
    const presence = presenceLeftBy(facts, event);
    const step = stepSignalFacts(facts, event);
    rows.push({
      event,
      domain: detectEventSignals(state, event, next, presence ? { presence } : {}),
      withoutPresence: detectEventSignals(state, event, next).map((s) => s.code),
      facts: step.raised.map(hydrateSignal),
    });
    state = next;
    facts = step.facts;
  }
  return rows;
}

function history(commands: readonly LogCommand[]) {
  const log = new TestLog();
  const p = log.partnership();
  p.run(commands);
  return { events: log.events, partnershipId: p.partnershipId };
}

describe('detectEventSignals on the domain state', () => {
  it.each(allScenarios().map((s) => [s.code, s] as const))('agrees with the facts at every event of the %s scenario', (_code, scenario) => {
    const { events, partnershipId } = history(scenario.commands);
    for (const row of walk(events, partnershipId)) {
      expect(row.domain).toEqual(row.facts);
      // Without presence (the domain state keeps none) only PHASE_WITHOUT_PRACTICE goes undetected.
      expect(row.withoutPresence).toEqual(row.domain.map((s) => s.code).filter((c) => c !== 'PHASE_WITHOUT_PRACTICE'));
    }
  });

  it('gives the event, position, workstream, phase, subject and time of each signal', () => {
    const { events, partnershipId } = history(scenarioFor('INPUT_SINGLE_ROLE').commands);
    const input = events.find((e) => e.type === 'StakeholderInputGathered')!;
    const row = walk(events, partnershipId).find((r) => r.event === input)!;
    expect(row.domain).toEqual([
      {
        code: 'INPUT_SINGLE_ROLE',
        title: SIGNAL_CATALOG.INPUT_SINGLE_ROLE.title,
        dimensions: ['d2', 'd1'],
        eventId: input.eventId,
        position: input.position.toString(),
        workstreamId: WS,
        phase: 'problem_framing',
        subjects: { inputId: 'input-teachers' },
        details: { categories: ['practitioner'] },
        raisedAt: '2025-02-03T10:00:00.000Z',
      },
    ]);
  });

  it('raises nothing before the proposal', () => {
    const { events } = history(scenarioFor('INPUT_SINGLE_ROLE').commands);
    expect(detectEventSignals(partnershipDecider.initialState(), events[0]!, partnershipDecider.initialState())).toEqual([]);
  });

  it('raises no event-level signal along either seed path', () => {
    for (const seed of [PartnershipFixtures.seedToolPath(), PartnershipFixtures.seedStateAgencyPath()]) {
      const { events, partnershipId } = history(seed);
      expect(walk(events, partnershipId).flatMap((r) => r.domain.map((s) => s.code))).toEqual([]);
    }
  });
});

describe('the signal catalog', () => {
  it('defines every code once, with a title, its dimensions and its research warning', () => {
    for (const code of SIGNAL_CODES) {
      const d = SIGNAL_CATALOG[code];
      expect(d.code).toBe(code);
      expect(d.title.length).toBeGreaterThan(10);
      expect(d.dimensions.length).toBeGreaterThan(0);
      expect(d.dimensions.every((x) => ['d1', 'd2', 'd3', 'd4', 'd5'].includes(x))).toBe(true);
      expect(d.research).toMatch(/^W-\d\d$/);
    }
    expect(Object.keys(SIGNAL_CATALOG).sort()).toEqual([...SIGNAL_CODES].sort());
  });

  it('marks as event-level exactly the signals some event raises', () => {
    const raisedByEvents = new Set<SignalCode>();
    for (const scenario of allScenarios()) {
      const { events, partnershipId } = history(scenario.commands);
      for (const row of walk(events, partnershipId)) for (const s of row.facts) raisedByEvents.add(s.code);
    }
    expect([...raisedByEvents].sort()).toEqual(SIGNAL_CODES.filter((c) => SIGNAL_CATALOG[c].eventLevel).sort());
  });

  it('marks as time-dependent exactly the signals whose scenario is evaluated after a delay', () => {
    expect(SIGNAL_CODES.filter((c) => SIGNAL_CATALOG[c].timeDependent)).toEqual([
      'NO_BROKERING_180_DAYS',
      'DEPARTURE_WITHOUT_SUCCESSOR',
      'NO_REFLECTION_12_MONTHS',
      'RECORDING_DOMINATED_BY_ONE_SIDE',
      'INTERPRETATION_WITHOUT_USE',
    ]);
  });
});
