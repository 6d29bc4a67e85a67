/**
 * `basis defi quote`: the exact AMM library's quote from a pool's live state, optionally checked against the
 * protocol's own on-chain quote. The work lives in src/defi/cli (loaded only when the command runs).
 */
import type { Command } from 'commander';
import type { QuoteCliOptions } from '../../defi/cli/quote.js';
import { out } from './util.js';

export function registerDefi(program: Command): void {
  const defi = program.command('defi').description('DEX pools: exact quotes from live state');
  defi
    .command('quote')
    .description('quote a swap through one pool (Uniswap V2 pair or V3 pool) from its state on chain')
    .requiredOption('--rpc <url>', 'JSON-RPC URL of the chain')
    .requiredOption('--pool <address>', 'pool (V3) or pair (V2) address')
    .requiredOption('--token-in <address>', 'token paid into the pool')
    .requiredOption('--amount-in <n>', 'amount in token units (with --exact-out: the output wanted)')
    .option('--exact-out', 'the amount is the output wanted; quote the input')
    .option('--raw', 'the amount is in base units (wei), not token units')
    .option('--check', 'also ask the protocol on chain (V3 QuoterV2, V2 Router02) and print the difference')
    .option('--quoter <address>', 'QuoterV2 for --check (default: mainnet 0x61fF…B21e)')
    .option('--router <address>', 'UniswapV2Router02 for --check (default: mainnet 0x7a25…488D)')
    .option('--multicall <address>', 'Multicall3-compatible contract for batched reads (default: canonical)')
    .option('--block <n>', 'read at this block (default: latest)')
    .option('--json', 'machine-readable output')
    .action(async (o: QuoteCliOptions) => {
      const { runQuote, formatQuote } = await import('../../defi/cli/quote.js');
      const r = await runQuote(o);
      out(o.json ? JSON.stringify(r, null, 2) : formatQuote(r));
    });
}
