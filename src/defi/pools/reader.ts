/**
 * Pool state over viem: Uniswap V2 reserves, Uniswap V3 slot0 / liquidity / every initialized tick found
 * through the tick bitmap, read in batches through Multicall3's `aggregate3` (the canonical deployment, or
 * the devnet's own `Multicall`), all at one block. A V3 read can be limited to a window of bitmap words around
 * the current tick; the snapshot then records the bounds and a swap that would leave them fails loudly.
 */
import type { Abi, Address, PublicClient } from 'viem';
import { getAddress } from 'viem';
import { MAX_TICK, MIN_TICK, type V3PoolState } from '../amm/index.js';
import { MULTICALL3_ADDRESS, V2_PAIR_ABI, V3_POOL_ABI } from './abis.js';

export interface V2PairSnapshot {
  kind: 'uniswap_v2';
  address: Address;
  token0: Address;
  token1: Address;
  reserve0: bigint;
  reserve1: bigint;
  /** Fee in basis points (30 for Uniswap V2). */
  feeBps: bigint;
}

export interface V3PoolSnapshot {
  kind: 'uniswap_v3';
  address: Address;
  token0: Address;
  token1: Address;
  state: V3PoolState;
}

export type PoolSnapshot = V2PairSnapshot | V3PoolSnapshot;

interface Call {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
}

export interface PoolReaderOptions {
  /** Multicall3-compatible contract (default: the canonical Multicall3 address). */
  multicall?: Address;
  /** Calls per aggregate3 batch (default 500). */
  batchSize?: number;
  /** Block to read at (default: the latest block when the reader is created by `at`). */
  blockNumber?: bigint;
}

export class PoolReader {
  readonly multicall: Address;
  private readonly batchSize: number;

  constructor(
    readonly client: PublicClient,
    private readonly opts: PoolReaderOptions = {},
  ) {
    this.multicall = opts.multicall ?? MULTICALL3_ADDRESS;
    this.batchSize = opts.batchSize ?? 500;
  }

  /** A reader pinned to the current block, so every read of a scan sees the same state. */
  static async at(client: PublicClient, opts: PoolReaderOptions = {}): Promise<PoolReader> {
    const blockNumber = opts.blockNumber ?? (await client.getBlockNumber());
    return new PoolReader(client, { ...opts, blockNumber });
  }

  get blockNumber(): bigint | undefined {
    return this.opts.blockNumber;
  }

  private hasMulticall: Promise<boolean> | undefined;

  /** Reads every call, batched; a failing call is an error naming its function and contract. */
  async read(calls: readonly Call[]): Promise<unknown[]> {
    // a chain without the multicall contract (a bare devnet) is read call by call, in parallel
    this.hasMulticall ??= this.client.getCode({ address: this.multicall }).then(
      (c) => c !== undefined && c !== '0x',
      () => false,
    );
    if (!(await this.hasMulticall)) {
      // at most `batchSize` calls in flight, so a whole tick range (thousands of words) does not flood the node
      const out: unknown[] = [];
      for (let i = 0; i < calls.length; i += this.batchSize) {
        const chunk = calls.slice(i, i + this.batchSize);
        out.push(
          ...(await Promise.all(
            chunk.map((c) =>
              this.client
                .readContract({ ...c, blockNumber: this.opts.blockNumber } as never)
                .catch((err: Error) => {
                  throw new Error(`${c.functionName} on ${c.address} failed: ${err.message.split('\n')[0]}`);
                }),
            ),
          )),
        );
      }
      return out;
    }
    const out: unknown[] = [];
    for (let i = 0; i < calls.length; i += this.batchSize) {
      const chunk = calls.slice(i, i + this.batchSize);
      const res: { status: string; result?: unknown; error?: unknown }[] = await this.client.multicall({
        contracts: chunk as never,
        multicallAddress: this.multicall,
        allowFailure: true,
        blockNumber: this.opts.blockNumber,
      });
      res.forEach((r, k) => {
        if (r.status !== 'success')
          throw new Error(
            `${chunk[k].functionName} on ${chunk[k].address} failed: ${(r.error as Error).message.split('\n')[0]}`,
          );
        out.push(r.result);
      });
    }
    return out;
  }

