/**
 * ccxt errors → VenueError. ccxt sorts exchange errors into a hierarchy (base/errorHierarchy.ts):
 * NetworkError (rate limit, timeout, exchange not available) is transient, ExchangeError (insufficient
 * funds, invalid order, authentication) is not. We add one distinction ccxt leaves to the caller: after a
 * request that changes state, a timeout, a dropped connection or a 5xx leaves the outcome unknown — the
 * order may or may not exist. Those errors carry code `ambiguous` and must be followed by a lookup before
 * anything is resent.
 *
 * Messages never include request parameters (ccxt puts the URL, which may carry a signature, into some
 * messages): only the error class and the exchange's own code and text.
 */
import { VenueError } from '../../domain/errors.js';

/** Names along an error's prototype chain, most specific first (ccxt classes, without importing ccxt). */
export function errorClasses(err: unknown): string[] {
  const names: string[] = [];
  let p: unknown = err !== null && typeof err === 'object' ? Object.getPrototypeOf(err) : null;
  while (p && p !== Object.prototype) {
    const ctor = (p as { constructor?: { name?: string } }).constructor;
    if (ctor?.name) names.push(ctor.name);
    p = Object.getPrototypeOf(p);
  }
  return names;
}

/** Transient: the request did not take effect and may be sent again as it is. */
const RETRYABLE = ['RateLimitExceeded', 'DDoSProtection', 'InvalidNonce', 'OnMaintenance'];
/** The outcome of a state-changing request is unknown. */
const UNKNOWN_OUTCOME = [
  'RequestTimeout',
  'ExchangeNotAvailable',
  'NetworkError',
  'BadResponse',
  'NullResponse',
  'OperationFailed',
];
/** The exchange refused the request; sending it again changes nothing. */
const DEFINITIVE = [
  'InsufficientFunds',
  'InvalidOrder',
  'BadSymbol',
  'BadRequest',
  'AuthenticationError',
  'PermissionDenied',
  'AccountSuspended',
  'NotSupported',
  'ArgumentsRequired',
  'OperationRejected',
];

export interface ErrorContext {
  /** The request changes state (order, transfer, setting): unknown outcomes are `ambiguous`. */
  mutating: boolean;
  /** Exchange error codes that mean "execution status unknown" whatever class ccxt gives them. */
  unknownCodes?: readonly string[];
}

/** Exchange code in a ccxt message such as `binance {"code":-1007,"msg":"..."}`, if any. */
export function exchangeCode(message: string): string | undefined {
  // OKX puts the order's own reason in data[0].sCode / sMsg under a generic code 1: prefer it.
  const m = /"sCode"\s*:\s*"(-?\d+)"/.exec(message) ?? /"(?:code|retCode)"\s*:\s*"?(-?\d+)"?/.exec(message);
  return m?.[1];
}

/** The exchange's own message text (`sMsg` / `msg` / `retMsg`) if the ccxt message embeds JSON. */
function exchangeText(message: string): string | undefined {
  const m = /"sMsg"\s*:\s*"([^"]+)"/.exec(message) ?? /"(?:msg|retMsg)"\s*:\s*"([^"]*)"/.exec(message);
  return m?.[1];
}

export function toVenueError(venue: string, what: string, err: unknown, ctx: ErrorContext): VenueError {
  if (err instanceof VenueError) return err;
  const classes = errorClasses(err);
  const raw = err instanceof Error ? err.message : String(err);
  const code = exchangeCode(raw);
  const text = exchangeText(raw);
  const cls = classes.find((c) => c !== 'Error' && c !== 'BaseError') ?? 'Error';
  const detail = `${what} failed: ${cls}${code !== undefined ? ` ${code}` : ''}${text ? ` ${text}` : ''}`;
  const is = (list: readonly string[]) => classes.some((c) => list.includes(c));
  if (code !== undefined && ctx.unknownCodes?.includes(code)) {
    return new VenueError(venue, detail, true, ctx.mutating ? 'ambiguous' : 'transient');
  }
  if (is(RETRYABLE)) return new VenueError(venue, detail, true, 'transient');
  if (is(DEFINITIVE)) return new VenueError(venue, detail, false, 'rejected');
  if (is(UNKNOWN_OUTCOME))
    return new VenueError(venue, detail, true, ctx.mutating ? 'ambiguous' : 'transient');
  // Unclassified exchange errors ("system error, try again"): a read is retried a bounded number of
  // times; a state-changing request is not resent, but it must be looked up.
  return ctx.mutating
    ? new VenueError(venue, detail, false, 'ambiguous')
    : new VenueError(venue, detail, true, 'transient');
}
