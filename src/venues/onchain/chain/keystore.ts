/**
 * Web3 Secret Storage (keystore v3, as written by geth, ethers and viem tooling): the private key encrypted with
 * AES-128-CTR under a key derived by scrypt or PBKDF2-HMAC-SHA256 from a password, authenticated by
 * keccak256(derivedKey[16..32] ‖ ciphertext). Decryption uses node:crypto only.
 * @see https://ethereum.org/en/developers/docs/data-structures-and-encoding/web3-secret-storage/
 */
import {
  createCipheriv,
  createDecipheriv,
  pbkdf2Sync,
  randomBytes,
  randomUUID,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';
import { bytesToHex, hexToBytes, keccak256, type Hex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { Secret } from '../../../domain/secret.js';

interface ScryptParams {
  dklen: number;
  salt: string;
  n: number;
  r: number;
  p: number;
}

interface Pbkdf2Params {
  dklen: number;
  salt: string;
  c: number;
  prf: string;
}

export interface KeystoreV3 {
  version: 3;
  id?: string;
  address?: string;
  crypto: {
    cipher: string;
    ciphertext: string;
    cipherparams: { iv: string };
    kdf: 'scrypt' | 'pbkdf2';
    kdfparams: ScryptParams | Pbkdf2Params;
    mac: string;
  };
}

/** Thrown for a malformed keystore or a wrong password; the message never contains key material. */
export class KeystoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeystoreError';
  }
}

const unhex = (s: string) => Buffer.from(s.replace(/^0x/, ''), 'hex');

function deriveKey(k: KeystoreV3['crypto'], password: string): Buffer {
  if (k.kdf === 'scrypt') {
    const p = k.kdfparams as ScryptParams;
    try {
      return scryptSync(password, unhex(p.salt), p.dklen, {
        N: p.n,
        r: p.r,
        p: p.p,
        maxmem: 256 * p.n * p.r + 1024 * 1024,
      });
    } catch {
      // OpenSSL enforces RFC 7914's N < 2^(16 r); geth / ethers / viem keystores (r = 8) satisfy it
      throw new KeystoreError(
        `scrypt parameters n=${p.n} r=${p.r} p=${p.p} are not supported by node:crypto`,
      );
    }
  }
  if (k.kdf === 'pbkdf2') {
    const p = k.kdfparams as Pbkdf2Params;
    if (p.prf !== 'hmac-sha256') throw new KeystoreError(`unsupported keystore prf ${p.prf}`);
    return pbkdf2Sync(password, unhex(p.salt), p.c, p.dklen, 'sha256');
  }
  throw new KeystoreError(`unsupported keystore kdf ${String((k as { kdf: unknown }).kdf)}`);
}

/** The private key inside a v3 keystore, as a Secret. Wrong password → KeystoreError("… wrong password …"). */
export function decryptKeystore(json: string | KeystoreV3, password: Secret): Secret {
  let ks: KeystoreV3;
  try {
    ks = typeof json === 'string' ? (JSON.parse(json) as KeystoreV3) : json;
  } catch {
    throw new KeystoreError('keystore file is not JSON');
  }
  const c = ks?.crypto ?? (ks as unknown as { Crypto?: KeystoreV3['crypto'] }).Crypto;
  if (ks?.version !== 3 || !c) throw new KeystoreError('not a version 3 keystore');
  if (c.cipher !== 'aes-128-ctr') throw new KeystoreError(`unsupported keystore cipher ${c.cipher}`);
  const derived = deriveKey(c, password.reveal());
  const ciphertext = unhex(c.ciphertext);
  const mac = unhex(keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])));
  const expected = unhex(c.mac);
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    throw new KeystoreError('keystore MAC mismatch: wrong password or corrupted file');
  }
  const decipher = createDecipheriv('aes-128-ctr', derived.subarray(0, 16), unhex(c.cipherparams.iv));
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (key.length !== 32) throw new KeystoreError('keystore does not hold a 32-byte private key');
  return new Secret(bytesToHex(key));
}

/**
 * Encrypts a private key into a v3 keystore (scrypt, n = 2^18 by default like geth's standard; tests pass a
 * smaller n).
 */
export function encryptKeystore(privateKey: Secret, password: Secret, opts: { n?: number } = {}): KeystoreV3 {
  const key = hexToBytes(privateKey.reveal() as Hex);
  if (key.length !== 32) throw new KeystoreError('private key must be 32 bytes');
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const params = { dklen: 32, salt: salt.toString('hex'), n: opts.n ?? 262_144, r: 8, p: 1 };
  const derived = scryptSync(password.reveal(), salt, 32, {
    N: params.n,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.n * params.r + 1024 * 1024,
  });
  const cipher = createCipheriv('aes-128-ctr', derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
  const mac = keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])).slice(2);
  return {
    version: 3,
    id: randomUUID(),
    address: privateKeyToAddress(privateKey.reveal() as Hex)
      .slice(2)
      .toLowerCase(),
    crypto: {
      cipher: 'aes-128-ctr',
      ciphertext: ciphertext.toString('hex'),
      cipherparams: { iv: iv.toString('hex') },
      kdf: 'scrypt',
      kdfparams: params,
      mac,
    },
  };
}
