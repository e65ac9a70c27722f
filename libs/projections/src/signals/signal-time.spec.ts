import { dayOfEpochDay, epochDay, plusMonths, quarterOf } from './signal-time';

describe('epochDay', () => {
  it('counts days since 1970-01-01 exactly like Date, across leap years and centuries', () => {
    for (let day = -1000; day < 60_000; day += 7) {
      const iso = new Date(day * 86_400_000).toISOString();
      expect(epochDay(iso)).toBe(day);
      expect(epochDay(iso.slice(0, 10))).toBe(day);
      expect(dayOfEpochDay(day)).toBe(iso.slice(0, 10));
    }
    expect(epochDay('2024-02-29')).toBe(epochDay('2024-02-28') + 1);
    expect(epochDay('2000-03-01')).toBe(epochDay('2000-02-29') + 1);
  });

  it('is NaN for text that is not a date', () => {
    expect(epochDay('yesterday')).toBeNaN();
    expect(epochDay('2025/01/01')).toBeNaN();
    expect(epochDay('2025-13-01')).toBeNaN();
  });
});

it('adds calendar months and names quarters', () => {
  expect(plusMonths('2025-01-15T10:00:00.000Z', 12)).toBe('2026-01-15T10:00:00.000Z');
  expect(plusMonths('2024-02-29', 12)).toBe('2025-03-01T00:00:00.000Z');
  expect(quarterOf('2025-03-31T23:00:00.000Z')).toBe('2025-Q1');
  expect(quarterOf('2025-10-01T00:00:00.000Z')).toBe('2025-Q4');
});
