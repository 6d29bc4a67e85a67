/**
 * `basis devnet up | down | status`: a local EVM (anvil on 127.0.0.1) with the full market — Aave V3, Uniswap
 * V3, Morpho Blue, WETH9, USDT and the wstETH / weETH test tokens — for the on-chain venues' `testnet`
 * environment. `up` leaves anvil running in the background and writes the deployment file the venue
 * configs read; `down` stops it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Address } from 'viem';
import { isAlive, killPid } from '../../devnet/anvil.js';
import { defaultAddressesFile, devnetRunDir } from '../../devnet/paths.js';
import { parseDecimal } from '../../domain/decimal.js';
import { InputError } from '../../domain/errors.js';
import { collect, out } from './util.js';

interface RunningDevnet {
  pid: number;
  rpcUrl: string;
  addressesFile: string;
  startedAt: string;
}

const runningFile = () => join(devnetRunDir(), 'devnet.json');

function running(): RunningDevnet | null {
  const f = runningFile();
  if (!existsSync(f)) return null;
  const r = JSON.parse(readFileSync(f, 'utf8')) as RunningDevnet;
  return isAlive(r.pid) ? r : null;
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
      const f = runningFile();
      const r = existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as RunningDevnet) : null;
      if (!r) {
        out('no devnet is running');
        return;
      }
      await killPid(r.pid);
      rmSync(f, { force: true });
      rmSync(r.addressesFile, { force: true });
      out(`devnet stopped (pid ${r.pid})`);
    });
  devnet
    .command('status')
    .description('whether a devnet is running, and where')
    .action(() => {
      const r = running();
      out(
        r
          ? `devnet running at ${r.rpcUrl} (pid ${r.pid}, since ${r.startedAt}); deployment file ${r.addressesFile}`
          : 'no devnet is running',
      );
    });
}
