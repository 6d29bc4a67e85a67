/**
 * The devnet itself: what the saved state holds (Aave V3 reserves and e-mode from config/venues/aave_v3.yaml,
 * Uniswap V3 pools at the starting prices, Morpho Blue's flash-loan liquidity, the LST test tokens and their
 * admin-stepped rates), and `basis devnet up | status | down` leaving nothing running, and telling the truth
 * about a devnet whose anvil has died.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { erc20Abi, formatUnits, parseAbi, type Address } from 'viem';
import { main } from '../../src/cli/main.js';
import { loadVenue } from '../../src/config/index.js';
import type { LendingVenueConfig } from '../../src/config/schema.js';
import { anvilPidState, isAlive } from '../../src/devnet/anvil.js';
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js';
import { LIQUIDITY, START } from '../../src/devnet/deploy/params.js';
import { poolAbi } from '../../src/venues/onchain/aave/abi.js';
import { poolAbi as uniPoolAbi } from '../../src/venues/onchain/uniswap/abi.js';
import { DEVNET } from './fixture.js';

let d: Devnet;

beforeAll(async () => {
  if (!DEVNET) return;
  d = await startDevnet();
});

afterAll(async () => {
  if (!DEVNET) return;
  await d?.stop();
});

const configurationAbi = parseAbi([
  'function getConfiguration(address asset) view returns ((uint256 data))',
  'function getEModeCategoryData(uint8 id) view returns ((uint16 ltv, uint16 liquidationThreshold, uint16 liquidationBonus, address priceSource, string label))',
  'function getAssetPrice(address asset) view returns (uint256)',
]);

describe.skipIf(!DEVNET)('the devnet market', () => {
  test('Aave V3 reserves and e-mode carry the venue file parameters', async () => {
    const cfg = loadVenue('aave_v3') as LendingVenueConfig;
    const pool = d.deployment.aave.pool;
    for (const [sym, r] of Object.entries(cfg.reserves)) {
      const asset = d.deployment.aave.reserves[sym].asset;
      const { data } = await d.pub.readContract({
        address: pool,
        abi: configurationAbi,
        functionName: 'getConfiguration',
        args: [asset],
      });
      // ReserveConfiguration bit layout: 0-15 LTV, 16-31 LT, 32-47 bonus, 48-55 decimals, 168-175 e-mode category
      const bits = (from: number, n: number) => Number((data >> BigInt(from)) & ((1n << BigInt(n)) - 1n));
      expect(bits(0, 16), `${sym} ltv`).toBe(Math.round(r.ltv * 10_000));
      expect(bits(16, 16), `${sym} lt`).toBe(Math.round(r.liquidation_threshold * 10_000));
      expect(bits(32, 16), `${sym} bonus`).toBe(10_000 + Math.round(r.liquidation_bonus * 10_000));
      expect(bits(48, 8), `${sym} decimals`).toBe(r.decimals);
      expect(bits(168, 8), `${sym} e-mode`).toBe(
        cfg.emode!.assets.includes(sym) ? cfg.emode!.category_id : 0,
      );
    }
    const em = await d.pub.readContract({
      address: pool,
      abi: configurationAbi,
      functionName: 'getEModeCategoryData',
      args: [1],
    });
    expect(em).toMatchObject({
      ltv: 9300,
      liquidationThreshold: 9500,
      liquidationBonus: 10100,
      label: 'ETH correlated',
    });
  });

  test('oracle prices: ETH/USD from its feed, the LSTs at ETH × their own rate', async () => {
    const oracle = d.deployment.aave.oracle;
    const price = async (a: Address) =>
      Number(
        await d.pub.readContract({
          address: oracle,
          abi: configurationAbi,
          functionName: 'getAssetPrice',
          args: [a],
        }),
      ) / 1e8;
    const t = d.deployment.tokens;
    expect(await price(t.WETH)).toBe(START.ethUsd);
    expect(await price(t.USDT)).toBe(1);
    expect(await price(t.weETH)).toBeCloseTo(START.ethUsd * START.weEthRate, 6);
    expect(await price(t.wstETH)).toBeCloseTo(START.ethUsd * START.wstEthRate, 6);
    await d.setLstRate('wstETH', 1.2);
    expect(await price(t.wstETH)).toBeCloseTo(START.ethUsd * 1.2, 6);
  });

  test('the reserves have utilisation, so interest accrues', async () => {
    const r = await d.pub.readContract({
      address: d.deployment.aave.pool,
      abi: poolAbi,
      functionName: 'getReserveData',
      args: [d.deployment.tokens.WETH],
    });
    const borrowApr = Number(r.currentVariableBorrowRate) / 1e27;
    const u = LIQUIDITY.aaveBorrows.WETH / LIQUIDITY.aave.WETH;
    expect(borrowApr).toBeCloseTo((0.027 * u) / 0.9, 9); // base 0 + slope1 · U / Uopt below the kink
  });

  test('Uniswap V3 pools sit at the starting prices; Morpho Blue holds the flash-loan liquidity', async () => {
    const weth = d.deployment.tokens.WETH;
    for (const [pair, price] of [
      ['weETH/WETH', START.weEthRate],
      ['wstETH/WETH', START.wstEthRate],
    ] as const) {
      const pool = d.deployment.uniswap.pools[pair].address;
      const [sqrtPriceX96] = await d.pub.readContract({
        address: pool,
        abi: uniPoolAbi,
        functionName: 'slot0',
      });
      const token0 = await d.pub.readContract({ address: pool, abi: uniPoolAbi, functionName: 'token0' });
      const p = (Number(sqrtPriceX96) / 2 ** 96) ** 2; // token1 per token0
      expect(token0.toLowerCase() === weth.toLowerCase() ? 1 / p : p).toBeCloseTo(price, 9);
    }
    const held = await d.pub.readContract({
      address: weth,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [d.deployment.morpho.morpho],
    });
    expect(Number(formatUnits(held, 18))).toBe(LIQUIDITY.morphoWeth);
  });
});

/** Runs `basis …` in this process with BASIS_DEVNET_DIR = `dir`; returns the exit code and what it printed. */
async function cli(dir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const prev = process.env.BASIS_DEVNET_DIR;
  process.env.BASIS_DEVNET_DIR = dir;
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    if (prev === undefined) delete process.env.BASIS_DEVNET_DIR;
    else process.env.BASIS_DEVNET_DIR = prev;
  }
}

