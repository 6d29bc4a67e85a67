/**
 * Chain failures → VenueError, mapped once (like ccxt's exception table): revert data decoded (Error(string),
 * Panic, our executor's custom errors, Aave's numeric codes by name) and classified into a code; transport
 * failures are retryable, a revert is not. `retryable` is what execution reads, never the message text.
 */
import { BaseError, decodeErrorResult, parseAbi, type Hex } from 'viem';
import { VenueError } from '../../../domain/errors.js';

/** Error codes of on-chain VenueErrors. */
export type ChainErrorCode =
  | 'reverted'
  | 'slippage_exceeded'
  | 'insufficient_balance'
  | 'insufficient_collateral'
  | 'insufficient_funds'
  | 'nonce_conflict'
  | 'rpc_unavailable'
  | 'receipt_timeout'
  | 'rpc_error';

/** Aave V3 (v3.0) `Errors.sol` codes: revert strings are the numbers. */
const AAVE_ERRORS: Record<string, string> = Object.fromEntries(
  (
    '1:CALLER_NOT_POOL_ADMIN 2:CALLER_NOT_EMERGENCY_ADMIN 3:CALLER_NOT_POOL_OR_EMERGENCY_ADMIN ' +
    '4:CALLER_NOT_RISK_OR_POOL_ADMIN 5:CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN 6:CALLER_NOT_BRIDGE ' +
    '7:ADDRESSES_PROVIDER_NOT_REGISTERED 8:INVALID_ADDRESSES_PROVIDER_ID 9:NOT_CONTRACT ' +
    '10:CALLER_NOT_POOL_CONFIGURATOR 11:CALLER_NOT_ATOKEN 12:INVALID_ADDRESSES_PROVIDER ' +
    '13:INVALID_FLASHLOAN_EXECUTOR_RETURN 14:RESERVE_ALREADY_ADDED 15:NO_MORE_RESERVES_ALLOWED ' +
    '16:EMODE_CATEGORY_RESERVED 17:INVALID_EMODE_CATEGORY_ASSIGNMENT 18:RESERVE_LIQUIDITY_NOT_ZERO ' +
    '19:FLASHLOAN_PREMIUM_INVALID 20:INVALID_RESERVE_PARAMS 21:INVALID_EMODE_CATEGORY_PARAMS ' +
    '22:BRIDGE_PROTOCOL_FEE_INVALID 23:CALLER_MUST_BE_POOL 24:INVALID_MINT_AMOUNT 25:INVALID_BURN_AMOUNT ' +
    '26:INVALID_AMOUNT 27:RESERVE_INACTIVE 28:RESERVE_FROZEN 29:RESERVE_PAUSED 30:BORROWING_NOT_ENABLED ' +
    '31:STABLE_BORROWING_NOT_ENABLED 32:NOT_ENOUGH_AVAILABLE_USER_BALANCE ' +
    '33:INVALID_INTEREST_RATE_MODE_SELECTED 34:COLLATERAL_BALANCE_IS_ZERO ' +
    '35:HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD 36:COLLATERAL_CANNOT_COVER_NEW_BORROW ' +
    '37:COLLATERAL_SAME_AS_BORROWING_CURRENCY 38:AMOUNT_BIGGER_THAN_MAX_LOAN_SIZE_STABLE ' +
    '39:NO_DEBT_OF_SELECTED_TYPE 40:NO_EXPLICIT_AMOUNT_TO_REPAY_ON_BEHALF 41:NO_OUTSTANDING_STABLE_DEBT ' +
    '42:NO_OUTSTANDING_VARIABLE_DEBT 43:UNDERLYING_BALANCE_ZERO ' +
    '44:INTEREST_RATE_REBALANCE_CONDITIONS_NOT_MET 45:HEALTH_FACTOR_NOT_BELOW_THRESHOLD ' +
    '46:COLLATERAL_CANNOT_BE_LIQUIDATED 47:SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER ' +
    '49:INCONSISTENT_FLASHLOAN_PARAMS 50:BORROW_CAP_EXCEEDED 51:SUPPLY_CAP_EXCEEDED ' +
    '52:UNBACKED_MINT_CAP_EXCEEDED 53:DEBT_CEILING_EXCEEDED 54:UNDERLYING_CLAIMABLE_RIGHTS_NOT_ZERO ' +
    '55:STABLE_DEBT_NOT_ZERO 56:VARIABLE_DEBT_SUPPLY_NOT_ZERO 57:LTV_VALIDATION_FAILED ' +
    '58:INCONSISTENT_EMODE_CATEGORY 59:PRICE_ORACLE_SENTINEL_CHECK_FAILED ' +
    '60:ASSET_NOT_BORROWABLE_IN_ISOLATION 61:RESERVE_ALREADY_INITIALIZED ' +
    '62:USER_IN_ISOLATION_MODE_OR_LTV_ZERO 63:INVALID_LTV 64:INVALID_LIQ_THRESHOLD 65:INVALID_LIQ_BONUS ' +
    '66:INVALID_DECIMALS 67:INVALID_RESERVE_FACTOR 68:INVALID_BORROW_CAP 69:INVALID_SUPPLY_CAP ' +
    '70:INVALID_LIQUIDATION_PROTOCOL_FEE 71:INVALID_EMODE_CATEGORY 72:INVALID_UNBACKED_MINT_CAP ' +
    '73:INVALID_DEBT_CEILING 74:INVALID_RESERVE_INDEX 75:ACL_ADMIN_CANNOT_BE_ZERO ' +
    '76:INCONSISTENT_PARAMS_LENGTH 77:ZERO_ADDRESS_NOT_VALID 78:INVALID_EXPIRATION 79:INVALID_SIGNATURE ' +
    '80:OPERATION_NOT_SUPPORTED 81:DEBT_CEILING_NOT_ZERO 82:ASSET_NOT_LISTED ' +
    '83:INVALID_OPTIMAL_USAGE_RATIO 84:INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO ' +
    '85:UNDERLYING_CANNOT_BE_RESCUED 86:ADDRESSES_PROVIDER_ALREADY_ADDED 87:POOL_ADDRESSES_DO_NOT_MATCH ' +
    '88:STABLE_BORROWING_ENABLED 89:SILOED_BORROWING_VIOLATION 90:RESERVE_DEBT_NOT_ZERO ' +
    '91:FLASHLOAN_DISABLED'
  )
    .trim()
    .split(/\s+/)
    .map((p) => p.split(':') as [string, string]),
);

