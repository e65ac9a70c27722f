/**
 * Every scenario is a history the real decider accepts, and raises its signal at its `now`; the
 * clean partnership raises none.
 */
import type { RecordedEvent } from '@trellis/event-store';
import { TestLog } from './test-log';
import { SIGNAL_CODES } from '../signals/signal-catalog';
import { evaluatePartnershipSignals } from '../signals/partnership-signals';
import { allScenarios, CLEAN_NOW, cleanPartnership } from '../testing/signal-scenarios';
import { evolveSignalFacts, initialSignalFacts } from '../signals/signal-facts';

const factsOf = (events: readonly RecordedEvent[], partnershipId: string) =>
  events.filter((e) => e.metadata['partnershipId'] === partnershipId).reduce(evolveSignalFacts, initialSignalFacts(partnershipId));

it('has one scenario per signal code, in catalog order', () => {
  expect(allScenarios().map((s) => s.code)).toEqual([...SIGNAL_CODES]);
});

it('the clean partnership raises no current signal', () => {
  const log = new TestLog();
  const p = log.partnership();
  p.run(cleanPartnership());
  expect(evaluatePartnershipSignals(factsOf(log.events, p.partnershipId), new Date(CLEAN_NOW))).toEqual([]);
});

describe.each(allScenarios().map((s) => [s.code, s] as const))('scenario %s', (code, scenario) => {
  it(`is accepted by the decider and raises ${code} (${scenario.description})`, () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run(scenario.commands);
    const codes = evaluatePartnershipSignals(factsOf(log.events, p.partnershipId), new Date(scenario.now)).map((s) => s.code);
    expect(codes).toContain(code);
  });
});