  async v2Pair(address: Address, feeBps = 30n): Promise<V2PairSnapshot> {
    const [token0, token1, reserves] = (await this.read([
      { address, abi: V2_PAIR_ABI, functionName: 'token0' },
      { address, abi: V2_PAIR_ABI, functionName: 'token1' },
      { address, abi: V2_PAIR_ABI, functionName: 'getReserves' },
    ])) as [Address, Address, readonly [bigint, bigint, number]];
    return {
      kind: 'uniswap_v2',
      address: getAddress(address),
      token0: getAddress(token0),
      token1: getAddress(token1),
      reserve0: reserves[0],
      reserve1: reserves[1],
      feeBps,
    };
  }

  /**
   * A V3 pool with its initialized ticks. `words`: bitmap words to read on each side of the current tick's
   * word (default: all words of the tick range, which is exact for any swap).
   */
  async v3Pool(address: Address, opts: { words?: number } = {}): Promise<V3PoolSnapshot> {
    const [token0, token1, fee, spacing, liquidity, slot0] = (await this.read([
      { address, abi: V3_POOL_ABI, functionName: 'token0' },
      { address, abi: V3_POOL_ABI, functionName: 'token1' },
      { address, abi: V3_POOL_ABI, functionName: 'fee' },
      { address, abi: V3_POOL_ABI, functionName: 'tickSpacing' },
      { address, abi: V3_POOL_ABI, functionName: 'liquidity' },
      { address, abi: V3_POOL_ABI, functionName: 'slot0' },
    ])) as [Address, Address, number, number, bigint, readonly [bigint, number, ...unknown[]]];
    const tick = slot0[1];
    const minWord = Math.floor(MIN_TICK / spacing) >> 8;
    const maxWord = Math.floor(MAX_TICK / spacing) >> 8;
    const here = Math.floor(tick / spacing) >> 8;
    const lo = opts.words === undefined ? minWord : Math.max(minWord, here - opts.words);
    const hi = opts.words === undefined ? maxWord : Math.min(maxWord, here + opts.words);
    const wordIdx: number[] = [];
    for (let w = lo; w <= hi; w++) wordIdx.push(w);
    const words = (await this.read(
      wordIdx.map((w) => ({ address, abi: V3_POOL_ABI, functionName: 'tickBitmap', args: [w] })),
    )) as bigint[];
    const tickIdx: number[] = [];
    words.forEach((word, k) => {
      if (word === 0n) return;
      for (let bit = 0; bit < 256; bit++) {
        if ((word >> BigInt(bit)) & 1n) tickIdx.push((wordIdx[k] * 256 + bit) * spacing);
      }
    });
    const infos = (await this.read(
      tickIdx.map((t) => ({ address, abi: V3_POOL_ABI, functionName: 'ticks', args: [t] })),
    )) as (readonly [bigint, bigint, ...unknown[]])[];
    const ticks = tickIdx.map((index, k) => ({ index, liquidityNet: infos[k][1] }));
    const state: V3PoolState = {
      sqrtPriceX96: slot0[0],
      tick,
      liquidity,
      fee,
      tickSpacing: spacing,
      ticks,
      ...(lo > minWord || hi < maxWord ? { loadedWords: { lo, hi } } : {}),
    };
    return {
      kind: 'uniswap_v3',
      address: getAddress(address),
      token0: getAddress(token0),
      token1: getAddress(token1),
      state,
    };
  }

  /** The pool's kind from its code: a V3 pool answers `tickSpacing`, a V2 pair does not. */
  async pool(address: Address): Promise<PoolSnapshot> {
    const isV3 = await this.client
      .readContract({
        address,
        abi: V3_POOL_ABI,
        functionName: 'tickSpacing',
        blockNumber: this.opts.blockNumber,
      })
      .then(
        () => true,
        () => false,
      );
    if (isV3) return this.v3Pool(address);
    try {
      return await this.v2Pair(address);
    } catch (err) {
      throw new Error(
        `${address} is neither a Uniswap V3 pool nor a V2 pair (${(err as Error).message.split('\n')[0]})`,
      );
    }
  }
}