const CUSTOM_ERRORS = parseAbi([
  'error Error(string)',
  'error Panic(uint256)',
  'error NotOwner()',
  'error UnexpectedCallback()',
]);

/** A readable reason from revert data, or undefined when there is none. */
export function decodeRevert(data: Hex | undefined): string | undefined {
  if (!data || data === '0x') return undefined;
  try {
    const d = decodeErrorResult({ abi: CUSTOM_ERRORS, data });
    if (d.errorName === 'Error') return describeReason(String(d.args?.[0]));
    if (d.errorName === 'Panic') return `panic ${String(d.args?.[0])}`;
    return d.errorName;
  } catch {
    return `custom error ${data.slice(0, 10)}`;
  }
}

/** Aave's numeric codes get their name: "36" → "Aave error 36 COLLATERAL_CANNOT_COVER_NEW_BORROW". */
export function describeReason(reason: string): string {
  const name = AAVE_ERRORS[reason];
  return name ? `Aave error ${reason} ${name}` : reason;
}

/** The code a revert reason falls under. */
export function classifyRevert(reason: string | undefined): ChainErrorCode {
  if (!reason) return 'reverted';
  if (/too little received|slippage|collateral below minimum/i.test(reason)) return 'slippage_exceeded';
  if (
    /exceeds balance|insufficient balance|NOT_ENOUGH_AVAILABLE_USER_BALANCE|^STF$|transfer amount exceeds/i.test(
      reason,
    )
  )
    return 'insufficient_balance';
  if (
    /COLLATERAL_CANNOT_COVER_NEW_BORROW|HEALTH_FACTOR_LOWER_THAN|LTV_VALIDATION_FAILED|COLLATERAL_BALANCE_IS_ZERO/.test(
      reason,
    )
  )
    return 'insufficient_collateral';
  return 'reverted';
}

const NETWORK =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|fetch failed|other side closed|network|HTTP request failed|timed out|took too long/i;
const NONCE =
  /nonce too low|nonce has already been used|replacement transaction underpriced|already known|nonce too high/i;

/** Revert data carried anywhere in a viem error's cause chain. */
export function revertDataOf(err: unknown): Hex | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const found = err.walk(
    (e) =>
      typeof (e as { data?: unknown }).data === 'string' &&
      String((e as { data: string }).data).startsWith('0x'),
  );
  const data = (found as { data?: Hex } | null)?.data;
  return data && data.length >= 10 ? data : undefined;
}

function isRevert(err: unknown): boolean {
  if (revertDataOf(err)) return true;
  const text = err instanceof Error ? `${err.message} ${(err as BaseError).details ?? ''}` : String(err);
  return /execution reverted|reverted/i.test(text);
}

/**
 * Maps any failure of an RPC call or transaction to a VenueError for `venue`, prefixed with what was being
 * done (`action`). Reverts: not retryable; transport failures and nonce races: retryable.
 */
export function toVenueError(venue: string, action: string, err: unknown): VenueError {
  if (err instanceof VenueError) return err;
  const text =
    err instanceof BaseError
      ? `${err.shortMessage} ${err.details ?? ''}`
      : String((err as Error)?.message ?? err);
  if (isRevert(err)) {
    const reason = decodeRevert(revertDataOf(err)) ?? reasonFromText(text);
    const code = classifyRevert(reason);
    return new VenueError(venue, `${action} reverted: ${reason ?? 'no reason given'}`, false, code);
  }
  if (NONCE.test(text)) {
    return new VenueError(
      venue,
      `${action}: nonce conflict (${firstLine(text)}); nothing was sent twice, retry re-reads the nonce`,
      true,
      'nonce_conflict',
    );
  }
  if (/insufficient funds/i.test(text)) {
    return new VenueError(
      venue,
      `${action}: insufficient ETH for gas and value`,
      false,
      'insufficient_funds',
    );
  }
  if (
    NETWORK.test(text) ||
    (err instanceof BaseError && /HttpRequestError|TimeoutError|SocketClosedError/.test(err.name))
  ) {
    return new VenueError(venue, `${action}: RPC unavailable (${firstLine(text)})`, true, 'rpc_unavailable');
  }
  return new VenueError(venue, `${action}: ${firstLine(text)}`, false, 'rpc_error');
}

function reasonFromText(text: string): string | undefined {
  const m =
    /reverted with (?:the following )?reason:?\s*(.+)/i.exec(text) ??
    /execution reverted:?\s*(.+)/i.exec(text);
  return m ? describeReason(m[1].trim().split('\n')[0]) : undefined;
}

/** First line of a message, URLs masked (an RPC URL embeds the provider key). */
function firstLine(s: string): string {
  return s
    .trim()
    .split('\n')[0]
    .replace(/\b(?:https?|wss?):\/\/\S+/gi, '<rpc url>')
    .slice(0, 200);
}
