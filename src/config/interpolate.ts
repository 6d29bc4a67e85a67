/**
 * `${VAR}` interpolation and credentials. Only the environment block a venue actually runs in is
 * interpolated, so a simulated backtest never needs live keys. Errors name the variable, never a value.
 */
import { ConfigError } from '../domain/errors.js';
import { Secret } from '../domain/secret.js';
import type { EnvironmentName, VenueConfig } from './schema.js';
import { ConfigValidationError } from './issues.js';
import type { ConfigIssue } from './issues.js';

/** A venue's resolved environment block; credential values are Secrets once resolved. */
export type EnvironmentBlock = Record<string, string | number | boolean | Secret>;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Credential fields a venue environment block may hold; their values must be `${VAR}` references. */
export const CREDENTIAL_FIELDS = ['api_key', 'secret_key', 'passphrase', 'private_key'] as const;
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

/**
 * The environment variable holding a venue credential: `{VENUE}_{ENVIRONMENT}_{FIELD}`.
 * @example credentialEnvVar('binance', 'live', 'api_key') // 'BINANCE_LIVE_API_KEY'
 */
export function credentialEnvVar(
  venue: string,
  environment: EnvironmentName,
  field: CredentialField | string,
): string {
  return `${venue}_${environment}_${field}`.toUpperCase();
}

/** Keys whose values are secrets (credentials, and RPC URLs, which embed a provider key). */
export function isSecretKey(key: string): boolean {
  return (
    /(^|_)(api_key|secret|secret_key|passphrase|private_key|password|token)$/i.test(key) ||
    /rpc_url$/i.test(key)
  );
}

/** A copy of a block with secret values masked, fit for logs and reports. */
export function redactEnvironmentBlock(block: EnvironmentBlock): EnvironmentBlock {
  return Object.fromEntries(Object.entries(block).map(([k, v]) => [k, isSecretKey(k) ? '***' : v]));
}

/** Names of the `${VAR}` references in a string, in order (escaped `$${…}` excluded). */
export function envReferences(value: string): string[] {
  const names: string[] = [];
  scan(value, (name) => {
    names.push(name);
    return '';
  });
  return names;
}

/**
 * Replaces every `${VAR}` in the string values of `block` (recursively) with `env[VAR]`. `$${` yields a
 * literal `${`. A missing or empty variable, or a malformed reference, throws ConfigValidationError naming
 * the file, the key path (`where.path` + key) and the variable; the message never contains a value.
 */
export function interpolateEnv<T>(
  block: T,
  env: NodeJS.ProcessEnv,
  where: { file: string; path: string },
): T {
  const issues: ConfigIssue[] = [];
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      try {
        return scan(value, (name) => {
          const v = env[name];
          if (v === undefined || v === '') {
            issues.push({
              file: where.file,
              path,
              problem: `environment variable ${name} is ${v === undefined ? 'not set' : 'empty'}`,
            });
            return '';
          }
          return v;
        });
      } catch (err) {
        issues.push({ file: where.file, path, problem: (err as Error).message });
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}.${i}`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]),
      );
    }
    return value;
  };
  const out = walk(block, where.path) as T;
  if (issues.length > 0) throw new ConfigValidationError(issues);
  return out;
}

/** Scans `${NAME}` references, replacing each with `replace(NAME)`. Throws on a malformed reference. */
function scan(value: string, replace: (name: string) => string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const j = value.indexOf('${', i);
    if (j < 0) return out + value.slice(i);
    if (j > 0 && value[j - 1] === '$') {
      out += `${value.slice(i, j - 1)}\${`;
      i = j + 2;
      continue;
    }
    const k = value.indexOf('}', j + 2);
    if (k < 0) throw new Error('unterminated ${ reference');
    const name = value.slice(j + 2, k);
    if (!VARIABLE_NAME.test(name)) {
      throw new Error(`\${${name}} is not a valid reference; expected \${NAME} with letters, digits and _`);
    }
    out += value.slice(i, j) + replace(name);
    i = k + 1;
  }
}

/**
 * The venue's block for `environment`, with `${VAR}` references resolved from `processEnv`. Only that
 * block is read. Also checks that every `address` / `*_address` in it is a 0x-prefixed 20-byte address (an empty
 * one means "not filled in yet" and fails here, naming the key).
 * @param file display path of the venue file for messages; default `config/venues/<venue>.yaml`.
 */
export function resolveVenueEnvironment(
  venue: VenueConfig,
  environment: EnvironmentName,
  processEnv: NodeJS.ProcessEnv = process.env,
  file = `config/venues/${venue.venue}.yaml`,
): EnvironmentBlock {
  const raw = (venue.environments as Record<string, EnvironmentBlock | undefined>)[environment];
  const path = `environments.${environment}`;
  if (!raw) throw new ConfigError(file, path, `no such environment; expected live, testnet or simulation`);
  const resolved = interpolateEnv(raw, processEnv, { file, path });
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(resolved)) {
    if ((key !== 'address' && !key.endsWith('_address')) || typeof value !== 'string') continue;
    if (value === '') {
      issues.push({ file, path: `${path}.${key}`, problem: 'address not filled in (empty)' });
    } else if (!ADDRESS.test(value)) {
      const refs = envReferences(String(raw[key]));
      const source = refs.length > 0 ? `the value of ${refs.join(', ')}` : 'the value';
      issues.push({
        file,
        path: `${path}.${key}`,
        problem: `${source} is not a 0x-prefixed 20-byte address`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigValidationError(issues);
  // credentials are held as Secrets from here on: they print as *** wherever a block is logged or stored
  for (const [key, value] of Object.entries(resolved))
    if (isCredentialKey(key) && typeof value === 'string' && value !== '') resolved[key] = new Secret(value);
  return resolved;
}

/** Keys whose values are credentials (exchange keys, chain keys, keystore passwords). */
export function isCredentialKey(key: string): boolean {
  return isSecretKey(key) && !/rpc_url$/i.test(key);
}
