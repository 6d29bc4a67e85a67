/**
 * `basis defi quote`: reads the pool at one block (V2 reserves, or V3 slot0, liquidity and every initialized
 * tick through the bitmap), quotes with the exact library, and with `--check` asks the protocol at the same
 * block — QuoterV2 `quoteExactInputSingle` / `quoteExactOutputSingle` for V3, Router02 `getAmountsOut` /
 * `getAmountsIn` for V2 — and reports both and their difference in base units.
 */
import {
  createPublicClient,
  formatUnits,
  getAddress,
  http,
  isAddress,
  parseAbi,
  parseUnits,
  type Address,
  type PublicClient,
} from 'viem';
import { InputError, VenueError } from '../../domain/errors.js';
import { ERC20_ABI, QUOTER_V2_ABI } from '../pools/abis.js';
import { quotePool } from '../pools/graph.js';
import { PoolReader } from '../pools/reader.js';

/** The options of `basis defi quote` (src/cli/commands/defi.ts). */
export interface QuoteCliOptions {
  rpc: string;
  pool: string;
  tokenIn: string;
  amountIn: string;
  exactOut?: boolean;
  raw?: boolean;
  check?: boolean;
  quoter?: string;
  router?: string;
  multicall?: string;
  block?: string;
  json?: boolean;
}

export const MAINNET_QUOTER_V2 = '0x61fFE014bA17989E743c5F6cB21bF9697530B21e' as const;
export const MAINNET_V2_ROUTER02 = '0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D' as const;

const ROUTER02_ABI = parseAbi([
  'function getAmountsOut(uint256 amountIn, address[] path) view returns (uint256[] amounts)',
  'function getAmountsIn(uint256 amountOut, address[] path) view returns (uint256[] amounts)',
]);

export interface QuoteResult {
  pool: Address;
  kind: 'uniswap_v2' | 'uniswap_v3';
  block: string;
  tokenIn: { address: Address; symbol: string; decimals: number };
  tokenOut: { address: Address; symbol: string; decimals: number };
  exactOut: boolean;
  /** Base units, as decimal strings. */
  amountIn: string;
  amountOut: string;
  /** V3: fee in hundredths of a bip, initialized ticks read. V2: fee in bps. */
  fee: number;
  ticks?: number;
  check?: { source: string; amount: string; difference: string };
}

function address(v: string, what: string): Address {
  if (!isAddress(v)) throw new InputError(`${what} ${v} is not an address`);
  return getAddress(v);
}

async function token(client: PublicClient, a: Address, blockNumber: bigint) {
  const [symbol, decimals] = await Promise.all([
    client.readContract({ address: a, abi: ERC20_ABI, functionName: 'symbol', blockNumber }).catch(() => '?'),
    client.readContract({ address: a, abi: ERC20_ABI, functionName: 'decimals', blockNumber }),
  ]);
  return { address: a, symbol, decimals };
}

