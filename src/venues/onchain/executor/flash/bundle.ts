/**
 * Private submission of bundles to a Flashbots-style relay (the documented JSON-RPC: `eth_callBundle`,
 * `eth_sendBundle`). Every request is authenticated with the `X-Flashbots-Signature` header,
 * `<address>:<signature>`, the signature being EIP-191 `personal_sign` of the keccak256 of the request body as a
 * 0x-hex string, by a searcher key held as a Secret (from the environment; it never reaches a message). A
 * bundle targets one block; `submit` re-sends it for each next block until it is included or `maxBlocks` have
 * passed (expired). The priority payment to the builder is the transactions' own priority fee.
 */
import { keccak256, toHex, type Hash, type Hex, type LocalAccount, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { Secret } from '../../../../domain/secret.js';

export interface CallBundleResult {
  bundleHash: Hash;
  totalGasUsed: number;
  coinbaseDiff: string;
  results: { txHash: Hash; gasUsed: number; error?: string; revert?: string }[];
}

export interface SubmitOptions {
  /** Give up after this many target blocks (default 5). */
  maxBlocks?: number;
  /** Node polling while waiting for a target block (default 50 ms). */
  pollIntervalMs?: number;
  /** Deadline for one target block to appear (default 120 s). */
  blockTimeoutMs?: number;
  /** Called after each eth_sendBundle (target block, bundle hash). */
  onSubmit?: (block: bigint, bundleHash: Hash) => void;
}

export interface BundleOutcome {
  included: boolean;
  /** The block it landed in, when included. */
  block?: bigint;
  /** Every block it was sent for. */
  targets: bigint[];
  bundleHash?: Hash;
}

/** The searcher key from an environment variable, as a Secret. */
export function bundleKeyFromEnv(env: NodeJS.ProcessEnv, name = 'FLASHBOTS_AUTH_KEY'): Secret {
  const v = env[name];
  if (!v || !/^(0x)?[0-9a-fA-F]{64}$/.test(v.trim()))
    throw new Error(`bundles: ${name} is not set to a 32-byte hex key (value not shown)`);
  return new Secret(v.trim());
}

export class BundleClient {
  private readonly signer: LocalAccount;
  private id = 0;

  constructor(
    readonly relayUrl: string,
    authKey: Secret,
    private readonly pub: PublicClient,
  ) {
    const k = authKey.reveal();
    this.signer = privateKeyToAccount((k.startsWith('0x') ? k : `0x${k}`) as Hex);
  }

  /** The searcher identity the relay sees. */
  get searcher(): string {
    return this.signer.address;
  }

  private async rpc<T>(method: string, params: unknown[]): Promise<T> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params });
    const signature = await this.signer.signMessage({ message: keccak256(toHex(body)) });
    let res: Response;
    try {
      res = await fetch(this.relayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'X-Flashbots-Signature': `${this.signer.address}:${signature}`,
        },
        body,
      });
    } catch (err) {
      throw new Error(
        `bundles: relay ${this.relayUrl} does not answer ${method} (${(err as Error).message})`,
      );
    }
    const text = await res.text();
    let json: { result?: T; error?: { message: string } };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new Error(
        `bundles: relay ${this.relayUrl} answered ${method} with HTTP ${res.status}: ${text.slice(0, 120)}`,
      );
    }
    if (json.error) throw new Error(`bundles: relay refused ${method}: ${json.error.message}`);
    return json.result as T;
  }

  /** Simulates the bundle on top of `stateBlock` as if in `block`. */
  callBundle(txs: Hex[], block: bigint, stateBlock: bigint | 'latest' = 'latest'): Promise<CallBundleResult> {
    return this.rpc('eth_callBundle', [
      {
        txs,
        blockNumber: toHex(block),
        stateBlockNumber: stateBlock === 'latest' ? 'latest' : toHex(stateBlock),
      },
    ]);
  }

  /** Sends the bundle for one block. */
  async sendBundle(txs: Hex[], block: bigint): Promise<Hash> {
    const r = await this.rpc<{ bundleHash: Hash }>('eth_sendBundle', [{ txs, blockNumber: toHex(block) }]);
    return r.bundleHash;
  }

  /**
   * Sends the bundle for the next block, waits for that block, and re-sends for the following one until its
   * first transaction is on chain (included) or `maxBlocks` blocks have passed without it (expired).
   */
  async submit(txs: Hex[], opts: SubmitOptions = {}): Promise<BundleOutcome> {
    if (txs.length === 0) throw new Error('bundles: an empty bundle');
    const maxBlocks = opts.maxBlocks ?? 5;
    const poll = opts.pollIntervalMs ?? 50;
    const first = keccak256(txs[0]);
    const targets: bigint[] = [];
    let bundleHash: Hash | undefined;
    let target = (await this.pub.getBlockNumber({ cacheTime: 0 })) + 1n;
    for (let i = 0; i < maxBlocks; i++) {
      targets.push(target);
      bundleHash = await this.sendBundle(txs, target);
      opts.onSubmit?.(target, bundleHash);
      await this.waitForBlock(target, poll, opts.blockTimeoutMs ?? 120_000);
      const r = await this.pub.getTransactionReceipt({ hash: first }).catch(() => null);
      if (r) return { included: true, block: r.blockNumber, targets, bundleHash };
      const head = await this.pub.getBlockNumber({ cacheTime: 0 });
      target = head + 1n;
    }
    return { included: false, targets, bundleHash };
  }

  private async waitForBlock(n: bigint, poll: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.pub.getBlockNumber({ cacheTime: 0 })) < n) {
      if (Date.now() > deadline) throw new Error(`bundles: block ${n} did not appear within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, poll));
    }
  }
}
