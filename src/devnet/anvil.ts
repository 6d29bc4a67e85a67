/**
 * The anvil process (Foundry's local EVM, from the `@foundry-rs/anvil-linux-amd64` npm package, else `anvil`
 * on PATH), always bound to 127.0.0.1. Started either attached (tests: killed with this process) or detached
 * (`basis devnet up`: survives the CLI, stopped by `basis devnet down` through its pid file).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { InputError } from '../domain/errors.js';

const require = createRequire(import.meta.url);
export const DEVNET_CHAIN_ID = 31337;
const LISTENING = /Listening on 127\.0\.0\.1:(\d+)/;

/** Path of the anvil binary; one clear InputError when there is none. */
export function anvilBinary(): string {
  try {
    const pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json');
    const bin = join(dirname(pkg), 'bin', 'anvil');
    if (existsSync(bin)) return bin;
  } catch {
    // not installed (optional dependency of another platform): look on PATH
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const bin = join(dir, 'anvil');
    if (dir && existsSync(bin)) return bin;
  }
  throw new InputError(
    "anvil not found: install the optional dependency @foundry-rs/anvil-linux-amd64 (npm ci on linux x64) or put Foundry's anvil on PATH",
  );
}

/** `anvil --version` first line (part of the saved-state key). */
export function anvilVersion(): string {
  const r = spawnSync(anvilBinary(), ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n')[0].trim();
}

/**
 * Attached anvils are also listed as empty files named by pid in `BASIS_ANVIL_PID_DIR` when it is set (the
 * test suite's global teardown kills whatever a crashed worker left behind).
 */
export interface AnvilOptions {
  /** Port on 127.0.0.1; 0 = any free port (default). */
  port?: number;
  /** Detached: stdout goes to `logFile` and the process outlives this one. */
  detached?: boolean;
  logFile?: string;
  /** Seconds to wait for the RPC to come up. Default 20. */
  timeoutSeconds?: number;
}

export interface AnvilProcess {
  rpcUrl: string;
  port: number;
  pid: number;
  /** Kills the process (attached ones also die with this process). */
  stop(): Promise<void>;
}

const attached = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Attached anvils die with this process: on exit, and on a terminating signal (then re-raised). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const c of attached) c.kill('SIGKILL');
    attached.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

function args(port: number): string[] {
  return [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--chain-id',
    String(DEVNET_CHAIN_ID),
    '--accounts',
    '10',
    '--balance',
    '1000000',
  ];
}

/** Starts anvil and resolves once its JSON-RPC answers. */
export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilProcess> {
  const bin = anvilBinary();
  const timeoutMs = (opts.timeoutSeconds ?? 20) * 1000;
  if (opts.detached) {
    if (!opts.logFile) throw new Error('startAnvil: a detached anvil needs a logFile');
    const fd = openSync(opts.logFile, 'w');
    const child = spawn(bin, args(opts.port ?? 0), { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
    const port = await waitFor(timeoutMs, () => {
      const m = LISTENING.exec(readFileSync(opts.logFile!, 'utf8'));
      if (m) return Number(m[1]);
      if (child.exitCode !== null)
        throw new Error(`anvil exited with code ${child.exitCode}; see ${opts.logFile}`);
      return undefined;
    });
    return handle(child.pid!, port, async () => killPid(child.pid!));
  }
  installExitHook();
  const child = spawn(bin, args(opts.port ?? 0), { stdio: ['ignore', 'pipe', 'pipe'] });
  attached.add(child);
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`anvil did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = LISTENING.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited with code ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
  child.stderr!.resume();
  const registry = process.env.BASIS_ANVIL_PID_DIR;
  const pidFile = registry ? join(registry, String(child.pid)) : null;
  if (pidFile) writeFileSync(pidFile, '');
  return handle(child.pid!, port, async () => {
    attached.delete(child);
    if (pidFile) rmSync(pidFile, { force: true });
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  });
}

function handle(pid: number, port: number, stop: () => Promise<void>): AnvilProcess {
  return { rpcUrl: `http://127.0.0.1:${port}`, port, pid, stop };
}

/** Sends SIGTERM to `pid` and waits (up to 5 s) until it is gone; SIGKILL after that. */
export async function killPid(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * What runs under a recorded anvil pid: `anvil`, `exited` (no such process, or a zombie waiting to be
 * reaped), or `other` (the pid was reused by another program — never signal it). Linux reads /proc; elsewhere
 * a live pid counts as anvil.
 */
export function anvilPidState(pid: number): 'anvil' | 'exited' | 'other' {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return 'exited';
  if (process.platform !== 'linux') return 'anvil';
  let stat: string;
  let cmdline: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'exited';
  }
  // "pid (comm) state …": the state follows the last ')'
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return 'exited';
  const argv0 = cmdline.split('\0')[0] ?? '';
  return /(^|\/)anvil$/.test(argv0) ? 'anvil' : 'other';
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`anvil did not start within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
