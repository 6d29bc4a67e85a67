import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  credentialEnvVar,
  envReferences,
  interpolateEnv,
  loadMode,
  loadVenue,
  redactEnvironmentBlock,
  resolveMode,
  resolveVenueEnvironment,
  validateConfigDir,
} from '../../src/config/index.js';
import { Secret } from '../../src/domain/secret.js';
import { tempConfig, thrown } from './tempConfig.js';
import type { TempConfig } from './tempConfig.js';

const SECRET = 'sk-live-7f3a9c1e5b2d4f60';
const where = { file: 'config/venues/x.yaml', path: 'environments.live' };

describe('interpolateEnv', () => {
  it('replaces ${VAR} in string values and keeps other values', () => {
    const out = interpolateEnv(
      { url: 'https://x/${K}/v2', n: 1, b: true, lit: 'cost $$5 and $${NOT}' },
      { K: 'abc' },
      where,
    );
    expect(out).toEqual({ url: 'https://x/abc/v2', n: 1, b: true, lit: 'cost $$5 and ${NOT}' });
    expect(envReferences('${A}-${B_2}')).toEqual(['A', 'B_2']);
  });

  it('a missing variable names file, key path and variable, never another value', () => {
    const err = thrown(() =>
      interpolateEnv({ api_key: '${API}', secret_key: '${SECRET}' }, { API: SECRET }, where),
    );
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect(err.message).toBe(
      'config/venues/x.yaml: environments.live.secret_key: environment variable SECRET is not set',
    );
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify((err as unknown as ConfigValidationError).issues)).not.toContain(SECRET);
  });

  it('an empty variable counts as missing; every missing variable is listed', () => {
    const err = thrown(() =>
      interpolateEnv({ a: '${A}', b: '${B}' }, { A: '' }, where),
    ) as unknown as ConfigValidationError;
    expect(err.issues.map((i) => i.problem)).toEqual([
      'environment variable A is empty',
      'environment variable B is not set',
    ]);
  });

  it('malformed references fail', () => {
    expect(() => interpolateEnv({ a: '${A' }, {}, where)).toThrow(/environments\.live\.a: unterminated/);
    expect(() => interpolateEnv({ a: '${1A}' }, {}, where)).toThrow(/is not a valid reference/);
  });
});

describe('credentials', () => {
  it('credentialEnvVar builds {VENUE}_{ENVIRONMENT}_{FIELD}', () => {
    expect(credentialEnvVar('binance', 'live', 'api_key')).toBe('BINANCE_LIVE_API_KEY');
    expect(credentialEnvVar('okx', 'testnet', 'passphrase')).toBe('OKX_TESTNET_PASSPHRASE');
  });

  it('shipped CEX files reference exactly the scheme names', () => {
    for (const venue of ['binance', 'bybit', 'okx']) {
      for (const env of ['live', 'testnet'] as const) {
        const block = loadVenue(venue).environments[env];
        expect(block.api_key).toBe(`\${${credentialEnvVar(venue, env, 'api_key')}}`);
        expect(block.secret_key).toBe(`\${${credentialEnvVar(venue, env, 'secret_key')}}`);
      }
    }
    expect(loadVenue('okx').environments.live.passphrase).toBe('${OKX_LIVE_PASSPHRASE}');
  });

  it('redactEnvironmentBlock masks secrets and RPC URLs', () => {
    expect(
      redactEnvironmentBlock({
        api_key: SECRET,
        rpc_url: 'https://x/key',
        rest_url: 'https://api',
        chain_id: 1,
      }),
    ).toEqual({
      api_key: '***',
      rpc_url: '***',
      rest_url: 'https://api',
      chain_id: 1,
    });
  });
});

