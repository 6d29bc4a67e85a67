/**
 * Where the devnet keeps its files: compiled contracts, the saved chain state and the deployment file live
 * under `<package root>/.basis/` (gitignored), never in the repository.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest folder above this file that holds package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above src/devnet');
    dir = up;
  }
}

/** `.basis/` under the package root, or `BASIS_HOME` when set. */
export function basisHome(): string {
  return process.env.BASIS_HOME ?? join(packageRoot(), '.basis');
}

/** Folder of the devnet's saved chain states (the cache). */
export function devnetDir(): string {
  return join(basisHome(), 'devnet');
}

/** Folder of the running devnet's files (pid file, anvil log, deployment file); `BASIS_DEVNET_DIR` overrides. */
export function devnetRunDir(): string {
  return process.env.BASIS_DEVNET_DIR ?? devnetDir();
}

/** Deployment file the on-chain venue configs read (`deployment_file` in their testnet blocks). */
export function defaultAddressesFile(): string {
  return join(devnetRunDir(), 'addresses.json');
}

/** Compiled contracts (solc-js output), keyed by a hash of their sources. */
export function contractsBuildDir(): string {
  return join(basisHome(), 'contracts');
}
