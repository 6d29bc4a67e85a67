/**
 * Zod schemas for every config file: strategy modes (each family's `strategy` block is its own schema,
 * registered through config/families.ts), venues, share classes and environment presets.
 * The schema is the single source of defaults; inferred types are exported beside each schema.
 */
import { z } from 'zod';
import { ACTION_TYPES } from '../domain/types.js';
import { SignalsSchema } from './signalsSchema.js';

const fraction = z.number().min(0).max(1);
const positive = z.number().positive();

export const SHARE_CLASSES = ['USDT', 'ETH', 'BTC'] as const;
/** Capital of a run that names none (CLI and API alike), in share-class units. */
export const DEFAULT_CAPITAL: Readonly<Record<(typeof SHARE_CLASSES)[number], number>> = {
  USDT: 100_000,
  ETH: 50,
  BTC: 2,
};
export const ENVIRONMENTS = ['live', 'testnet', 'simulation'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Action type → venue name. Hedge venues come from `hedge_allocation`, not from this map. */
export const VenueMapSchema = z
  .object(
    Object.fromEntries(
      ACTION_TYPES.filter((a) => a !== 'hedge').map((a) => [
        a,
        z.string().optional().meta({ caller: 'venue' }),
      ]),
    ),
  )
  .strict();

export const RiskParamsSchema = z
  .object({
    /** CEX margin ratio (margin balance / position notional) below which an alert is raised. Default 0.15. */
    margin_ratio_warning: fraction.default(0.15),
    /** Below this margin ratio the risk override reduces positions. Default 0.1. */
    margin_ratio_critical: fraction.default(0.1),
    /** Aave health factor below which an alert is raised. Default 1.05. */
    health_factor_warning: z.number().min(1).default(1.05),
    /** Below this health factor the risk override reduces positions. Default 1.02. */
    health_factor_critical: z.number().min(1).default(1.02),
    /** Fraction of the position the risk override removes each time it acts. Default 0.25. */
    reduce_fraction: z.number().gt(0).max(1).default(0.25),
  })
  .strict();

export const ExecutionParamsSchema = z
  .object({
    /** Orders cross the spread (taker) or rest (maker). Default taker. */
    order_type: z.enum(['taker', 'maker']).default('taker'),
    /** Retries of a retryable venue error before an instruction fails. Default 3. */
    max_retries: z.number().int().min(0).max(10).default(3),
    /** Wall-clock runs: backoff before the first retry, ms (doubles per retry, full jitter). Default 500. */
    retry_base_ms: z.number().int().min(0).default(500),
    /** Wall-clock runs: longest backoff between retries, ms. Default 30000. */
    retry_max_ms: z.number().int().min(0).default(30_000),
    /** Wall-clock runs: consecutive failures that open a venue's circuit breaker. Default 5. */
    breaker_threshold: z.number().int().min(1).default(5),
    /** Wall-clock runs: how long an open breaker refuses orders before a trial, ms. Default 60000. */
    breaker_cooldown_ms: z.number().int().min(0).default(60_000),
    /** Wall-clock runs: wait before looking up an order whose outcome is unknown, ms. Default 1000. */
    lookup_delay_ms: z.number().int().min(0).default(1_000),
    /** Wall-clock runs, maker orders: rest this long, then cancel and send the rest as a market order, ms. Default 30000. */
    maker_timeout_ms: z.number().int().min(0).default(30_000),
  })
  .strict();

/**
 * Data-quality rules applied when a mode's series are read (src/data/quality.ts, docs/data.md). Rows that
 * repeat a timestamp with EQUAL values are always merged and counted in the run's notes; a corrupt value
 * (e.g. `abc` in a price column) is always an error. Every resolution below is reported in the notes.
 */
export const DataPolicySchema = z
  .object({
    /**
     * Rows repeating a timestamp with DIFFERENT values: `fail` (an error naming file, lines and values),
     * `prefer_non_placeholder` (keep the one row whose values are not all in `placeholder_values`), or
     * `drop_venue_span` (the file's rows over the span of the conflicts are dropped: the venue has no data
     * there and the hedge coverage rule decides). Default fail.
     */
    conflicting_duplicates: z.enum(['fail', 'prefer_non_placeholder', 'drop_venue_span']).default('fail'),
    /** Values a source writes when it has no real value (OKX funding: 0.0001). */
    placeholder_values: z.array(z.number()).default([]),
    /** Conflicts `prefer_non_placeholder` cannot decide (no or several real values): fail or drop_venue_span. Default fail. */
    unresolved_duplicates: z.enum(['fail', 'drop_venue_span']).default('fail'),
    /**
     * Funding events missing inside a window gap shorter than the coverage limit (48 h): `skip` (nothing
     * is paid or received at those times; count and spans in the notes) or `fail`. Default fail.
     */
    missing_funding: z.enum(['skip', 'fail']).default('fail'),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.conflicting_duplicates === 'prefer_non_placeholder' && p.placeholder_values.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['placeholder_values'],
        message: 'prefer_non_placeholder needs at least one placeholder value (e.g. [0.0001])',
      });
    }
  });