describe('resolveVenueEnvironment', () => {
  const env = {
    BINANCE_LIVE_API_KEY: SECRET,
    BINANCE_LIVE_SECRET_KEY: `${SECRET}-s`,
  };

  it('interpolates only the selected block', () => {
    const binance = loadVenue('binance');
    // the simulation block needs no variable: historical data for backtests, public URLs for paper trading
    expect(resolveVenueEnvironment(binance, 'simulation', {})).toMatchObject({
      market_data: 'historical',
      spot_rest_url: 'https://api.binance.com',
    });
    const live = resolveVenueEnvironment(binance, 'live', env);
    // credentials are Secrets: only reveal() gives the value; printing or serialising the block masks it
    expect(live.api_key).toBeInstanceOf(Secret);
    expect((live.api_key as Secret).reveal()).toBe(SECRET);
    expect((live.secret_key as Secret).reveal()).toBe(`${SECRET}-s`);
    expect(JSON.stringify(live)).not.toContain(SECRET);
    expect(inspect(live)).not.toContain(SECRET);
    expect(`${String(live.api_key)}`).toBe('***');
    expect(live.perp_rest_url).toBe('https://fapi.binance.com');
    // testnet keys are absent, yet live resolves: the testnet block is never read
    expect(() => resolveVenueEnvironment(binance, 'testnet', env)).toThrow(
      'config/venues/binance.yaml: environments.testnet.api_key: environment variable BINANCE_TESTNET_API_KEY is not set',
    );
  });

  it('checks addresses: devnet placeholders and malformed values name the key and variable only', () => {
    const aave = loadVenue('aave_v3');
    expect(
      resolveVenueEnvironment(aave, 'live', { ALCHEMY_LIVE_RPC_URL: 'https://eth.example/v2/k' })
        .pool_address,
    ).toBe('0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2');
    expect(() => resolveVenueEnvironment(aave, 'testnet', { ALCHEMY_TESTNET_RPC_URL: 'https://t' })).toThrow(
      'config/venues/aave_v3.yaml: environments.testnet.pool_address: address not filled in (empty)',
    );
    const wallet = loadVenue('wallet');
    const err = thrown(() =>
      resolveVenueEnvironment(wallet, 'live', {
        ALCHEMY_LIVE_RPC_URL: 'https://eth.example/v2/k',
        WALLET_LIVE_ADDRESS: SECRET,
        WALLET_LIVE_PRIVATE_KEY: SECRET,
      }),
    );
    expect(err.message).toBe(
      'config/venues/wallet.yaml: environments.live.address: the value of WALLET_LIVE_ADDRESS is not a 0x-prefixed 20-byte address',
    );
    expect(err.message).not.toContain(SECRET);
  });
});

describe('secrets never appear in error messages', () => {
  let cfg: TempConfig;
  const saved = { ...process.env };
  beforeEach(() => {
    cfg = tempConfig();
    process.env.BINANCE_LIVE_API_KEY = SECRET;
    process.env.BINANCE_LIVE_SECRET_KEY = SECRET;
    process.env.ALCHEMY_LIVE_RPC_URL = `https://eth-mainnet.example/v2/${SECRET}`;
  });
  afterEach(() => {
    cfg.cleanup();
    process.env = { ...saved };
  });

  const messages = (fn: () => unknown): string => {
    const err = thrown(fn) as unknown as ConfigValidationError;
    return `${err.message}\n${JSON.stringify(err.issues ?? [])}`;
  };

  it('a literal secret pasted into a venue file is refused without echoing it', () => {
    cfg.replace('venues/binance.yaml', '${BINANCE_LIVE_SECRET_KEY}', SECRET);
    const text = messages(() => loadVenue('binance', cfg.dir));
    expect(text).toContain('environments.live.secret_key: must be a single ${VAR} reference');
    expect(text).not.toContain(SECRET);
    const report = validateConfigDir(cfg.dir);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).not.toContain(SECRET);
  });

  it('a schema error inside environments hides the value', () => {
    cfg.replace('venues/binance.yaml', 'api_key: ${BINANCE_LIVE_API_KEY}', `api_key: [${SECRET}]`);
    const text = messages(() => loadVenue('binance', cfg.dir));
    expect(text).toContain('environments.live.api_key');
    expect(text).not.toContain(SECRET);
  });

  it('errors from resolving, loading and overriding never contain env values', () => {
    const binance = loadVenue('binance');
    expect(messages(() => resolveVenueEnvironment(binance, 'testnet', process.env))).not.toContain(SECRET);
    expect(messages(() => resolveVenueEnvironment(loadVenue('wallet'), 'live', process.env))).not.toContain(
      SECRET,
    );
    expect(messages(() => loadMode('btc_basis', { overrides: ['strategy.perp_leverage=x'] }))).not.toContain(
      SECRET,
    );
    cfg.replace('modes/btc_basis.yaml', 'okx: 0.3', 'kraken: 0.3');
    expect(messages(() => resolveMode('btc_basis', { configDir: cfg.dir }))).not.toContain(SECRET);
  });
});