/** Bounded polling until the process is gone (killed and reaped); the deadline only bounds a hang. */
async function exited(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (anvilPidState(pid) !== 'exited') {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still running 30 s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!DEVNET)('basis devnet up | status | down', () => {
  test('starts a background anvil on loopback, writes the deployment file, and stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basis-devnet-cli-'));
    try {
      const up = await cli(
        dir,
        'devnet',
        'up',
        '--port',
        '0',
        '--fund',
        '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      );
      expect(up.code, up.err).toBe(0);
      const file = join(dir, 'addresses.json');
      const running = JSON.parse(readFileSync(join(dir, 'devnet.json'), 'utf8')) as {
        pid: number;
        rpcUrl: string;
      };
      expect(running.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(isAlive(running.pid)).toBe(true);
      expect(anvilPidState(running.pid)).toBe('anvil');
      const deployed = JSON.parse(readFileSync(file, 'utf8')) as {
        venues: Record<string, Record<string, string>>;
        executors: Record<string, string>;
      };
      expect(deployed.venues.aave_v3.pool_address).toMatch(/^0x[0-9a-fA-F]{40}$/);
      expect(Object.keys(deployed.executors)).toEqual(['0x70997970c51812dc3a010c7d01b50e0d17dc79c8']);
      expect(up.out).toContain(`export ALCHEMY_TESTNET_RPC_URL=${running.rpcUrl}`);
      const status = await cli(dir, 'devnet', 'status');
      expect(status.code).toBe(0);
      expect(status.out).toContain(`devnet running at ${running.rpcUrl} (pid ${running.pid}`);
      expect(await cli(dir, 'devnet', 'down')).toEqual({
        code: 0,
        out: `devnet stopped (pid ${running.pid})\n`,
        err: '',
      });
      expect(isAlive(running.pid)).toBe(false);
      expect(existsSync(file)).toBe(false);
      expect(await cli(dir, 'devnet', 'status')).toEqual({ code: 0, out: 'no devnet is running\n', err: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a devnet whose anvil died: status and down say it was not running and remove the stale state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basis-devnet-dead-'));
    const pidFile = join(dir, 'devnet.json');
    const file = join(dir, 'addresses.json');
    const upAndKill = async (): Promise<number> => {
      const up = await cli(dir, 'devnet', 'up', '--port', '0');
      expect(up.code, up.err).toBe(0);
      const { pid } = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number };
      process.kill(pid, 'SIGKILL');
      await exited(pid);
      return pid;
    };
    try {
      const a = await upAndKill();
      expect(await cli(dir, 'devnet', 'status')).toEqual({
        code: 0,
        out: `no devnet is running (stale state from pid ${a} removed: it had exited)\n`,
        err: '',
      });
      expect(existsSync(pidFile)).toBe(false);
      expect(existsSync(file)).toBe(false);

      const b = await upAndKill();
      expect(await cli(dir, 'devnet', 'down')).toEqual({
        code: 0,
        out: `devnet was not running (pid ${b} had exited); stale state removed\n`,
        err: '',
      });
      expect(existsSync(pidFile)).toBe(false);
      expect(existsSync(file)).toBe(false);
      expect(await cli(dir, 'devnet', 'down')).toEqual({ code: 0, out: 'no devnet is running\n', err: '' });

      // a pid reused by another program (here: this test process) is never signalled
      writeFileSync(
        pidFile,
        JSON.stringify({
          pid: process.pid,
          rpcUrl: 'http://127.0.0.1:1',
          addressesFile: file,
          startedAt: '',
        }),
      );
      expect(await cli(dir, 'devnet', 'down')).toEqual({
        code: 0,
        out: `devnet was not running (pid ${process.pid} now belongs to another program, left alone); stale state removed\n`,
        err: '',
      });
      expect(existsSync(pidFile)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
