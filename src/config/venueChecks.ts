/**
 * Rules for one venue file beyond its schema: credentials only as `${VAR}` references named
 * `{VENUE}_{ENVIRONMENT}_{FIELD}`, no references outside `environments`, none in `simulation`, and
 * internally consistent market parameters. Messages never print a credential value.
 */
import { ENVIRONMENTS } from './schema.js';
import type { EnvironmentName, VenueConfig } from './schema.js';
import { CREDENTIAL_FIELDS, credentialEnvVar, envReferences, isSecretKey } from './interpolate.js';
import type { ConfigIssue, KeyPath } from './issues.js';
import type { YamlSource } from './yamlFile.js';

const EXACT_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** Problems in a schema-valid venue file (empty when it is fine). */
export function venueFileIssues(
  venue: VenueConfig,
  source: Pick<YamlSource, 'file' | 'lineOf'>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, problem: string): void => {
    const line = source.lineOf(path);
    issues.push({
      file: source.file,
      path: path.join('.'),
      problem,
      ...(line !== undefined ? { line } : {}),
    });
  };

  for (const env of ENVIRONMENTS) {
    const block = venue.environments[env];
    for (const [key, value] of Object.entries(block)) {
      const path = ['environments', env, key];
      const text = typeof value === 'string' ? value : undefined;
      let refs: string[] = [];
      if (text !== undefined) {
        try {
          refs = envReferences(text);
        } catch (err) {
          add(path, (err as Error).message);
          continue;
        }
      }
      if (env === 'simulation' && refs.length > 0) {
        add(path, `simulation must not need environment variables; remove \${${refs[0]}}`);
        continue;
      }
      if (isSecretKey(key) && key !== 'rpc_url' && !key.endsWith('rpc_url')) {
        if (text === undefined || !EXACT_REFERENCE.test(text)) {
          add(path, 'must be a single ${VAR} reference; secrets never go in config files');
          continue;
        }
      }
      if ((CREDENTIAL_FIELDS as readonly string[]).includes(key) && refs.length === 1) {
        const expected = credentialEnvVar(venue.venue, env, key);
        if (refs[0] !== expected) add(path, `expected \${${expected}}, received \${${refs[0]}}`);
      }
      if (env === 'live' && (key === 'address' || key.endsWith('_address')) && value === '') {
        add(path, 'empty address in the live environment');
      }
    }
    if (venue.kind === 'cex' && env !== 'simulation') requireCredentials(venue.venue, env, block, add);
  }

  for (const [path, refs] of referencesOutsideEnvironments(venue)) {
    add(path, `\${${refs[0]}} is only interpolated inside environments.<live|testnet|simulation>`);
  }

  if (venue.kind === 'cex') {
    const perps = new Set(venue.symbols.perp);
    for (const symbol of Object.keys(venue.perp.maintenance_margin_rate)) {
      if (!perps.has(symbol))
        add(['perp', 'maintenance_margin_rate', symbol], `${symbol} is not in symbols.perp`);
    }
    for (const symbol of perps) {
      if (!(symbol in venue.perp.maintenance_margin_rate)) {
        add(['symbols', 'perp'], `${symbol} has no perp.maintenance_margin_rate entry`);
      }
    }
    for (const [symbol, tiers] of Object.entries(venue.perp.maintenance_margin_tiers ?? {})) {
      const at = ['perp', 'maintenance_margin_tiers', symbol];
      if (!perps.has(symbol)) add(at, `${symbol} is not in symbols.perp`);
      const tier1 = venue.perp.maintenance_margin_rate[symbol];
      if (tier1 !== undefined && tiers[0].rate !== tier1)
        add(
          [...at, '0', 'rate'],
          `expected ${tier1} (perp.maintenance_margin_rate.${symbol}), received ${tiers[0].rate}`,
        );
      for (let i = 1; i < tiers.length; i++) {
        if (!(tiers[i].max_notional_usdt > tiers[i - 1].max_notional_usdt))
          add([...at, String(i), 'max_notional_usdt'], 'expected brackets in ascending notional');
        if (tiers[i].rate < tiers[i - 1].rate)
          add([...at, String(i), 'rate'], "expected a rate at least the previous bracket's");
      }
    }
  }

  if (venue.kind === 'lending') {
    for (const [asset, r] of Object.entries(venue.reserves)) {
      if (r.ltv > r.liquidation_threshold) {
        add(
          ['reserves', asset, 'ltv'],
          `expected at most liquidation_threshold (${r.liquidation_threshold}), received ${r.ltv}`,
        );
      }
    }
    if (venue.emode) {
      if (venue.emode.ltv > venue.emode.liquidation_threshold) {
        add(
          ['emode', 'ltv'],
          `expected at most emode.liquidation_threshold (${venue.emode.liquidation_threshold}), received ${venue.emode.ltv}`,
        );
      }
      for (const asset of venue.emode.assets) {
        if (!(asset in venue.reserves)) add(['emode', 'assets'], `${asset} is not listed under reserves`);
      }
    }
  }
  return issues;
}

function requireCredentials(
  name: string,
  env: EnvironmentName,
  block: Record<string, unknown>,
  add: (path: KeyPath, problem: string) => void,
): void {
  for (const field of ['api_key', 'secret_key'] as const) {
    if (!(field in block)) {
      add(['environments', env], `missing ${field}: \${${credentialEnvVar(name, env, field)}}`);
    }
  }
}

function referencesOutsideEnvironments(venue: VenueConfig): Array<[string[], string[]]> {
  const found: Array<[string[], string[]]> = [];
  const walk = (value: unknown, path: string[]): void => {
    if (typeof value === 'string') {
      let refs: string[];
      try {
        refs = envReferences(value);
      } catch {
        refs = ['?'];
      }
      if (refs.length > 0) found.push([path, refs]);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    }
  };
  for (const [key, value] of Object.entries(venue)) {
    if (key !== 'environments') walk(value, [key]);
  }
  return found;
}
