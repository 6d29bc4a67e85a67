/**
 * Environment manager: decides the environment of every venue a mode needs (one environment for all, a
 * preset from config/environments, per-venue overrides), and validates everything a wall-clock run
 * needs before any network call: each venue has a client for its environment, its environment block
 * resolves (credentials present: the error names the variable, never its value), its URLs are there,
 * and `live` was confirmed explicitly. The result says which client to build for each venue; the venue
 * client factory (factory.ts) builds exactly those.
 */
import { settingText } from '../domain/secret.js';
import type { EnvironmentBlock } from '../config/interpolate.js';
import { redactEnvironmentBlock, resolveVenueEnvironment } from '../config/interpolate.js';
import { environmentForVenue, loadEnvironmentPreset, resolveConfigDir, displayPath } from '../config/load.js';
import { dirname } from 'node:path';
import { ENVIRONMENTS, type EnvironmentName } from '../config/schema.js';
import type { ResolvedMode } from '../config/validate.js';
import { ConfigError, InputError } from '../domain/errors.js';
import { CREDENTIAL_KEYS, REQUIRED_URL_KEYS, isSupportedExchange } from './cex/exchange.js';
import { onchainOwner } from './onchain/owner.js';
import { resolveOnchainBlock } from './onchain/config.js';

export type ClientKind =
  /** Simulated venue fed by the historical dataset or by live market data (paper trading). */
  | 'simulated'
  /** A real exchange through ccxt (testnet or live). */
  | 'ccxt'
  /** An on-chain venue through viem (testnet: any RPC URL, e.g. the devnet; live: mainnet). */
  | 'onchain';

/** Venue kinds with an on-chain client (src/venues/onchain). */
export const ONCHAIN_KINDS: readonly string[] = ['lending', 'staking', 'flash_loan', 'dex', 'wallet'];

export interface VenuePlan {
  venue: string;
  kind: string;
  environment: EnvironmentName;
  client: ClientKind;
  /** The venue's resolved block for its environment (secrets included: never log it; see `redacted`). */
  settings: EnvironmentBlock;
  /** Where the block comes from, for messages. */
  source: { file: string; path: string };
}

export interface EnvironmentPlan {
  venues: VenuePlan[];
  /** Whether any venue trades for real money. */
  live: boolean;
  describe(): {
    venue: string;
    environment: EnvironmentName;
    client: ClientKind;
    settings: EnvironmentBlock;
  }[];
}

export interface PlanOptions {
  resolved: ResolvedMode;
  configDir?: string;
  /** One environment for every venue (`--environment` / ENVIRONMENT). */
  environment?: string;
  /** A preset name from config/environments (per-venue environments). */
  preset?: string;
  /** Per-venue environments (`--venue-env binance=testnet`), applied last. */
  overrides?: Record<string, string>;
  /** `--confirm-live`: required when any venue runs live. */
  confirmLive: boolean;
  processEnv?: NodeJS.ProcessEnv;
  /**
   * Whether the caller drives on-chain clients (default true). The wall-clock runner passes false: it refuses
   * on-chain venues outside simulation before anything is resolved.
   */
  onchainClients?: boolean;
  /** Reads this devnet deployment file instead of the one the testnet blocks name (tests run several devnets). */
  deploymentFile?: string;
}

/**
 * On-chain venues of a run share one chain and one wallet: either all of the mode's non-CEX venues run on
 * chain, in the same environment, or none does.
 */
function checkOnchainEnvironments(
  resolved: ResolvedMode,
  chosen: { venue: string; environment: EnvironmentName }[],
): void {
  const chainVenues = chosen.filter((c) => ONCHAIN_KINDS.includes(resolved.venues[c.venue].kind));
  const onChain = chainVenues.filter((c) => c.environment !== 'simulation');
  if (onChain.length === 0) return;
  const envs = [...new Set(chainVenues.map((c) => c.environment))];
  if (envs.length > 1)
    throw new InputError(
      `on-chain venues share one chain and wallet: run ${chainVenues.map((c) => c.venue).join(', ')} in one environment (received ${chainVenues.map((c) => `${c.venue}=${c.environment}`).join(', ')})`,
    );
  if (!chainVenues.some((c) => resolved.venues[c.venue].kind === 'wallet'))
    throw new InputError(
      `on-chain venues ${onChain.map((c) => c.venue).join(', ')} need the mode's wallet venue (wallet_transfer) to sign`,
    );
}

export function parseEnvironment(value: string, what: string): EnvironmentName {
  if ((ENVIRONMENTS as readonly string[]).includes(value)) return value as EnvironmentName;
  throw new InputError(`${what} "${value}" is not an environment; expected simulation, testnet or live`);
}

/** Parses `venue=environment`. */
export function parseVenueEnvironment(text: string): [string, EnvironmentName] {
  const eq = text.indexOf('=');
  if (eq <= 0)
    throw new InputError(`--venue-env "${text}": expected VENUE=ENVIRONMENT, e.g. binance=testnet`);
  return [text.slice(0, eq), parseEnvironment(text.slice(eq + 1), `--venue-env ${text.slice(0, eq)}`)];
}

