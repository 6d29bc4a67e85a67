/**
 * The wallet's signing key, only from the environment (the `private_key: ${WALLET_<ENV>_PRIVATE_KEY}` reference
 * of the wallet venue's block) or from an encrypted keystore file (`keystore_file` + `keystore_password:
 * ${…}`). The key is held as a Secret and handed to viem's local account, which signs in process; it never
 * reaches a message, a log or a result.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Hex, LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { EnvironmentBlock } from '../../../config/index.js';
import { ConfigError } from '../../../domain/errors.js';
import { decryptKeystore, KeystoreError } from './keystore.js';
import { Secret, settingText } from '../../../domain/secret.js';

const PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

export interface SignerSource {
  /** Display path of the venue file, for messages. */
  file: string;
  /** Key path of the block, e.g. `environments.testnet`. */
  path: string;
  /** Folder relative keystore paths resolve against (default: the working directory). */
  baseDir?: string;
}

/** The local account of the wallet block: from `private_key`, else from `keystore_file`. */
export function loadSigner(block: EnvironmentBlock, where: SignerSource): LocalAccount {
  let key: Secret;
  const privateKey = settingText(block.private_key);
  const password = block.keystore_password;
  if (privateKey !== undefined) {
    key = new Secret(privateKey.trim());
    if (!PRIVATE_KEY.test(key.reveal())) {
      throw new ConfigError(
        where.file,
        `${where.path}.private_key`,
        'is not a 32-byte hex private key (value not shown)',
      );
    }
  } else if (typeof block.keystore_file === 'string' && block.keystore_file !== '') {
    const file = isAbsolute(block.keystore_file)
      ? block.keystore_file
      : resolve(where.baseDir ?? process.cwd(), block.keystore_file);
    if (!(password instanceof Secret) && typeof password !== 'string') {
      throw new ConfigError(
        where.file,
        `${where.path}.keystore_password`,
        'missing: a ${VAR} reference to the keystore password',
      );
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(where.file, `${where.path}.keystore_file`, `cannot read keystore ${file}`);
    }
    try {
      key = decryptKeystore(text, password instanceof Secret ? password : new Secret(String(password)));
    } catch (err) {
      const why = err instanceof KeystoreError ? err.message : 'cannot decrypt';
      throw new ConfigError(where.file, `${where.path}.keystore_file`, `${file}: ${why}`);
    }
  } else {
    throw new ConfigError(
      where.file,
      where.path,
      'no signer: set private_key: ${VAR} or keystore_file + keystore_password',
    );
  }
  const hex = (key.reveal().startsWith('0x') ? key.reveal() : `0x${key.reveal()}`) as Hex;
  const account = privateKeyToAccount(hex);
  if (
    typeof block.address === 'string' &&
    block.address !== '' &&
    block.address.toLowerCase() !== account.address.toLowerCase()
  ) {
    throw new ConfigError(
      where.file,
      `${where.path}.address`,
      `${block.address} is not the signer's address ${account.address}`,
    );
  }
  return account;
}
