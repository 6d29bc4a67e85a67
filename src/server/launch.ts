/**
 * `POST /api/backtests`: the request schema and the checks made before a run is queued, so that every
 * mistake the caller can make answers 4xx at once instead of a failed run later: unknown mode, family
 * not implemented, overrides that do not validate, a window outside the data coverage or not on whole
 * hours, flows outside the window.
 */
import { z } from 'zod';
import { checkAvailable, checkCapital, type BacktestOptions } from '../engine/backtest.js';
import { parseTime, iso } from '../engine/time.js';
import { DEFAULT_CAPITAL } from '../config/schema.js';
import { InputError } from '../domain/errors.js';
import { checkSignalSandbox } from '../signals/index.js';
import type { RunRequest } from '../results/store/index.js';
import type { ModeCatalogue } from './catalogue.js';

const HOUR_MS = 3_600_000;
export const MAX_FLOWS = 100;
export const MAX_OVERRIDES = 50;
export const MAX_CAPITAL = 1e12;

const dateText = z
  .string()
  .min(10, 'expected a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM')
  .max(40, 'expected a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM');

const amount = z
  .number()
  .positive('expected an amount > 0')
  .max(MAX_CAPITAL, `expected an amount at most ${MAX_CAPITAL}`);

const FlowSchema = z.object({ time: dateText, amount }).strict();

export const OverrideText = z
  .string()
  .min(3, 'expected key.path=value')
  .max(300, 'expected an override of at most 300 characters')
  .regex(/^[A-Za-z0-9_.-]+=/, 'expected key.path=value with a key of letters, digits, "_", "-" and "."');

export const LaunchSchema = z
  .object({
    mode: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9_]+$/, 'expected a mode name of lower-case letters, digits and "_"')
      .describe('strategy mode, see GET /api/modes'),
    start: dateText.optional().describe('window start, UTC; default: start of the data coverage'),
    end: dateText.optional().describe('window end, UTC, inclusive; default: end of the data coverage'),
    capital: amount
      .optional()
      .describe("initial capital in share-class units; default the mode's default_capital (GET /api/modes)"),
    deposits: z.array(FlowSchema).max(MAX_FLOWS).optional().describe('deposits {time, amount}'),
    withdrawals: z.array(FlowSchema).max(MAX_FLOWS).optional().describe('withdrawals {time, amount}'),
    overrides: z
      .array(OverrideText)
      .max(MAX_OVERRIDES)
      .optional()
      .describe('mode config overrides key.path=value, e.g. strategy.perp_leverage=2'),
  })
  .strict();
export type LaunchBody = z.infer<typeof LaunchSchema>;

export interface CheckedLaunch {
  request: RunRequest;
  options: Omit<BacktestOptions, 'onProgress'>;
}

function wholeHour(ms: number, what: string): number {
  if (ms % HOUR_MS !== 0) throw new InputError(`${what} ${iso(ms)} is not a whole UTC hour`);
  return ms;
}

/** Checks a launch request against the configs and the data; throws InputError/ConfigError (400). */
export function checkLaunch(body: LaunchBody, catalogue: ModeCatalogue, dataDir: string): CheckedLaunch {
  const overrides = body.overrides ?? [];
  const names = catalogue.names();
  if (!names.includes(body.mode)) {
    throw new InputError(`body.mode: unknown mode "${body.mode}"; available: ${names.join(', ')}`);
  }
  const resolved = catalogue.resolve(body.mode, overrides);
  checkAvailable(resolved.mode);
  // smallest unit, and for a USDT share class the venues' minimum order (other classes: at run start)
  const capital = body.capital ?? DEFAULT_CAPITAL[resolved.shareClass.share_class];
  checkCapital(resolved, capital, resolved.shareClass.share_class === 'USDT' ? 1 : NaN);
  const sandbox = catalogue.sandbox();
  checkSignalSandbox(resolved.mode.signals, sandbox);
  const { coverage, coverage_error } = catalogue.coverageOf(resolved.mode);
  if (!coverage) throw new InputError(`mode ${body.mode} cannot run on this dataset: ${coverage_error}`);
  // the window's and the flows' problems are reported together (one line, "; " between them)
  const problems: string[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(err.message);
      return undefined;
    }
  };
  const start = body.start;
  const end = body.end;
  const startMs =
    start === undefined ? coverage.start_ms : attempt(() => wholeHour(parseTime(start, 'start'), 'start'));
  const endMs = end === undefined ? coverage.end_ms : attempt(() => wholeHour(parseTime(end, 'end'), 'end'));
  const span = `the data coverage of mode ${body.mode} (${coverage.start} .. ${coverage.end})`;
  if (startMs !== undefined && startMs < coverage.start_ms)
    problems.push(`start ${iso(startMs)} is before ${span}`);
  if (startMs !== undefined && startMs > coverage.end_ms)
    problems.push(`start ${iso(startMs)} is after ${span}`);
  if (endMs !== undefined && endMs > coverage.end_ms) problems.push(`end ${iso(endMs)} is after ${span}`);
  if (startMs !== undefined && endMs !== undefined && !(endMs > startMs))
    problems.push(`end ${iso(endMs)} must be after start ${iso(startMs)}`);
  const flows = (list: LaunchBody['deposits'], what: string) =>
    (list ?? []).flatMap((f, i) => {
      const timeMs = attempt(() => parseTime(f.time, `${what}[${i}].time`));
      if (timeMs === undefined) return [];
      if (startMs !== undefined && endMs !== undefined && (timeMs < startMs || timeMs > endMs)) {
        problems.push(
          `${what}[${i}].time ${iso(timeMs)} is outside the window ${iso(startMs)} .. ${iso(endMs)}`,
        );
      }
      return [{ timeMs, amount: f.amount }];
    });
  const deposits = flows(body.deposits, 'deposits');
  const withdrawals = flows(body.withdrawals, 'withdrawals');
  if (problems.length > 0 || startMs === undefined || endMs === undefined)
    throw new InputError(problems.join('; '));
  const isoMs = (ms: number) => new Date(ms).toISOString();
  return {
    request: {
      mode: body.mode,
      start: isoMs(startMs),
      end: isoMs(endMs),
      capital,
      deposits: deposits.map((f) => ({ time: isoMs(f.timeMs), amount: f.amount })),
      withdrawals: withdrawals.map((f) => ({ time: isoMs(f.timeMs), amount: f.amount })),
      overrides,
    },
    options: {
      mode: body.mode,
      startMs,
      endMs,
      capital,
      dataDir,
      configDir: catalogue.configDir,
      overrides,
      deposits,
      withdrawals,
      sandbox,
    },
  };
}
