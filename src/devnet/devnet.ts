/**
 * A running devnet: anvil on 127.0.0.1 with the full market loaded from the saved state (deployed and saved on
 * the first start), plus the admin levers tests and demos need: fund an account, deploy a LeverageExecutor for
 * an owner, step an LST's rate like an oracle report, move the ETH/USD feed, travel in time.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createPublicClient,
  getAddress,
  http,
  parseUnits,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { foundry } from 'viem/chains';
import { startAnvil, type AnvilOptions, type AnvilProcess } from './anvil.js';
import { builtContract, packageAbi } from './artifacts.js';
import { compileContracts } from './compile.js';
import { deployDevnet, type DevnetDeployment } from './deploy/index.js';
import { DeploySession } from './deploy/session.js';
import { mintTokens } from './deploy/tokens.js';
import { readSavedState, stateKey, writeSavedState } from './state.js';

export interface StartDevnetOptions extends AnvilOptions {
  log?: (line: string) => void;
}

export class Devnet {
  readonly pub: PublicClient;
  private session: DeploySession;

  constructor(
    readonly anvil: AnvilProcess,
    readonly deployment: DevnetDeployment,
  ) {
    this.pub = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl, { retryCount: 0 }) });
    this.session = new DeploySession(anvil.rpcUrl, deployment.admin, deployment.lp);
  }

  get rpcUrl(): string {
    return this.anvil.rpcUrl;
  }

  async stop(): Promise<void> {
    await this.anvil.stop();
  }

  /** Sets `address`'s ETH balance and gives it tokens (WETH / USDT / wstETH / weETH, token units). */
  async fund(
    address: Address,
    amounts: { ETH?: number } & Partial<Record<'WETH' | 'USDT' | 'wstETH' | 'weETH', number>>,
  ): Promise<void> {
    const { ETH, ...tokens } = amounts;
    if (Object.keys(tokens).length > 0) {
      const helper = this.deployment.lp;
      await mintTokens(this.session, this.deployment.tokens, helper, tokens);
      const erc20 = packageAbi('WETH9');
      for (const [sym, amount] of Object.entries(tokens)) {
        if (!amount) continue;
        const token = this.deployment.tokens[sym as 'WETH'];
        const raw = parseUnits(String(amount), sym === 'USDT' ? 6 : 18);
        await this.session.write(token, erc20, 'transfer', [address, raw], { from: helper });
      }
    }
    if (ETH !== undefined) {
      await this.pub.request({
        method: 'anvil_setBalance' as 'eth_chainId',
        params: [address, `0x${parseUnits(String(ETH), 18).toString(16)}`] as unknown as undefined,
      });
    }
  }

  /** Deploys a LeverageExecutor owned by `owner` and records it in the deployment. */
  async deployExecutor(owner: Address): Promise<Address> {
    const d = this.deployment;
    const executor = await this.session.deploy('LeverageExecutor', builtContract('LeverageExecutor'), [
      owner,
      d.morpho.morpho,
      d.aave.pool,
      d.tokens.WETH,
    ]);
    d.executors[owner.toLowerCase()] = executor;
    return executor;
  }

  /** Oracle report of an LST: sets ETH per wrapped token (wstETH → stETH pool, weETH → eETH pool). */
  async setLstRate(lst: 'wstETH' | 'weETH', rate: number): Promise<void> {
    const pool = lst === 'wstETH' ? this.deployment.tokens.stETH : this.deployment.tokens.eETH;
    await this.session.write(pool, builtContract('TestStETH').abi, 'report', [parseUnits(String(rate), 18)]);
  }

  /** Finalises every withdrawal request of the LST's queue up to `lastId`. */
  async finalizeWithdrawals(lst: 'wstETH' | 'weETH', lastId: bigint): Promise<void> {
    const pool = lst === 'wstETH' ? this.deployment.tokens.stETH : this.deployment.tokens.eETH;
    await this.session.write(pool, builtContract('TestStETH').abi, 'finalize', [lastId]);
  }

  /** Sets the ETH/USD feed (USD, 8 decimals on chain). */
  async setEthUsd(price: number): Promise<void> {
    await this.session.write(this.deployment.feeds.ETH, builtContract('MockPriceFeed').abi, 'setAnswer', [
      parseUnits(String(price), 8),
    ]);
  }

  /** Moves the chain clock forward by `seconds` and mines one block at the new time. */
  async increaseTime(seconds: number): Promise<void> {
    await this.rpc('evm_increaseTime', [seconds]);
    await this.rpc('evm_mine', []);
  }

  /** Sends a transaction from an anvil dev account or impersonated address (test setups). */
  get admin(): DeploySession {
    return this.session;
  }

  async snapshot(): Promise<Hex> {
    return (await this.rpc('evm_snapshot', [])) as Hex;
  }

  async revert(id: Hex): Promise<void> {
    await this.rpc('evm_revert', [id]);
  }

  async rpc(method: string, params: unknown[]): Promise<unknown> {
    return this.pub.request({ method: method as 'eth_chainId', params: params as unknown as undefined });
  }
}

/**
 * Starts anvil and brings the market up: from the saved state when its key matches (well under a second),
 * else by deploying everything (the first time: about 10-30 s with the solc build) and saving the state.
 */
export async function startDevnet(opts: StartDevnetOptions = {}): Promise<Devnet> {
  const log = opts.log ?? (() => {});
  const key = stateKey();
  let saved = readSavedState(key);
  const anvil = await startAnvil(opts);
  try {
    const pub = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl, { retryCount: 0 }) });
    const rpc = (method: string, params: unknown[]) =>
      pub.request({ method: method as 'eth_chainId', params: params as unknown as undefined });
    if (saved) {
      await rpc('anvil_loadState', [saved.state]);
      log(`loaded saved devnet state ${key}`);
    } else {
      compileContracts({ log });
      const deployment = await deployDevnet(anvil.rpcUrl, log);
      const state = (await rpc('anvil_dumpState', [])) as Hex;
      saved = { key, createdAt: new Date().toISOString(), deployment, state };
      const file = writeSavedState(saved);
      log(`saved devnet state to ${file}`);
    }
    return new Devnet(anvil, structuredClone(saved.deployment));
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

/** Makes sure the saved state exists (deploying on a throwaway anvil if needed); returns its key. */
export async function ensureDevnetState(log?: (line: string) => void): Promise<string> {
  const key = stateKey();
  if (readSavedState(key)) return key;
  const d = await startDevnet({ log });
  await d.stop();
  return key;
}

/** The deployment file the venue configs read: chain, RPC URL and the testnet addresses per venue. */
export interface AddressesFile {
  chainId: number;
  rpcUrl: string;
  stateKey: string;
  tokens: Record<string, Address>;
  venues: Record<string, Record<string, Address>>;
  executors: Record<string, Address>;
}

export function writeAddressesFile(file: string, devnet: Devnet): AddressesFile {
  const d = devnet.deployment;
  const checksum = (m: Record<string, string>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, getAddress(v)])) as Record<string, Address>;
  const content: AddressesFile = {
    chainId: d.chainId,
    rpcUrl: devnet.rpcUrl,
    stateKey: stateKey(),
    tokens: checksum({ ...d.tokens }),
    venues: Object.fromEntries(Object.entries(d.venues).map(([v, keys]) => [v, checksum(keys)])),
    // keys stay lower-case owner addresses (the resolver looks them up lower-cased)
    executors: Object.fromEntries(Object.entries(d.executors).map(([o, x]) => [o, getAddress(x)])),
  };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(tmp, file);
  return content;
}
