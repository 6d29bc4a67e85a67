/**
 * A deployment session on the devnet: anvil's unlocked dev accounts sign through `eth_sendTransaction`, so no
 * private key appears in this code. Every write waits for its receipt (anvil mines on submission) and fails
 * loudly, naming the call, when it reverts.
 */
import {
  createPublicClient,
  createWalletClient,
  http,
  type Abi,
  type Address,
  type Hash,
  type PublicClient,
  type WalletClient,
} from 'viem';
import { foundry } from 'viem/chains';
import type { CompiledContract } from '../compile.js';

/**
 * Gas limit of every deployment transaction. anvil's estimate misses the 63/64 rule when a call creates a
 * contract (Uniswap's createAndInitializePoolIfNecessary), so the session sends a fixed, generous limit; unused
 * gas is not charged.
 */
const GAS_LIMIT = 16_000_000n;

export class DeploySession {
  readonly pub: PublicClient;
  readonly wallet: WalletClient;
  /** Transactions sent by this session. */
  sent = 0;

  constructor(
    readonly rpcUrl: string,
    /** Owner of every admin role and of the mock oracles / test tokens. */
    readonly admin: Address,
    /** Liquidity provider of the Aave, Uniswap and Morpho markets. */
    readonly lp: Address,
  ) {
    const transport = http(rpcUrl, { retryCount: 0 });
    this.pub = createPublicClient({ chain: foundry, transport, pollingInterval: 50 });
    this.wallet = createWalletClient({ chain: foundry, transport });
  }

  static async open(rpcUrl: string): Promise<DeploySession> {
    const wallet = createWalletClient({ chain: foundry, transport: http(rpcUrl, { retryCount: 0 }) });
    const accounts = await wallet.getAddresses();
    if (accounts.length < 2)
      throw new Error(`devnet at ${rpcUrl} exposes ${accounts.length} accounts; need 2`);
    return new DeploySession(rpcUrl, accounts[0], accounts[1]);
  }

  async deploy(
    label: string,
    c: CompiledContract,
    args: readonly unknown[] = [],
    from?: Address,
  ): Promise<Address> {
    const hash = await this.wallet.deployContract({
      abi: c.abi,
      bytecode: c.bytecode,
      args,
      account: from ?? this.admin,
      chain: foundry,
      gas: GAS_LIMIT,
    });
    const receipt = await this.receipt(hash, `deploy ${label}`);
    if (!receipt.contractAddress) throw new Error(`deploy ${label}: no contract address in the receipt`);
    return receipt.contractAddress;
  }

  async write(
    address: Address,
    abi: Abi,
    functionName: string,
    args: readonly unknown[] = [],
    opts: { from?: Address; value?: bigint } = {},
  ): Promise<void> {
    const hash = await this.wallet.writeContract({
      address,
      abi,
      functionName,
      args,
      account: opts.from ?? this.admin,
      chain: foundry,
      value: opts.value,
      gas: GAS_LIMIT,
    });
    await this.receipt(hash, functionName);
  }

  async read<T>(address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> {
    return (await this.pub.readContract({ address, abi, functionName, args })) as T;
  }

  private async receipt(hash: Hash, label: string) {
    this.sent++;
    const receipt = await this.pub.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== 'success') {
      const tx = await this.pub.getTransaction({ hash });
      const reason = await this.pub
        .call({
          account: tx.from,
          to: tx.to,
          data: tx.input,
          value: tx.value,
          blockNumber: receipt.blockNumber - 1n,
        })
        .then(
          () => 'no reason on replay',
          (err: Error) => err.message.split('\n')[0],
        );
      throw new Error(`devnet deployment: ${label} reverted (tx ${hash}): ${reason}`);
    }
    return receipt;
  }
}
