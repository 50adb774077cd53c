import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration, formatExpiry, parseTime } from './time';

const now = Date.parse('2025-06-01T12:00:00Z');

describe('parseTime', () => {
  it('reads RFC 3339 and treats Go zero time as unset', () => {
    expect(parseTime('2025-06-01T12:00:00Z')).toBe(now);
    expect(parseTime('2025-06-01T14:00:00+02:00')).toBe(now);
    expect(parseTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(parseTime('')).toBeUndefined();
    expect(parseTime('not a date')).toBeUndefined();
  });
});

describe('formatAge', () => {
  it.each([
    [0, 'just now'],
    [30_000, 'just now'],
    [50_000, '1 min ago'],
    [2 * 60_000, '2 min ago'],
    [59 * 60_000, '59 min ago'],
    [60 * 60_000, '1 h ago'],
    [5 * 3600_000 + 59 * 60_000, '5 h ago'],
    [24 * 3600_000, '1 day ago'],
    [3 * 24 * 3600_000, '3 days ago'],
  ])('%i ms ago reads "%s"', (ago, want) => {
    expect(formatAge(now - ago, now)).toBe(want);
  });

  it('reads a time slightly in the future (clock skew) as just now', () => {
    expect(formatAge(now + 5000, now)).toBe('just now');
  });
});

describe('formatExpiry', () => {
  it('counts down and flags the last five minutes', () => {
    expect(formatExpiry(now + 12 * 60_000 + 3000, now)).toEqual({ text: 'expires in 12 min 3 s', urgent: false, expired: false });
    expect(formatExpiry(now + 4 * 60_000, now).urgent).toBe(true);
    expect(formatExpiry(now - 1, now)).toEqual({ text: 'expired', urgent: true, expired: true });
    expect(formatExpiry(undefined, now).text).toBe('never expires');
  });

  it('formats long durations compactly', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(26 * 3600_000)).toBe('1 day 2 h');
  });
});
