/**
 * Vitest global setup: builds the saved devnet state once (compile + deploy on a throwaway anvil, about 15 s
 * the first time, nothing later) so every on-chain test file starts its own anvil from it in well under a
 * second; the teardown kills any anvil a crashed worker left behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anvilBinary, isAlive, killPid } from '../../src/devnet/anvil.js';
import { ensureDevnetState } from '../../src/devnet/devnet.js';

let registry = '';

export async function setup(): Promise<void> {
  registry = mkdtempSync(join(tmpdir(), 'basis-anvil-pids-'));
  process.env.BASIS_ANVIL_PID_DIR = registry;
  try {
    anvilBinary();
  } catch (err) {
    // linux x64 installs anvil with npm ci: its absence there is a broken install, not a platform gap
    if (process.platform === 'linux' && process.arch === 'x64') throw err;
    process.stderr.write(`on-chain tests skipped: ${(err as Error).message}\n`);
    return;
  }
  await ensureDevnetState();
}

export async function teardown(): Promise<void> {
  if (!registry) return;
  for (const f of readdirSync(registry)) {
    const pid = Number(f);
    if (Number.isInteger(pid) && isAlive(pid) && isAnvil(pid)) await killPid(pid);
  }
  rmSync(registry, { recursive: true, force: true });
}

/** The pid is still an anvil (not a recycled pid of something else). */
function isAnvil(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('anvil');
  } catch {
    return false;
  }
}