/** Validates the run's environments; throws ConfigError / InputError with one line, before any I/O but config reads. */
export function planEnvironments(o: PlanOptions): EnvironmentPlan {
  const { resolved } = o;
  const env = o.processEnv ?? process.env;
  const configDir = resolveConfigDir(o.configDir);
  const needed = resolved.requiredVenues;
  if (o.environment !== undefined && o.preset !== undefined)
    throw new InputError('give either --environment or --preset, not both');
  const base = o.environment !== undefined ? parseEnvironment(o.environment, 'environment') : undefined;
  const preset = o.preset !== undefined ? loadEnvironmentPreset(o.preset, o.configDir) : undefined;
  if (base === undefined && preset === undefined)
    throw new InputError(
      'no environment: pass --environment simulation|testnet|live (or set ENVIRONMENT), or --preset NAME',
    );
  for (const venue of Object.keys(o.overrides ?? {})) {
    if (!needed.includes(venue))
      throw new InputError(
        `unknown venue "${venue}" in --venue-env: mode ${resolved.mode.mode} uses ${needed.join(', ')}`,
      );
  }
  const chosen = needed.map((venue) => {
    const override = o.overrides?.[venue];
    const environment =
      override !== undefined
        ? parseEnvironment(override, `--venue-env ${venue}`)
        : preset
          ? environmentForVenue(preset, venue)
          : base!;
    return { venue, environment };
  });
  const live = chosen.filter((c) => c.environment === 'live').map((c) => c.venue);
  if (live.length > 0 && !o.confirmLive)
    throw new InputError(
      `environment live trades real money on ${live.join(', ')}: pass --confirm-live to proceed`,
    );

  if (o.onchainClients === false) {
    const chain = chosen.find(
      (c) => c.environment !== 'simulation' && ONCHAIN_KINDS.includes(resolved.venues[c.venue].kind),
    );
    if (chain)
      throw new InputError(
        `${chain.venue} (${resolved.venues[chain.venue].kind}) has no ${chain.environment} client in the wall-clock runner in this version (on-chain venues: docs/onchain.md); run it in simulation (e.g. --preset cex_testnet_onchain_simulated or --venue-env ${chain.venue}=simulation)`,
      );
  }
  checkOnchainEnvironments(resolved, chosen);
  // The executor of a devnet deployment file is the wallet's: resolve the wallet's block first.
  const chain = chosen.find(
    (c) => c.environment !== 'simulation' && resolved.venues[c.venue].kind === 'wallet',
  );
  const owner = chain
    ? onchainOwner(
        resolveOnchainBlock(resolved.venues[chain.venue], chain.environment, {
          processEnv: env,
          configDir: o.configDir,
          deploymentFile: o.deploymentFile,
        }),
        {
          file: displayPath(configDir, `${configDir}/venues/${chain.venue}.yaml`),
          path: `environments.${chain.environment}`,
          baseDir: dirname(configDir),
        },
      )
    : undefined;

  const venues: VenuePlan[] = chosen.map(({ venue, environment }) => {
    const cfg = resolved.venues[venue];
    const file = displayPath(configDir, `${configDir}/venues/${venue}.yaml`);
    const source = { file, path: `environments.${environment}` };
    let client: ClientKind = 'simulated';
    if (environment !== 'simulation') {
      if (cfg.kind === 'cex' && isSupportedExchange(venue)) client = 'ccxt';
      else if (ONCHAIN_KINDS.includes(cfg.kind)) client = 'onchain';
      else
        throw new InputError(
          `${venue} (${cfg.kind}) has no ${environment} client in this version; run it in simulation (e.g. --preset cex_testnet_onchain_simulated or --venue-env ${venue}=simulation)`,
        );
    }
    const settings =
      client === 'onchain'
        ? resolveOnchainBlock(cfg, environment, {
            processEnv: env,
            configDir: o.configDir,
            owner,
            deploymentFile: o.deploymentFile,
          })
        : resolveVenueEnvironment(cfg, environment, env, file);
    if (client === 'onchain' && cfg.kind === 'flash_loan' && !('morpho_address' in settings))
      throw new InputError(
        `${venue} (flash_loan) has no ${environment} client in this version (the Morpho executor route is the on-chain default; see docs/onchain.md)`,
      );
    if (client === 'onchain') {
      const v = settings.rpc_url;
      if (typeof v !== 'string' || v.length === 0)
        throw new ConfigError(
          file,
          `${source.path}.rpc_url`,
          `missing (needed by the ${environment} client)`,
        );
    }
    if (cfg.kind === 'cex' && isSupportedExchange(venue)) {
      // Real clients need their URLs and keys; a simulated CEX reads live prices from public URLs.
      const need = [...REQUIRED_URL_KEYS[venue], ...(client === 'ccxt' ? CREDENTIAL_KEYS[venue] : [])];
      for (const key of need) {
        if (settingText(settings[key]) === undefined) {
          const why =
            client === 'ccxt'
              ? `needed by the ${environment} client`
              : 'paper trading reads live market data from this public endpoint';
          throw new ConfigError(file, `${source.path}.${key}`, `missing (${why})`);
        }
      }
    }
    if (cfg.kind === 'wallet' && client === 'simulated') {
      const v = settings.gas_rpc_url;
      if (typeof v !== 'string' || v.length === 0)
        throw new ConfigError(
          file,
          `${source.path}.gas_rpc_url`,
          'missing (the simulated wallet prices gas from this JSON-RPC endpoint)',
        );
    }
    return { venue, kind: cfg.kind, environment, client, settings, source };
  });

  return {
    venues,
    live: live.length > 0,
    describe: () =>
      venues.map((v) => ({
        venue: v.venue,
        environment: v.environment,
        client: v.client,
        settings: redactEnvironmentBlock(v.settings),
      })),
  };
}
