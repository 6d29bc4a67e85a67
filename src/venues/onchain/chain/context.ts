/**
 * One wallet on one chain: the viem public client (reads), the wallet's sender (writes, journalled), and the
 * token registry every on-chain venue of the run shares. Built once per run by the factory and passed to each
 * venue (no process-wide singletons).
 */
import { createPublicClient, erc20Abi, http, type Address, type LocalAccount, type PublicClient } from 'viem';
import { VenueError } from '../../../domain/errors.js';
import { toVenueError } from './errors.js';
import { TxJournal } from './journal.js';
import { TxSender, type SenderOptions } from './sender.js';

export interface TokenInfo {
  symbol: string;
  /** Zero address for native ETH. */
  address: Address;
  decimals: number;
}

export const NATIVE_ETH = '0x0000000000000000000000000000000000000000' as const;

/** Symbol → token, shared by the venues of a run; ETH is native. */
export class TokenRegistry {
  private readonly bySymbol = new Map<string, TokenInfo>([
    ['ETH', { symbol: 'ETH', address: NATIVE_ETH, decimals: 18 }],
  ]);

  /** Registers `symbol` at `address`; decimals are read on chain by `load`. */
  add(symbol: string, address: Address): void {
    const known = this.bySymbol.get(symbol);
    if (known && known.address.toLowerCase() !== address.toLowerCase()) {
      throw new VenueError(
        'onchain',
        `token ${symbol} is configured at two addresses: ${known.address} and ${address}`,
      );
    }
    if (!known) this.bySymbol.set(symbol, { symbol, address, decimals: -1 });
  }

  async load(pub: PublicClient): Promise<void> {
    for (const t of this.bySymbol.values()) {
      if (t.decimals >= 0) continue;
      try {
        t.decimals = await pub.readContract({ address: t.address, abi: erc20Abi, functionName: 'decimals' });
      } catch (err) {
        throw toVenueError('onchain', `reading decimals of ${t.symbol} at ${t.address}`, err);
      }
    }
  }

  has(symbol: string): boolean {
    return this.bySymbol.has(symbol);
  }

  get(symbol: string): TokenInfo {
    const t = this.bySymbol.get(symbol);
    if (!t) {
      throw new VenueError(
        'onchain',
        `token ${symbol} has no address (known: ${[...this.bySymbol.keys()].join(', ')})`,
      );
    }
    return t;
  }

  symbols(): string[] {
    return [...this.bySymbol.keys()];
  }
}

export interface ChainContextOptions {
  rpcUrl: string;
  account: LocalAccount;
  /** Folder of the sender journals (default `.basis/onchain` under the working directory). */
  journalDir: string;
  /** chain_id of the venue config, checked against the RPC (a mainnet key never signs for a fork by mistake). */
  expectedChainId?: number;
  sender?: SenderOptions;
  /** HTTP timeout of one RPC request, ms. Default 20 000. */
  requestTimeoutMs?: number;
}

export class ChainContext {
  private constructor(
    readonly pub: PublicClient,
    readonly sender: TxSender,
    readonly chainId: number,
    readonly tokens: TokenRegistry,
  ) {}

  get address(): Address {
    return this.sender.address;
  }

  static async connect(opts: ChainContextOptions): Promise<ChainContext> {
    const transport = http(opts.rpcUrl, { retryCount: 0, timeout: opts.requestTimeoutMs ?? 20_000 });
    // cacheTime 0: the block number is read fresh after every transaction (viem caches it by default)
    const pub = createPublicClient({ transport, cacheTime: 0 }) as PublicClient;
    let chainId: number;
    try {
      chainId = await pub.getChainId();
    } catch (err) {
      throw toVenueError('onchain', 'connecting to the RPC', err);
    }
    if (opts.expectedChainId !== undefined && chainId !== opts.expectedChainId) {
      throw new VenueError(
        'onchain',
        `the RPC serves chain ${chainId}, the venue config expects chain_id ${opts.expectedChainId}`,
      );
    }
    const journal = TxJournal.at(opts.journalDir, chainId, opts.account.address);
    const sender = new TxSender(pub, opts.account, chainId, journal, opts.sender);
    return new ChainContext(pub, sender, chainId, new TokenRegistry());
  }
}
