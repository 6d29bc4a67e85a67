/**
 * The wallet key comes only from the environment (the `private_key: ${WALLET_<ENV>_PRIVATE_KEY}` reference) or
 * an encrypted keystore file, and never reaches a log, a message, an event or an inspected object — also
 * when transactions fail.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { loadVenue, redactEnvironmentBlock } from '../../src/config/index.js';
import { ConfigError } from '../../src/domain/errors.js';
import {
  decryptKeystore,
  encryptKeystore,
  KeystoreError,
  loadSigner,
  resolveOnchainBlock,
  Secret,
} from '../../src/venues/onchain/index.js';
import { RecordingLedger } from '../venues/fixtures.js';
import { DEVNET, onchainFixture, type OnchainFixture } from './fixture.js';

const WHERE = { file: 'config/venues/wallet.yaml', path: 'environments.testnet' };

describe('keystore (Web3 Secret Storage v3)', () => {
  test('decrypts the PBKDF2 test vector of the definition', () => {
    const vector = {
      version: 3 as const,
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
        ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
        kdf: 'pbkdf2' as const,
        kdfparams: {
          c: 262144,
          dklen: 32,
          prf: 'hmac-sha256',
          salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
        },
        mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
      },
    };
    expect(decryptKeystore(vector, new Secret('testpassword')).reveal()).toBe(
      '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d',
    );
    expect(() => decryptKeystore(vector, new Secret('wrong'))).toThrow(
      new KeystoreError('keystore MAC mismatch: wrong password or corrupted file'),
    );
  });

  test('scrypt keystores round-trip, and a secret prints masked', () => {
    const key = new Secret(generatePrivateKey());
    const ks = encryptKeystore(key, new Secret('pw'), { n: 2 ** 14 });
    expect(ks.crypto.kdf).toBe('scrypt');
    expect(`0x${ks.address}`).toBe(privateKeyToAddress(key.reveal() as `0x${string}`).toLowerCase());
    expect(decryptKeystore(JSON.stringify(ks), new Secret('pw')).reveal()).toBe(key.reveal());
    expect(String(key)).toBe('***');
    expect(JSON.stringify({ key })).toBe('{"key":"***"}');
    expect(inspect({ key })).toBe('{ key: Secret(***) }');
  });
});

describe('the wallet signer', () => {
  const key = generatePrivateKey();
  const address = privateKeyToAddress(key);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'basis-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('from the environment, through the venue file reference', () => {
    const block = resolveOnchainBlock(loadVenue('wallet'), 'live', {
      processEnv: {
        ALCHEMY_LIVE_RPC_URL: 'http://127.0.0.1:1',
        WALLET_LIVE_ADDRESS: address,
        WALLET_LIVE_PRIVATE_KEY: key,
      },
    });
    expect(loadSigner(block, WHERE).address).toBe(address);
    expect(redactEnvironmentBlock(block).private_key).toBe('***');
  });

  test('from an encrypted keystore file with the password from the environment', () => {
    const file = join(dir, 'wallet.json');
    writeFileSync(
      file,
      JSON.stringify(encryptKeystore(new Secret(key), new Secret('correct horse'), { n: 2 ** 14 })),
    );
    expect(
      loadSigner({ keystore_file: file, keystore_password: 'correct horse', address }, WHERE).address,
    ).toBe(address);
    const e = (() => {
      try {
        loadSigner({ keystore_file: file, keystore_password: 'battery staple' }, WHERE);
      } catch (err) {
        return err as ConfigError;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e!.message).toBe(
      `config/venues/wallet.yaml: environments.testnet.keystore_file: ${file}: keystore MAC mismatch: wrong password or corrupted file`,
    );
    expect(e!.message).not.toContain('battery');
  });

  test('a malformed key, a missing signer or a mismatched address fail without echoing the key', () => {
    const bad = `${key.slice(0, 60)}zz`;
    expect(() => loadSigner({ private_key: bad }, WHERE)).toThrow(
      'config/venues/wallet.yaml: environments.testnet.private_key: is not a 32-byte hex private key (value not shown)',
    );
    expect(() => loadSigner({}, WHERE)).toThrow(
      /no signer: set private_key: \$\{VAR\} or keystore_file \+ keystore_password/,
    );
    const other = privateKeyToAddress(generatePrivateKey());
    expect(() => loadSigner({ private_key: key, address: other }, WHERE)).toThrow(
      `${other} is not the signer's address ${address}`,
    );
    for (const f of [
      () => loadSigner({ private_key: bad }, WHERE),
      () => loadSigner({ private_key: key, address: other }, WHERE),
    ]) {
      try {
        f();
      } catch (err) {
        expect(String((err as Error).message)).not.toContain(key.slice(2, 20));
      }
    }
  });
});

describe.skipIf(!DEVNET)('the key never reaches logs', () => {
  let fx: OnchainFixture;
  beforeAll(async () => {
    fx = await onchainFixture({ ETH: 10 });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  test('through a whole session: build, transactions, refusals, a revert, events, journal and inspection', async () => {
    const written: string[] = [];
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    const errors: string[] = [];
    const ledger = new RecordingLedger();
    let inspected = '';
    try {
      const o = await fx.build();
      const aave = o.venues.get('aave_v3')!;
      await aave.execute({ op: 'supply', venue: 'aave_v3', asset: 'WETH', amount: 1 }, ledger);
      for (const i of [
        { op: 'borrow', venue: 'aave_v3', asset: 'WETH', amount: 100 },
        { op: 'supply', venue: 'aave_v3', asset: 'USDT', amount: 5 },
      ] as const) {
        await aave.execute(i, ledger).catch((e: Error) => errors.push(e.message, String(e.stack)));
      }
      const broken = await fx.build({ rpcUrl: 'http://127.0.0.1:9' }).catch((e: Error) => e);
      errors.push(String((broken as Error).message));
      console.log(o.venues, o.ctx);
      console.error(ledger.events);
      inspected = inspect(o, { depth: 8 }) + JSON.stringify(ledger.events);
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    const journal = readdirSync(join(fx.dir, 'journal')).map((f) =>
      readFileSync(join(fx.dir, 'journal', f), 'utf8'),
    );
    const everything = [...written, ...errors, inspected, ...journal].join('\n');
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(everything).toContain(fx.address.slice(2, 12)); // the address does appear: the check is live
    for (const needle of [fx.key, fx.key.slice(2), fx.key.slice(2, 18), fx.key.slice(-16)]) {
      expect(everything.toLowerCase()).not.toContain(needle.toLowerCase());
    }
  });
});
