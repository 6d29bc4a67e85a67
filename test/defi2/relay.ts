/**
 * A loopback Flashbots-style relay of our own for the bundle tests. It speaks the documented JSON-RPC
 * (`eth_sendBundle` {txs, blockNumber} → {bundleHash}; `eth_callBundle` {txs, blockNumber, stateBlockNumber} →
 * {bundleHash, results, totalGasUsed, coinbaseDiff}), checks the `X-Flashbots-Signature` header (address and
 * EIP-191 signature of keccak256(body)), and builds blocks on anvil: a bundle for block N is executed with
 * automine off, all its transactions in one block, in order; if any reverts or lands out of order the block is
 * rolled back and mined empty (all or none). `dropNext(n)` / `dropAll` make it ignore bundles, as a relay that
 * does not win the block would. With `autoBuild` (default) a bundle's target block is built as soon as it
 * arrives, so the tests need no clock.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { concat, keccak256, recoverMessageAddress, toHex, type Hash, type Hex } from 'viem';

interface Bundle {
  txs: Hex[];
  hash: Hash;
}

export class LoopbackRelay {
  /** Every eth_sendBundle received: target block and searcher. */
  readonly received: { block: bigint; searcher: string }[] = [];
  included = 0;
  dropped = 0;
  /** Bundles that were executed but rolled back (a revert or a reorder). */
  rolledBack = 0;
  dropAll = false;
  /** eth_callBundle reports every transaction as reverted (a relay whose simulation disagrees with ours). */
  failCalls = false;
  /** Called when a bundle arrives, before its block is built (the tests' fault injection). */
  onBundle: (() => Promise<void>) | null = null;
  private toDrop = 0;
  private readonly pending = new Map<bigint, Bundle[]>();
  private server!: Server;
  url = '';
  private id = 0;
  private work: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly rpcUrl: string,
    private readonly autoBuild = true,
  ) {}

  static async start(rpcUrl: string, autoBuild = true): Promise<LoopbackRelay> {
    const r = new LoopbackRelay(rpcUrl, autoBuild);
    r.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const header = String(req.headers['x-flashbots-signature'] ?? '');
        // one request at a time: blocks are built in order
        const run = r.work.then(() => r.handle(body, header));
        r.work = run.catch(() => undefined);
        void run.then(
          (out) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(out));
          },
          (err: Error) => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: err.message } }),
            );
          },
        );
      });
    });
    await new Promise<void>((ok) => r.server.listen(0, '127.0.0.1', ok));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
    return r;
  }

  stop(): Promise<void> {
    return new Promise((ok) => this.server.close(() => ok()));
  }

  dropNext(n: number): void {
    this.toDrop += n;
  }

  private async handle(body: string, header: string): Promise<unknown> {
    const req = JSON.parse(body) as { id: number; method: string; params: unknown[] };
    const fail = (message: string) => ({ jsonrpc: '2.0', id: req.id, error: { code: -32600, message } });
    const [address, signature] = header.split(':');
    if (!address || !signature) return fail('missing X-Flashbots-Signature');
    const signer = await recoverMessageAddress({
      message: keccak256(toHex(body)),
      signature: signature as Hex,
    }).catch(() => '');
    if (signer.toLowerCase() !== address.toLowerCase()) return fail('invalid X-Flashbots-Signature');
    const p = req.params[0] as { txs: Hex[]; blockNumber: Hex; stateBlockNumber?: string };
    const bundle: Bundle = { txs: p.txs, hash: keccak256(concat(p.txs.map((t) => keccak256(t)))) };
    if (req.method === 'eth_sendBundle') {
      const block = BigInt(p.blockNumber);
      this.received.push({ block, searcher: address });
      await this.onBundle?.();
      if (this.dropAll || this.toDrop > 0) {
        if (!this.dropAll) this.toDrop--;
        this.dropped++;
      } else {
        this.pending.set(block, [...(this.pending.get(block) ?? []), bundle]);
      }
      if (this.autoBuild) await this.buildTo(block);
      return { jsonrpc: '2.0', id: req.id, result: { bundleHash: bundle.hash } };
    }
    if (req.method === 'eth_callBundle') {
      const snap = (await this.rpc('evm_snapshot', [])) as Hex;
      try {
        const r = (await this.executeBundle(bundle)).map((x) =>
          this.failCalls ? { ...x, error: 'execution reverted' } : x,
        );
        return {
          jsonrpc: '2.0',
          id: req.id,
          result: {
            bundleHash: bundle.hash,
            totalGasUsed: r.reduce((s, x) => s + x.gasUsed, 0),
            coinbaseDiff: '0',
            results: r,
          },
        };
      } finally {
        await this.rpc('evm_revert', [snap]);
        await this.rpc('evm_setAutomine', [true]);
      }
    }
    return fail(`method ${req.method} not supported`);
  }

  /** Mines empty blocks up to `n − 1`, then block `n` with its first bundle that executes whole. */
  async buildTo(n: bigint): Promise<void> {
    while (BigInt((await this.rpc('eth_blockNumber', [])) as Hex) < n - 1n) await this.rpc('evm_mine', []);
    const head = BigInt((await this.rpc('eth_blockNumber', [])) as Hex);
    if (head >= n) return;
    for (const b of this.pending.get(n) ?? []) {
      const snap = (await this.rpc('evm_snapshot', [])) as Hex;
      const results = await this.executeBundle(b);
      if (results.every((r) => !r.error)) {
        await this.rpc('evm_setAutomine', [true]);
        this.included++;
        this.pending.delete(n);
        return;
      }
      await this.rpc('evm_revert', [snap]);
      for (const r of results) await this.rpc('anvil_dropTransaction', [r.txHash]).catch(() => undefined);
      this.rolledBack++;
    }
    this.pending.delete(n);
    await this.rpc('evm_setAutomine', [true]);
    await this.rpc('evm_mine', []);
  }

  /** Sends the bundle's transactions with automine off and mines one block; per transaction: gas, error. */
  private async executeBundle(b: Bundle): Promise<{ txHash: Hash; gasUsed: number; error?: string }[]> {
    await this.rpc('evm_setAutomine', [false]);
    const hashes: Hash[] = [];
    const out: { txHash: Hash; gasUsed: number; error?: string }[] = [];
    for (const tx of b.txs) {
      try {
        hashes.push((await this.rpc('eth_sendRawTransaction', [tx])) as Hash);
      } catch (err) {
        out.push({ txHash: keccak256(tx), gasUsed: 0, error: (err as Error).message });
      }
    }
    // the bundle's block is one slot (12 s) after its parent, whether simulated (eth_callBundle) or built:
    // both run at the same timestamp, so their gas and results agree whatever the wall clock did meanwhile
    const parent = (await this.rpc('eth_getBlockByNumber', ['latest', false])) as { timestamp: Hex };
    await this.rpc('evm_mine', [Number(BigInt(parent.timestamp)) + 12]);
    let lastIndex = -1;
    let block: string | null = null;
    for (const h of hashes) {
      const r = (await this.rpc('eth_getTransactionReceipt', [h])) as {
        status: Hex;
        gasUsed: Hex;
        transactionIndex: Hex;
        blockNumber: Hex;
      } | null;
      if (!r) {
        out.push({ txHash: h, gasUsed: 0, error: 'not mined' });
        continue;
      }
      const index = Number(r.transactionIndex);
      const error =
        r.status !== '0x1'
          ? 'execution reverted'
          : index <= lastIndex || (block !== null && block !== r.blockNumber)
            ? 'out of order'
            : undefined;
      lastIndex = index;
      block = r.blockNumber;
      out.push({ txHash: h, gasUsed: Number(r.gasUsed), ...(error ? { error } : {}) });
    }
    return out;
  }

  private async rpc(method: string, params: unknown[]): Promise<unknown> {
    const res = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
    });
    const json = (await res.json()) as { result?: unknown; error?: { message: string } };
    if (json.error) throw new Error(`relay: anvil refused ${method}: ${json.error.message}`);
    return json.result;
  }
}