export async function runQuote(o: QuoteCliOptions): Promise<QuoteResult> {
  const poolAddress = address(o.pool, '--pool');
  const tokenIn = address(o.tokenIn, '--token-in');
  if (!/^\d+(\.\d+)?$/.test(o.amountIn))
    throw new InputError(`--amount-in ${o.amountIn} is not a positive number`);
  if (o.raw && o.amountIn.includes('.'))
    throw new InputError(`--amount-in ${o.amountIn} with --raw must be an integer`);
  const client = createPublicClient({ transport: http(o.rpc, { retryCount: 0 }) });
  let blockNumber: bigint;
  try {
    blockNumber = o.block ? BigInt(o.block) : await client.getBlockNumber();
  } catch (err) {
    throw new VenueError(
      'defi',
      `rpc ${o.rpc} does not answer: ${(err as Error).message.split('\n')[0]}`,
      true,
      'rpc_unavailable',
    );
  }
  const reader = new PoolReader(client, {
    blockNumber,
    ...(o.multicall ? { multicall: address(o.multicall, '--multicall') } : {}),
  });
  const pool = await reader.pool(poolAddress).catch((err: Error) => {
    throw new InputError(err.message.split('\n')[0]);
  });
  if (tokenIn !== pool.token0 && tokenIn !== pool.token1)
    throw new InputError(
      `--token-in ${tokenIn} is not in pool ${pool.address} (${pool.token0} / ${pool.token1})`,
    );
  const tokenOutAddress = tokenIn === pool.token0 ? pool.token1 : pool.token0;
  const [tIn, tOut] = await Promise.all([
    token(client, tokenIn, blockNumber),
    token(client, tokenOutAddress, blockNumber),
  ]);
  const exactOut = o.exactOut ?? false;
  const amount = o.raw ? BigInt(o.amountIn) : parseUnits(o.amountIn, exactOut ? tOut.decimals : tIn.decimals);
  if (amount <= 0n) throw new InputError(`--amount-in ${o.amountIn} must be positive`);
  let q;
  try {
    q = quotePool(pool, tokenIn, amount, { exactOut });
  } catch (err) {
    throw new InputError(`pool ${pool.address} cannot quote this swap: ${(err as Error).message}`);
  }
  const result: QuoteResult = {
    pool: pool.address,
    kind: pool.kind,
    block: blockNumber.toString(),
    tokenIn: tIn,
    tokenOut: tOut,
    exactOut,
    amountIn: q.amountIn.toString(),
    amountOut: q.amountOut.toString(),
    fee: pool.kind === 'uniswap_v2' ? Number(pool.feeBps) : pool.state.fee,
    ...(pool.kind === 'uniswap_v3' ? { ticks: pool.state.ticks.length } : {}),
  };
  if (!o.check) return result;
  const mine = exactOut ? q.amountIn : q.amountOut;
  let theirs: bigint;
  let source: string;
  try {
    if (pool.kind === 'uniswap_v3') {
      const quoter = o.quoter ? address(o.quoter, '--quoter') : MAINNET_QUOTER_V2;
      source = `QuoterV2 ${quoter}`;
      const params = { tokenIn, tokenOut: tokenOutAddress, fee: pool.state.fee, sqrtPriceLimitX96: 0n };
      const { result: r } = exactOut
        ? await client.simulateContract({
            address: quoter,
            abi: QUOTER_V2_ABI,
            functionName: 'quoteExactOutputSingle',
            args: [{ ...params, amount }],
            blockNumber,
          })
        : await client.simulateContract({
            address: quoter,
            abi: QUOTER_V2_ABI,
            functionName: 'quoteExactInputSingle',
            args: [{ ...params, amountIn: amount }],
            blockNumber,
          });
      theirs = r[0];
    } else {
      const router = o.router ? address(o.router, '--router') : MAINNET_V2_ROUTER02;
      source = `Router02 ${router}`;
      const path = [tokenIn, tokenOutAddress];
      const amounts = await client.readContract({
        address: router,
        abi: ROUTER02_ABI,
        functionName: exactOut ? 'getAmountsIn' : 'getAmountsOut',
        args: [amount, path],
        blockNumber,
      });
      theirs = exactOut ? amounts[0] : amounts[1];
    }
  } catch (err) {
    throw new VenueError(
      'defi',
      `--check: the on-chain quote failed: ${(err as Error).message.split('\n')[0]}`,
      false,
      'rpc_error',
    );
  }
  result.check = { source, amount: theirs.toString(), difference: (mine - theirs).toString() };
  return result;
}

export function formatQuote(r: QuoteResult): string {
  const fmt = (v: string, t: { decimals: number; symbol: string }) =>
    `${formatUnits(BigInt(v), t.decimals)} ${t.symbol}`;
  const kind =
    r.kind === 'uniswap_v2'
      ? `Uniswap V2 pair (fee ${r.fee} bps)`
      : `Uniswap V3 pool (fee ${r.fee / 1e4} %, ${r.ticks} initialized ticks)`;
  const lines = [
    `${kind} ${r.pool} at block ${r.block}`,
    `${r.exactOut ? 'exact out' : 'exact in'}: pay ${fmt(r.amountIn, r.tokenIn)} → receive ${fmt(r.amountOut, r.tokenOut)}`,
    `library: ${r.exactOut ? r.amountIn : r.amountOut} (base units of ${r.exactOut ? r.tokenIn.symbol : r.tokenOut.symbol})`,
  ];
  if (r.check) {
    lines.push(`on chain (${r.check.source}): ${r.check.amount}`);
    lines.push(`difference: ${r.check.difference}`);
  }
  return lines.join('\n');
}
