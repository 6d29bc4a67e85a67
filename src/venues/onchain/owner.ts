/**
 * The address that signs for a run's on-chain venues, from the wallet's resolved block: its `address` when
 * given (checked against the signer when the venues are built), else the signer's own address (the key or the
 * keystore is read, never shown). A devnet deployment file keys the wallet's LeverageExecutor by it.
 */
import { getAddress, isAddress } from 'viem';
import type { EnvironmentBlock } from '../../config/index.js';
import { ConfigError } from '../../domain/errors.js';
import { loadSigner, type SignerSource } from './chain/signer.js';

export function onchainOwner(block: EnvironmentBlock, where: SignerSource): string {
  const a = block.address;
  if (typeof a === 'string' && a !== '') {
    if (!isAddress(a, { strict: false }))
      throw new ConfigError(where.file, `${where.path}.address`, `"${a}" is not a 0x address`);
    return getAddress(a);
  }
  return loadSigner(block, where).address;
}
