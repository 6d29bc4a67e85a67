/**
 * Resolves an on-chain venue's environment block. A `testnet` block may name a deployment file
 * (`deployment_file: .basis/devnet/addresses.json`, written by `basis devnet up`): its empty `*_address` keys
 * are then filled from that file's `venues.<venue>` entry (and `leverage_executor_address` from its
 * `executors.<owner>`), before the usual `${VAR}` interpolation and address checks of
 * resolveVenueEnvironment. A block without the key (a public testnet, a mainnet fork) must list every
 * address itself, as `live` always does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { resolveConfigDir, resolveVenueEnvironment, type EnvironmentBlock } from '../../config/index.js';
import type { EnvironmentName, VenueConfig } from '../../config/schema.js';
import { ConfigError } from '../../domain/errors.js';

/** The deployment file's shape (src/devnet/devnet.ts writes it). */
export interface DeploymentFile {
  chainId: number;
  rpcUrl: string;
  venues: Record<string, Record<string, string>>;
  executors?: Record<string, string>;
}

export interface ResolveOnchainOptions {
  processEnv?: NodeJS.ProcessEnv;
  configDir?: string;
  /** The wallet's address: picks `leverage_executor_address` from the file's executors. */
  owner?: string;
  /** Reads this deployment file instead of the one the block names (tests run several devnets). */
  deploymentFile?: string;
}

/** Absolute path of a deployment file named in a block: relative paths resolve against the project root. */
export function deploymentFilePath(value: string, configDir?: string): string {
  return isAbsolute(value) ? value : resolve(dirname(resolveConfigDir(configDir)), value);
}

export function readDeploymentFile(path: string, file: string, key: string): DeploymentFile {
  if (!existsSync(path)) {
    throw new ConfigError(
      file,
      key,
      `${path} does not exist: start the devnet (basis devnet up) or fill in the addresses`,
    );
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DeploymentFile;
  } catch {
    throw new ConfigError(file, key, `${path} is not a deployment file (JSON)`);
  }
}

/** The venue's block for `environment` with devnet addresses filled in, interpolated and checked. */
export function resolveOnchainBlock(
  venue: VenueConfig,
  environment: EnvironmentName,
  opts: ResolveOnchainOptions = {},
): EnvironmentBlock {
  const file = `config/venues/${venue.venue}.yaml`;
  const raw = venue.environments[environment] as EnvironmentBlock;
  const ref = raw.deployment_file;
  if (environment !== 'testnet' || typeof ref !== 'string' || ref === '') {
    return resolveVenueEnvironment(venue, environment, opts.processEnv ?? process.env, file);
  }
  const key = `environments.${environment}.deployment_file`;
  const path = opts.deploymentFile ?? deploymentFilePath(ref, opts.configDir);
  const d = readDeploymentFile(path, file, key);
  const mine = d.venues?.[venue.venue] ?? {};
  const filled: EnvironmentBlock = { ...raw };
  for (const [k, v] of Object.entries(raw)) {
    if (v !== '' || !(k === 'address' || k.endsWith('_address'))) continue;
    if (k === 'leverage_executor_address') {
      const exec = opts.owner ? d.executors?.[opts.owner.toLowerCase()] : undefined;
      if (exec) filled[k] = exec;
      else delete filled[k];
      continue;
    }
    if (mine[k]) filled[k] = mine[k];
  }
  const patched = { ...venue, environments: { ...venue.environments, [environment]: filled } } as VenueConfig;
  return resolveVenueEnvironment(patched, environment, opts.processEnv ?? process.env, file);
}