export type DataPolicy = z.infer<typeof DataPolicySchema>;

export const ModeSchema = z
  .object({
    mode: z.string().regex(/^[a-z0-9_]+$/),
    description: z.string().min(1),
    /** The strategy family (registered in src/strategies; config/families.ts checks the name). */
    family: z.string().regex(/^[a-z][a-z0-9_]*$/),
    share_class: z.enum(SHARE_CLASSES),
    /** The asset whose price the mode trades or holds (BTC, ETH, USDT). */
    asset: z.string(),
    market_neutral: z.boolean(),
    flags: z
      .object({
        lending: z.boolean(),
        staking: z.boolean(),
        basis: z.boolean(),
        borrowing: z.boolean(),
        leverage: z.boolean(),
      })
      .strict(),
    venues: VenueMapSchema,
    /** Hedge venue → fraction of the hedge notional; must sum to 1. */
    hedge_allocation: z.record(z.string().meta({ caller: 'venue' }), fraction).optional(),
    /** What to do when a hedge venue's data does not cover the window: fail, or reallocate its weight pro rata. */
    hedge_coverage_rule: z.enum(['fail', 'reallocate']).default('reallocate'),
    lst_type: z.enum(['weETH', 'wstETH']).nullable().default(null),
    /** Data-quality rules (DataPolicySchema above). */
    data_policy: DataPolicySchema.default(DataPolicySchema.parse({})),
    /** The family's parameters: checked by that family's own schema (config/families.ts, modeSchemaOf). */
    strategy: z.record(z.string(), z.unknown()).default({}),
    risk: RiskParamsSchema.default(RiskParamsSchema.parse({})),
    execution: ExecutionParamsSchema.default(ExecutionParamsSchema.parse({})),
    /** ML directional: the signal source (src/config/signalsSchema.ts, docs/ml.md). */
    signals: SignalsSchema.optional(),
  })
  .strict();
type ModeEnvelope = z.infer<typeof ModeSchema>;
/** A mode file; `S` is its family's parameters (the `strategy` block with defaults applied). */
export type ModeConfig<S extends object = Record<string, unknown>> = Omit<ModeEnvelope, 'strategy'> & {
  strategy: S;
};

const feePair = z
  .object({ maker: z.number().min(-0.01).max(0.01), taker: z.number().min(0).max(0.01) })
  .strict();
/**
 * One environment's settings (URLs, addresses, `${VAR}` credential references). `address` and keys
 * ending in `_address` must be quoted strings: YAML reads an unquoted `0x…` as a (lossy) number.
 */
