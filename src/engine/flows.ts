/** Deposits and withdrawals on a schedule (`--deposit 2024-03-01=50000`), mapped to grid steps. */
import { isDecimalText } from '../domain/decimal.js';
import { InputError } from '../domain/errors.js';
import { parseTime } from './time.js';

export interface Flow {
  timeMs: number;
  /** Share-class units; > 0. */
  amount: number;
}

/** Parses `DATE=AMOUNT`; `what` names the flag in errors. */
export function parseFlow(text: string, what: string): Flow {
  const eq = text.lastIndexOf('=');
  if (eq <= 0) throw new InputError(`${what} "${text}": expected DATE=AMOUNT, e.g. 2024-03-01=50000`);
  const timeMs = parseTime(text.slice(0, eq), what);
  const amountText = text.slice(eq + 1);
  if (!isDecimalText(amountText) || !(Number(amountText) > 0) || !Number.isFinite(Number(amountText))) {
    throw new InputError(
      `${what} "${text}": amount must be a positive number in plain decimal notation, was "${amountText}"`,
    );
  }
  const amount = Number(amountText);
  return { timeMs, amount };
}

/** Step of the first grid time at or after `timeMs`; throws if outside the window. */
export function stepOf(
  timeMs: number,
  startMs: number,
  stepMs: number,
  length: number,
  what: string,
): number {
  const step = Math.ceil((timeMs - startMs) / stepMs);
  if (step < 0 || step >= length) {
    throw new InputError(
      `${what} at ${new Date(timeMs).toISOString()} is outside the backtest window ${new Date(startMs).toISOString()} .. ${new Date(startMs + (length - 1) * stepMs).toISOString()}`,
    );
  }
  return step;
}
