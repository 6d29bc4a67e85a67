/**
 * A devnet per test file (loaded from the saved state in well under a second), a fresh random wallet funded
 * by anvil, its LeverageExecutor, a deployment file in a temp folder, and the on-chain venues built from the
 * shipped venue files' testnet blocks, exactly as a testnet run resolves them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { loadVenue } from '../../src/config/index.js';
import { anvilBinary } from '../../src/devnet/anvil.js';
import { startDevnet, writeAddressesFile, type Devnet } from '../../src/devnet/devnet.js';
import {
  createOnchainVenues,
  resolveOnchainBlock,
  type OnchainVenues,
} from '../../src/venues/onchain/index.js';
import type { SenderOptions } from '../../src/venues/onchain/chain/sender.js';

/**
 * Whether anvil is installed (the optional dependency exists for linux x64 only; elsewhere put Foundry's anvil
 * on PATH). Without it the on-chain tests are skipped — except on linux x64, where the global setup fails.
 */
export const DEVNET = (() => {
  try {
    anvilBinary();
    return true;
  } catch {
    return false;
  }
})();

/** How long the tests' senders wait for a receipt (a deadline, not an expectation: anvil mines at once). */
export const RECEIPT_TIMEOUT_MS = 60_000;

export const ONCHAIN_VENUES = ['wallet', 'aave_v3', 'etherfi', 'lido', 'uniswap', 'morpho'] as const;

export interface OnchainFixture {
  devnet: Devnet;
  dir: string;
  addressesFile: string;
  key: Hex;
  address: Address;
  env: NodeJS.ProcessEnv;
  executor: Address;
  build(opts?: {
    venues?: readonly string[];
    sender?: SenderOptions;
    rpcUrl?: string;
    /** The sender's journal folder (default `journal` in the fixture's folder, shared by every build). */
    journalDir?: string;
  }): Promise<OnchainVenues>;
  stop(): Promise<void>;
}

export async function onchainFixture(
  fund: { ETH?: number; WETH?: number; USDT?: number; weETH?: number; wstETH?: number } = { ETH: 1000 },
): Promise<OnchainFixture> {
  const devnet = await startDevnet();
  const dir = mkdtempSync(join(tmpdir(), 'basis-onchain-'));
  const key = generatePrivateKey();
  const address = privateKeyToAccount(key).address;
  await devnet.fund(address, fund);
  const executor = await devnet.deployExecutor(address);
  const addressesFile = join(dir, 'addresses.json');
  writeAddressesFile(addressesFile, devnet);
  const env = {
    ALCHEMY_TESTNET_RPC_URL: devnet.rpcUrl,
    WALLET_TESTNET_ADDRESS: address,
    WALLET_TESTNET_PRIVATE_KEY: key,
  };
  return {
    devnet,
    dir,
    addressesFile,
    key,
    address,
    env,
    executor,
    async build(opts = {}) {
      const names = opts.venues ?? ONCHAIN_VENUES;
      const processEnv = { ...env, ...(opts.rpcUrl ? { ALCHEMY_TESTNET_RPC_URL: opts.rpcUrl } : {}) };
      const venues = names.map((n) => {
        const config = loadVenue(n);
        return {
          config,
          settings: resolveOnchainBlock(config, 'testnet', {
            processEnv,
            owner: address,
            deploymentFile: addressesFile,
          }),
        };
      });
      return createOnchainVenues({
        venues,
        journalDir: opts.journalDir ?? join(dir, 'journal'),
        // anvil mines at once; the generous receipt deadline only bounds a test on a loaded machine
        sender: { pollIntervalMs: 5, receiptTimeoutMs: RECEIPT_TIMEOUT_MS, ...opts.sender },
      });
    },
    async stop() {
      await devnet.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