const environmentBlock = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .superRefine((block, ctx) => {
    for (const [key, value] of Object.entries(block)) {
      if (key !== 'address' && !key.endsWith('_address')) continue;
      const ok =
        typeof value === 'string' &&
        (value === '' || value.includes('${') || /^0x[0-9a-fA-F]{40}$/.test(value));
      if (!ok) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected a quoted 0x-prefixed 20-byte address string, '' or a \${VAR} reference (unquoted 0x… is read as a number)`,
        });
      }
    }
  });
const environments = z
  .object({ live: environmentBlock, testnet: environmentBlock, simulation: environmentBlock })
  .strict();
const gasUnits = z.record(z.string(), z.number().int().positive());

const venueCommon = {
  venue: z.string().regex(/^[a-z0-9_]+$/),
  display_name: z.string(),
  docs: z.string().optional(),
  environments,
};

export const CexVenueSchema = z
  .object({
    ...venueCommon,
    kind: z.literal('cex'),
    fees: z.object({ spot: feePair, perp: feePair }).strict(),
    perp: z
      .object({
        /** Tier-1 maintenance margin rate per symbol (decimal). */
        maintenance_margin_rate: z.record(z.string(), fraction),
        /**
         * Tiered maintenance margin per symbol (the venue's brackets by position notional, ascending): a
         * position of notional N in the bracket up to `max_notional_usdt` needs N × rate − cum, cum making
         * the requirement continuous across brackets (Binance `cum`, Bybit/OKX maintenance deduction). The
         * first bracket's rate is the symbol's `maintenance_margin_rate`; a symbol without tiers has that
         * one rate at every notional.
         */
        maintenance_margin_tiers: z
          .record(
            z.string(),
            z.array(z.object({ max_notional_usdt: positive, rate: fraction }).strict()).min(1),
          )
          .optional(),
        max_leverage: positive,
        funding_interval_hours: positive.default(8),
        /** Multi-assets margin: asset → collateral value ratio (BTC 0.95 = a 5 % haircut); absent = USDT only. */
        collateral_ratio: z.record(z.string(), z.number().gt(0).max(1)).optional(),
      })
      .strict(),
    /** Smallest order notional the venue accepts, USDT. */
    min_order_notional_usdt: z.number().nonnegative().default(5),
    /** Symbols this venue lists: spot and perp. */
    symbols: z.object({ spot: z.array(z.string()), perp: z.array(z.string()) }).strict(),
  })
  .strict();

const reserveParams = z
  .object({
    ltv: fraction,
    liquidation_threshold: fraction,
    liquidation_bonus: z.number().min(0).max(0.5),
    decimals: z.number().int().min(0).max(36),
  })
  .strict();

export const LendingVenueSchema = z
  .object({
    ...venueCommon,
    kind: z.literal('lending'),
    protocol_version: z.string(),
    reserves: z.record(z.string(), reserveParams),
    emode: z
      .object({
        category_id: z.number().int(),
        label: z.string(),
        ltv: fraction,
        liquidation_threshold: fraction,
        liquidation_bonus: z.number().min(0).max(0.5),
        assets: z.array(z.string()),
      })
      .strict()
      .optional(),
    liquidation_protocol_fee: fraction.default(0.1),
    gas_units: gasUnits,
  })
  .strict();

export const WalletVenueSchema = z
  .object({ ...venueCommon, kind: z.literal('wallet'), gas_units: gasUnits })
  .strict();

const bps = z.number().min(0).max(10_000);

/** An LST issuer (ether.fi, Lido). */
export const StakingVenueSchema = z
  .object({
    ...venueCommon,
    kind: z.literal('staking'),
    params: z
      .object({
        /** The token this venue issues (weETH, wstETH). */
        lst_symbol: z.string().min(1),
        /** The rebasing token the LST wraps (eETH, stETH); informational. */
        rebasing_token: z.string().optional(),
        /** How ETH becomes the LST: minted by the protocol, or bought on the DEX. */
        route: z.enum(['mint', 'dex']),
        /** How the LST becomes ETH: the protocol's withdrawal queue, or sold on the DEX. */
        exit_route: z.enum(['queue', 'dex']),
        /** Withdrawal queue delay, hours. Default 0. */
        unstake_delay_hours: z.number().min(0).default(0),
        /** Smallest stake the protocol accepts, ETH. Default 0. */
        min_stake_eth: z.number().min(0).default(0),
      })
      .strict(),
    gas_units: gasUnits.default({}),
  })
  .strict();

/** A flash lender (Morpho Blue through our executor, Instadapp's DSA). */
export const FlashLoanVenueSchema = z
  .object({
    ...venueCommon,
    kind: z.literal('flash_loan'),
    params: z
      .object({
        /** Premium on the amount borrowed, basis points. Default 0. */
        fee_bps: bps.default(0),
        /** How a flash-loan group is sent: our LeverageExecutor, or an Instadapp DSA cast. Default executor. */
        route: z.enum(['executor', 'dsa_cast']).default('executor'),
        /** Instadapp flash-loan route id (dsa_cast). */
        route_id: z.number().int().min(0).optional(),
      })
      .strict()
      .default({ fee_bps: 0, route: 'executor' }),
    gas_units: gasUnits.default({}),
  })
  .strict();

/** A DEX (Uniswap V3). */
export const DexVenueSchema = z
  .object({
    ...venueCommon,
    kind: z.literal('dex'),
    params: z
      .object({
        /** Pool fee of non-LST pairs, basis points. */
        fee_tier_bps: bps.lt(10_000),
        /** Pool fee of LST/WETH pairs, basis points; default fee_tier_bps. */
        lst_fee_tier_bps: bps.lt(10_000).optional(),
        /** Largest slippage a swap may be sent with, basis points; absent = no cap. */
        max_slippage_bps: bps.optional(),
      })
      .strict(),
    gas_units: gasUnits.default({}),
  })
  .strict();

export const VenueSchema = z.discriminatedUnion('kind', [
  CexVenueSchema,
  LendingVenueSchema,
  WalletVenueSchema,
  StakingVenueSchema,
  FlashLoanVenueSchema,
  DexVenueSchema,
]);
export type VenueConfig = z.infer<typeof VenueSchema>;
export type CexVenueConfig = z.infer<typeof CexVenueSchema>;
export type LendingVenueConfig = z.infer<typeof LendingVenueSchema>;
export type StakingVenueConfig = z.infer<typeof StakingVenueSchema>;
export type FlashLoanVenueConfig = z.infer<typeof FlashLoanVenueSchema>;
export type DexVenueConfig = z.infer<typeof DexVenueSchema>;

export const ShareClassSchema = z
  .object({
    share_class: z.enum(SHARE_CLASSES),
    description: z.string(),
    /** Token the share class is held and reported in. */
    quote_asset: z.string(),
    decimals: z.number().int(),
    market_neutral: z.boolean(),
  })
  .strict();
export type ShareClassConfig = z.infer<typeof ShareClassSchema>;

export const EnvironmentPresetSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    default: z.enum(ENVIRONMENTS),
    /** Per-venue override of the default environment. */
    venues: z.record(z.string(), z.enum(ENVIRONMENTS)).default({}),
  })
  .strict();
export type EnvironmentPreset = z.infer<typeof EnvironmentPresetSchema>;
