/**
 * The saved devnet chain: after the first deployment the whole chain (anvil_dumpState) and the deployment's
 * addresses are written to `.basis/devnet/state-<key>.json`; later starts load it (anvil_loadState) instead of
 * deploying again. The key hashes everything the chain is built from: the solc build, the protocol package
 * versions, the anvil version, the deployment scripts and the Aave venue file, so any change redeploys.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hex } from 'viem';
import { resolveConfigDir } from '../config/index.js';
import { anvilVersion } from './anvil.js';
import { packageVersions } from './artifacts.js';
import { sourcesHash } from './compile.js';
import type { DevnetDeployment } from './deploy/index.js';
import { devnetDir, packageRoot } from './paths.js';

export interface SavedDevnet {
  key: string;
  createdAt: string;
  deployment: DevnetDeployment;
  /** anvil_dumpState output. */
  state: Hex;
}

/** Source files of the deployment: the TypeScript sources when present, else the running build. */
function deployScripts(): string[] {
  const tsDir = join(packageRoot(), 'src', 'devnet', 'deploy');
  const dir = existsSync(tsDir) ? tsDir : join(dirname(fileURLToPath(import.meta.url)), 'deploy');
  return readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => join(dir, f));
}

/** Hash of everything the saved chain is built from. */
export function stateKey(): string {
  const h = createHash('sha256');
  h.update(`contracts ${sourcesHash()}\n`);
  h.update(`packages ${JSON.stringify(packageVersions())}\n`);
  h.update(`anvil ${anvilVersion()}\n`);
  for (const f of deployScripts()) h.update(`${f.slice(f.lastIndexOf('/'))}\n${readFileSync(f, 'utf8')}\n`);
  h.update(readFileSync(join(resolveConfigDir(), 'venues', 'aave_v3.yaml'), 'utf8'));
  return h.digest('hex').slice(0, 16);
}

export function statePath(key: string): string {
  return join(devnetDir(), `state-${key}.json`);
}

export function readSavedState(key: string): SavedDevnet | null {
  const file = statePath(key);
  if (!existsSync(file)) return null;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedDevnet;
  return saved.key === key ? saved : null;
}

export function writeSavedState(saved: SavedDevnet): string {
  const file = statePath(saved.key);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(saved));
  renameSync(tmp, file);
  // states of other keys are stale (their sources changed): keep only this one
  for (const f of readdirSync(dirname(file))) {
    if (/^state-[0-9a-f]{16}\.json$/.test(f) && f !== `state-${saved.key}.json`)
      rmSync(join(dirname(file), f), { force: true });
  }
  return file;
}
