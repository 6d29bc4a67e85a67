/**
 * `basis devnet up | down | status`: a local EVM (anvil on 127.0.0.1) with the full market — Aave V3, Uniswap
 * V3, Morpho Blue, WETH9, USDT and the wstETH / weETH test tokens — for the on-chain venues' `testnet`
 * environment. `up` leaves anvil running in the background and writes the deployment file the venue
 * configs read; `down` stops it. `down` and `status` check the recorded process first: a devnet whose anvil
 * has died (or whose pid now belongs to another program) is reported as not running and its stale state
 * (the pid file and the deployment file) is removed.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Address } from 'viem';
import { anvilPidState, killPid } from '../../devnet/anvil.js';
import { defaultAddressesFile, devnetRunDir } from '../../devnet/paths.js';
import { parseDecimal } from '../../domain/decimal.js';
import { InputError, VenueError } from '../../domain/errors.js';
import { collect, out } from './util.js';

interface RunningDevnet {
  pid: number;
  rpcUrl: string;
  addressesFile: string;
  startedAt: string;
}

const runningFile = () => join(devnetRunDir(), 'devnet.json');

function recorded(): RunningDevnet | null {
  const f = runningFile();
  if (!existsSync(f)) return null;
  return JSON.parse(readFileSync(f, 'utf8')) as RunningDevnet;
}

/** Removes the pid file and the deployment file of a devnet that is gone. */
function removeState(r: RunningDevnet): void {
  rmSync(runningFile(), { force: true });
  rmSync(r.addressesFile, { force: true });
}

/** Why a recorded devnet is not running (after "pid N"), or null when its anvil is alive. */
function gone(r: RunningDevnet): string | null {
  const state = anvilPidState(r.pid);
  if (state === 'exited') return 'had exited';
  if (state === 'other') return 'now belongs to another program, left alone';
  return null;
}

/**
 * The recorded devnet when its anvil is alive. Otherwise says so — 'no devnet is running', or `stale`
 * after removing the state a dead anvil left — and returns null.
 */
function alive(stale: (pid: number, why: string) => string): RunningDevnet | null {
  const r = recorded();
  if (!r) {
    out('no devnet is running');
    return null;
  }
  const why = gone(r);
  if (why === null) return r;
  removeState(r);
  out(stale(r.pid, why));
  return null;
}

/** The devnet recorded by `up` if its anvil is alive; the stale state of a dead one is removed. */
function running(): RunningDevnet | null {
  const r = recorded();
  if (!r) return null;
  if (gone(r) === null) return r;
  removeState(r);
  return null;
}

/** Whether the node at `rpcUrl` answers eth_chainId within a few seconds. */
async function rpcAnswers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await res.json()) as { result?: unknown };
    return typeof body.result === 'string';
  } catch {
    return false;
  }
}

export function registerDevnet(program: Command): void {
  const devnet = program
    .command('devnet')
    .description('local EVM with Aave V3, Uniswap V3, Morpho Blue and test LSTs (anvil)');
  devnet
    .command('up')
    .description('start anvil on 127.0.0.1, load (or deploy) the market, write the deployment file')
    .option('--port <n>', 'port on 127.0.0.1', '8545')
    .option('--fund <address>', 'give this address ETH and a LeverageExecutor (repeatable)', collect, [])
    .option('--eth <n>', 'ETH per funded address', '100')
    .option('--file <path>', 'deployment file to write', defaultAddressesFile())
    .action(async (o: { port: string; fund: string[]; eth: string; file: string }) => {
      // viem and the deployer are loaded only by `up`
      const [{ getAddress, isAddress }, { startDevnet, writeAddressesFile }] = await Promise.all([
        import('viem'),
        import('../../devnet/devnet.js'),
      ]);
      const r = running();
      if (r)
        throw new InputError(
          `a devnet is already running at ${r.rpcUrl} (pid ${r.pid}); run basis devnet down first`,
        );
      const port = parseDecimal(o.port, '--port', { integer: true, min: 0, max: 65_535 });
      const eth = parseDecimal(o.eth, '--eth', { min: 0, exclusiveMin: true });
      for (const a of o.fund) if (!isAddress(a)) throw new InputError(`--fund ${a} is not an address`);
      mkdirSync(devnetRunDir(), { recursive: true });
      const d = await startDevnet({
        port,
        detached: true,
        logFile: join(devnetRunDir(), 'anvil.log'),
        log: out,
      });
      try {
        const funded: [Address, Address][] = [];
        for (const a of o.fund.map((x) => getAddress(x))) {
          await d.fund(a, { ETH: eth });
          funded.push([a, await d.deployExecutor(a)]);
        }
        writeAddressesFile(o.file, d);
        const state: RunningDevnet = {
          pid: d.anvil.pid,
          rpcUrl: d.rpcUrl,
          addressesFile: o.file,
          startedAt: new Date().toISOString(),
        };
        writeFileSync(runningFile(), `${JSON.stringify(state, null, 2)}\n`);
        out(
          `devnet up at ${d.rpcUrl} (chain ${d.deployment.chainId}, pid ${d.anvil.pid}); deployment file ${o.file}`,
        );
        for (const [a, x] of funded) out(`funded ${a} with ${eth} ETH; its LeverageExecutor is ${x}`);
        out(`for the testnet environment: export ALCHEMY_TESTNET_RPC_URL=${d.rpcUrl}`);
        out(
          'and WALLET_TESTNET_ADDRESS / WALLET_TESTNET_PRIVATE_KEY of a funded wallet (or a keystore: docs/onchain.md)',
        );
      } catch (err) {
        await d.stop();
        throw err;
      }
    });
  devnet
    .command('down')
    .description('stop the devnet started by basis devnet up')
    .action(async () => {
      const r = alive((pid, why) => `devnet was not running (pid ${pid} ${why}); stale state removed`);
      if (!r) return;
      await killPid(r.pid);
      removeState(r);
      out(`devnet stopped (pid ${r.pid})`);
    });
  devnet
    .command('status')
    .description('whether a devnet is running, and where')
    .action(async () => {
      const r = alive((pid, why) => `no devnet is running (stale state from pid ${pid} removed: it ${why})`);
      if (!r) return;
      if (!(await rpcAnswers(r.rpcUrl)))
        throw new VenueError(
          'devnet',
          `pid ${r.pid} is alive but its RPC at ${r.rpcUrl} does not answer (log ${join(devnetRunDir(), 'anvil.log')}); basis devnet down stops it`,
        );
      out(
        `devnet running at ${r.rpcUrl} (pid ${r.pid}, since ${r.startedAt}); deployment file ${r.addressesFile}`,
      );
    });
}
