import { DEFAULT_STALL_THRESHOLDS } from '@trellis/projections';
import { parseStallThresholds, stallThresholdVariable } from './stall-thresholds.config';

describe('parseStallThresholds', () => {
  it('defaults to the reminder policies', () => {
    expect(parseStallThresholds({})).toEqual(DEFAULT_STALL_THRESHOLDS);
    expect(parseStallThresholds({ PATH: '/usr/bin' })).toMatchObject({ problem_framing: 45, pilot: 30, joint_interpretation: 21, formal_study_running: 180 });
  });

  it('overrides a clock from STALL_THRESHOLD_DAYS_<CLOCK>', () => {
    expect(stallThresholdVariable('formal_study_running')).toBe('STALL_THRESHOLD_DAYS_FORMAL_STUDY_RUNNING');
    const thresholds = parseStallThresholds({ STALL_THRESHOLD_DAYS_PROBLEM_FRAMING: '30', STALL_THRESHOLD_DAYS_FORMAL_STUDY_RUNNING: ' 365 ' });
    expect(thresholds).toEqual({ ...DEFAULT_STALL_THRESHOLDS, problem_framing: 30, formal_study_running: 365 });
  });

  it.each(['0', '-1', '1.5', 'ten', '', '3651'])('refuses %j', (raw) => {
    expect(() => parseStallThresholds({ STALL_THRESHOLD_DAYS_PILOT: raw })).toThrow(/STALL_THRESHOLD_DAYS_PILOT=.* must be a whole number of days between 1 and 3650/);
  });

  it('refuses a variable that names no clock, and reports every problem at once', () => {
    expect(() => parseStallThresholds({ STALL_THRESHOLD_DAYS_PILOTS: '10', STALL_THRESHOLD_DAYS_CO_DESIGN: 'x' })).toThrow(
      /STALL_THRESHOLD_DAYS_PILOTS names no stall clock .*; STALL_THRESHOLD_DAYS_CO_DESIGN="x"/,
    );
  });
});
