/**
 * `basis defi quote` against the devnet: a Uniswap V2 pair and a V3 pool with several positions, quoted from
 * their live state, exact in and exact out, with --check asking Router02 / QuoterV2 at the same block (the
 * difference is 0), --json for machines, and one-line errors for a wrong token, a bad address and a dead RPC.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Address } from 'viem';
import { main } from '../../src/cli/main.js';
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js';
import { DEVNET } from '../onchain/fixture.js';
import { deployTokens, getSqrtRatioAtTick, randomPositions, rng, v2Pair, v3Pool } from './devnetPools.js';

let devnet: Devnet;
let tokens: Address[];
let pair: Address;
let pool: { pool: Address; token0: Address; token1: Address };

beforeAll(async () => {
  if (!DEVNET) return;
  devnet = await startDevnet();
  tokens = await deployTokens(devnet, 3);
  pair = await v2Pair(devnet, tokens[0], tokens[1], 1_000n * 10n ** 18n, 2_000_000n * 10n ** 6n);
  const r = rng(7);
  pool = await v3Pool(
    devnet,
    tokens[1],
    tokens[2],
    3000,
    getSqrtRatioAtTick(-12_000),
    randomPositions(r, 3000, -12_000, 12, 200),
  );
});

afterAll(async () => {
  await devnet?.stop();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
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
  }
}

describe.skipIf(!DEVNET)('basis defi quote', () => {
  test('V2 pair: library = Router02, exact in and exact out', async () => {
    const d = devnet.deployment.uniswapV2;
    const base = ['defi', 'quote', '--rpc', devnet.rpcUrl, '--pool', pair, '--multicall', d.multicall];
    const a = await cli(
      ...base,
      '--token-in',
      tokens[0],
      '--amount-in',
      '1',
      '--check',
      '--router',
      d.router02,
    );
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    // 1 T0 (18 dec) into (1000, 2,000,000 T1 6 dec): 1e18·997·2e12 / (1000e18·1000 + 997e18) = 1,992,013,962
    expect(a.out).toContain('library: 1992013962');
    expect(a.out).toContain('difference: 0');
    const b = await cli(
      ...base,
      '--token-in',
      tokens[1],
      '--amount-in',
      '500000000000000000',
      '--raw',
      '--exact-out',
      '--check',
      '--router',
      d.router02,
      '--json',
    );
    expect(b.code).toBe(0);
    const j = JSON.parse(b.out) as {
      amountIn: string;
      amountOut: string;
      check: { amount: string; difference: string };
    };
    expect(j.amountOut).toBe('500000000000000000');
    expect(j.check.amount).toBe(j.amountIn);
    expect(j.check.difference).toBe('0');
    // the pair's own numbers: 2e12 · 0.5e18 · 1000 / ((1000e18 − 0.5e18) · 997) + 1
    const expected =
      (2_000_000n * 10n ** 6n * 5n * 10n ** 17n * 1000n) / ((1000n * 10n ** 18n - 5n * 10n ** 17n) * 997n) +
      1n;
    expect(j.amountIn).toBe(expected.toString());
  });

  test('V3 pool: library = QuoterV2 across ticks, both directions and exact out, read without multicall', async () => {
    const q = devnet.deployment.uniswap.quoterV2;
    for (const [tokenIn, amount, extra] of [
      [pool.token0, '1000000', []],
      [pool.token1, '250000', []],
      [pool.token0, '50', ['--exact-out']],
    ] as const) {
      const r = await cli(
        'defi',
        'quote',
        '--rpc',
        devnet.rpcUrl,
        '--pool',
        pool.pool,
        '--token-in',
        tokenIn,
        '--amount-in',
        amount,
        ...extra,
        '--check',
        '--quoter',
        q,
        '--json',
      );
      expect(r.err).toBe('');
      const j = JSON.parse(r.out) as {
        kind: string;
        ticks: number;
        amountIn: string;
        amountOut: string;
        check: { difference: string };
      };
      expect(j.kind).toBe('uniswap_v3');
      expect(j.ticks).toBeGreaterThan(10);
      expect(BigInt(j.amountOut)).toBeGreaterThan(0n);
      expect(j.check.difference).toBe('0');
    }
  });

  test('errors are one line naming what is wrong', async () => {
    const wrong = await cli(
      'defi',
      'quote',
      '--rpc',
      devnet.rpcUrl,
      '--pool',
      pair,
      '--token-in',
      tokens[2],
      '--amount-in',
      '1',
    );
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^basis: --token-in 0x[0-9a-fA-F]{40} is not in pool 0x[0-9a-fA-F]{40} \(/);
    expect(wrong.err.trim().split('\n')).toHaveLength(1);
    const bad = await cli(
      'defi',
      'quote',
      '--rpc',
      devnet.rpcUrl,
      '--pool',
      '0x12',
      '--token-in',
      tokens[0],
      '--amount-in',
      '1',
    );
    expect(bad.err).toBe('basis: --pool 0x12 is not an address\n');
    const dead = await cli(
      'defi',
      'quote',
      '--rpc',
      'http://127.0.0.1:9',
      '--pool',
      pair,
      '--token-in',
      tokens[0],
      '--amount-in',
      '1',
    );
    expect(dead.code).toBe(1);
    expect(dead.err).toMatch(/^basis: defi: rpc http:\/\/127\.0\.0\.1:9 does not answer/);
  });
});
