import { describe, expect, it } from 'vitest';
import {
  daysFromCivil,
  formatIsoSecondUtc,
  formatMinuteUtc,
  formatSpaceOffsetUtc,
  parseTimestampMs,
} from '../../src/data/timestamps.js';

const JAN1 = Date.UTC(2024, 0, 1);

describe('parseTimestampMs', () => {
  it.each([
    ['2024-01-01T00:00:00Z', JAN1],
    ['2024-01-01 01:00:00+00:00', JAN1 + 3_600_000],
    ['2024-01-01T02:00:00+02:00', JAN1],
    ['2024-01-01T00:00:00.250Z', JAN1 + 250],
    ['2024-01-01T00:00Z', JAN1],
    ['2024-01-01', JAN1],
    ['2024-02-29T23:59:59Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['1704067200', JAN1],
    ['1704067200000', JAN1],
    ['1704067200.5', JAN1 + 500],
    [' 1704067200 ', JAN1],
  ])('parses %s', (text, expected) => {
    expect(parseTimestampMs(text)).toBe(expected);
  });

  it.each([
    '',
    'abc',
    '2024-13-01T00:00:00Z',
    '2023-02-29',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00:00+0x',
    '2024',
    '12:00',
  ])('rejects %j', (text) => {
    expect(parseTimestampMs(text)).toBeNaN();
  });

  it('agrees with Date.UTC over many days', () => {
    for (let d = -1000; d < 30_000; d += 37) {
      const ms = d * 86_400_000;
      const iso = new Date(ms).toISOString();
      expect(parseTimestampMs(iso)).toBe(ms);
      expect(
        daysFromCivil(
          new Date(ms).getUTCFullYear(),
          new Date(ms).getUTCMonth() + 1,
          new Date(ms).getUTCDate(),
        ),
      ).toBe(d);
    }
  });
});

describe('formatters', () => {
  it('format the dataset forms', () => {
    const t = Date.UTC(2024, 4, 1, 7, 5, 9);
    expect(formatIsoSecondUtc(t)).toBe('2024-05-01T07:05:09Z');
    expect(formatSpaceOffsetUtc(t)).toBe('2024-05-01 07:05:09+00:00');
    expect(formatMinuteUtc(t)).toBe('2024-05-01T07:05Z');
    expect(formatMinuteUtc(NaN)).toBe('n/a');
    expect(parseTimestampMs(formatSpaceOffsetUtc(t))).toBe(t);
  });
});
