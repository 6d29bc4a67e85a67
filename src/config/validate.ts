/**
 * Cross-file validation: the venues a mode needs (derived from its venues, hedge allocation, LST type and
 * the wallet), their kinds and symbols, the family's required parameters, and a whole-directory check.
 */
import { ACTION_TYPES } from '../domain/types.js';
import type { ActionType } from '../domain/types.js';
import type { CexVenueConfig, ModeConfig, ShareClassConfig, VenueConfig } from './schema.js';

/** Kinds of venue file (the `kind` key). */
export type VenueKind = VenueConfig['kind'];
import { ConfigValidationError, formatIssue, issuesOf } from './issues.js';
import type { ConfigIssue } from './issues.js';
import {
  ENVIRONMENTS_DIR,
  SHARE_CLASSES_DIR,
  VENUES_DIR,
  configFilePath,
  displayPath,
  listConfigFiles,
  loadEnvironmentPreset,
  loadModeSource,
  loadShareClass,
  loadVenue,
  resolveConfigDir,
  MODES_DIR,
} from './load.js';
import type { LoadModeOptions } from './load.js';

const VENUE_NAME = /^[a-z0-9_]{1,64}$/;
import { familyNames, familySpec, unknownFamily, type At } from './families.js';

/** The staking venue that issues each liquid staking token. */
export const LST_ISSUER: Record<'weETH' | 'wstETH', string> = { weETH: 'etherfi', wstETH: 'lido' };

/** True when the mode must hedge: it is market neutral but holds an asset other than its share class. */
export function needsHedge(mode: ModeConfig): boolean {
  return mode.market_neutral && mode.asset !== mode.share_class;
}

/** The venue kind that can serve each action type. */
export const ACTION_VENUE_KIND: Record<ActionType, VenueKind> = {
  lending: 'lending',
  staking: 'staking',
  hedge: 'cex',
  spot: 'cex',
  flash_loan: 'flash_loan',
  unwind: 'flash_loan',
  wallet_transfer: 'wallet',
  dex_swap: 'dex',
};

/** The venue every mode holds its funds in between venues. */
export const WALLET_VENUE = 'wallet';

/** One reason a mode needs a venue: the key that names it and the kind it must be. */
export interface VenueRequirement {
  venue: string;
  /** Key path in the mode file (`venues.spot`, `hedge_allocation.okx`, `lst_type`), '' for the implicit wallet. */
  path: string;
  kind: VenueKind;
  /** Action type served. */
  action: ActionType;
}

/** Every (venue, key, kind) a mode implies, in file order; a venue may appear more than once. */
export function venueRequirements(mode: ModeConfig): VenueRequirement[] {
  const out: VenueRequirement[] = [];
  const venues = mode.venues as Partial<Record<ActionType, string>>;
  for (const action of ACTION_TYPES) {
    const venue = venues[action];
    if (venue) out.push({ venue, path: `venues.${action}`, kind: ACTION_VENUE_KIND[action], action });
  }
  for (const [venue, weight] of Object.entries(mode.hedge_allocation ?? {})) {
    if (weight > 0) out.push({ venue, path: `hedge_allocation.${venue}`, kind: 'cex', action: 'hedge' });
  }
  if (mode.lst_type)
    out.push({ venue: LST_ISSUER[mode.lst_type], path: 'lst_type', kind: 'staking', action: 'staking' });
  out.push({ venue: WALLET_VENUE, path: '', kind: 'wallet', action: 'wallet_transfer' });
  return out;
}

/**
 * Venues a mode needs: its `venues` values, hedge venues with weight > 0, the issuer of its LST
 * (weETH → etherfi, wstETH → lido) and `wallet`; sorted, unique.
 * @example requiredVenues(loadMode('btc_basis')) // ['binance', 'bybit', 'okx', 'wallet']
 */
export function requiredVenues(mode: ModeConfig): string[] {
  return [...new Set(venueRequirements(mode).map((r) => r.venue))].sort();
}

export interface ResolvedMode {
  mode: ModeConfig;
  /** Display path of the mode file (`config/modes/btc_basis.yaml`). */
  modeFile: string;
  /** Every required venue's validated config, by name. */
  venues: Record<string, VenueConfig>;
  shareClass: ShareClassConfig;
  /** requiredVenues(mode). */
  requiredVenues: string[];
}

/**
 * Loads a mode with everything it needs and checks it as a whole: each required venue file exists and
 * is valid, its kind fits the action it serves, hedge weights sum to 1, hedge venues list the perp
 * (`{asset}USDT`) and the spot venue the spot symbol, and the family's required parameters are set.
 * Throws ConfigError (a ConfigValidationError with every issue) naming file, key path and expectation.
 */
export function resolveMode(name: string, opts: LoadModeOptions = {}): ResolvedMode {
  const { value: mode, source, configDir } = loadModeSource(name, opts);
  const issues: ConfigIssue[] = [];
  const at = (path: string, problem: string): void => {
    const line = path ? source.lineOf(path.split('.')) : undefined;
    issues.push({ file: source.file, path, problem, ...(line !== undefined ? { line } : {}) });
  };

  const shareClass = loadShareClass(mode.share_class, configDir);
  const requirements = venueRequirements(mode);
  const venues: Record<string, VenueConfig> = {};
  const broken = new Set<string>();
  // names are checked against the listing before any file is opened (a name is never a path)
  const known = new Set(listConfigFiles(configDir, VENUES_DIR));
  for (const req of requirements) {
    if (req.venue in venues || broken.has(req.venue)) continue;
    if (!known.has(req.venue)) {
      broken.add(req.venue);
      const why = req.path ? '' : ' (every mode holds funds in the wallet venue)';
      // a name that is not a venue name is never turned into a path
      const where = VENUE_NAME.test(req.venue)
        ? `${displayPath(configDir, configFilePath(configDir, VENUES_DIR, req.venue))} does not exist`
        : `no venue has that name (available: ${[...known].join(', ')})`;
      at(req.path, `mode ${name} needs venue ${JSON.stringify(req.venue.slice(0, 64))}${why} but ${where}`);
      continue;
    }
    try {
      venues[req.venue] = loadVenue(req.venue, configDir);
    } catch (err) {
      broken.add(req.venue);
      issues.push(...issuesOf(err));
    }
  }

  for (const req of requirements) {
    const venue = venues[req.venue];
    if (!venue || venue.kind === req.kind) continue;
    const role = req.path ? `${req.path} (action ${req.action})` : 'the implicit wallet';
    at(req.path, `venue "${req.venue}" is a ${venue.kind} venue, but ${role} needs a ${req.kind} venue`);
  }

  checkSymbols(mode, venues, at);
  checkFamily(mode, venues, at);
  if (issues.length > 0) throw new ConfigValidationError(dedupe(issues));
  return { mode, modeFile: source.file, venues, shareClass, requiredVenues: requiredVenues(mode) };
}

/** Hedge weights, perp / spot symbol listings and leverage limits, reported through `at`. */
function checkSymbols(mode: ModeConfig, venues: Record<string, VenueConfig>, at: At): void {
  const symbol = `${mode.asset}USDT`;
  const allocation = mode.hedge_allocation;
  if (allocation) {
    const entries = Object.entries(allocation);
    const sum = entries.reduce((s, [, w]) => s + w, 0);
    if (entries.length === 0 || Math.abs(sum - 1) > 1e-9) {
      at('hedge_allocation', `weights sum to ${Number(sum.toPrecision(12))}; expected 1 (±1e-9)`);
    }
    for (const [name, weight] of entries) {
      const venue = venues[name];
      if (weight <= 0 || venue?.kind !== 'cex') continue;
      if (!venue.symbols.perp.includes(symbol)) {
        at(
          `hedge_allocation.${name}`,
          `venue "${name}" does not list perp ${symbol} (symbols.perp: ${venue.symbols.perp.join(', ')})`,
        );
      }
      // the shared perp parameter of families with perp legs (src/strategies/params.ts)
      const leverage = mode.strategy.perp_leverage;
      if (typeof leverage === 'number' && leverage > venue.perp.max_leverage) {
        at(
          'strategy.perp_leverage',
          `expected at most ${venue.perp.max_leverage} (${name} perp.max_leverage), received ${leverage}`,
        );
      }
    }
  }
  const spotName = mode.venues.spot;
  const spot = spotName ? venues[spotName] : undefined;
  if (spotName && spot?.kind === 'cex' && !(spot as CexVenueConfig).symbols.spot.includes(symbol)) {
    at(
      'venues.spot',
      `venue "${spotName}" does not list spot ${symbol} (symbols.spot: ${(spot as CexVenueConfig).symbols.spot.join(', ')})`,
    );
  }
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = formatIssue(i);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ConfigDirReport {
  ok: boolean;
  /** Display paths of the files checked. */
  checked: string[];
  /** One line per problem: `file: key.path: problem`. */
  problems: string[];
}

/**
 * Validates every venue, share class, environment preset and mode (through resolveMode) in a config
 * directory. Never throws for config problems; `basis config validate` prints the report.
 */
export function validateConfigDir(configDir?: string): ConfigDirReport {
  const dir = resolveConfigDir(configDir);
  const checked: string[] = [];
  const problems: string[] = [];
  const collect = (fn: () => unknown): void => {
    try {
      fn();
    } catch (err) {
      for (const issue of issuesOf(err)) problems.push(formatIssue(issue));
    }
  };
  const kinds: Array<[string, (name: string) => unknown]> = [
    [VENUES_DIR, (n) => loadVenue(n, dir)],
    [SHARE_CLASSES_DIR, (n) => loadShareClass(n, dir)],
    [ENVIRONMENTS_DIR, (n) => loadEnvironmentPreset(n, dir)],
    [MODES_DIR, (n) => resolveMode(n, { configDir: dir })],
  ];
  for (const [subdir, load] of kinds) {
    let names: string[] = [];
    collect(() => {
      names = listConfigFiles(dir, subdir);
    });
    for (const name of names) {
      checked.push(displayPath(dir, configFilePath(dir, subdir, name)));
      collect(() => load(name));
    }
  }
  const unique = [...new Set(problems)];
  return { ok: unique.length === 0, checked, problems: unique };
}

/** The checks every mode gets (risk-limit order, hedge and signals blocks), then its family's own. */
function checkFamily(mode: ModeConfig, venues: Record<string, VenueConfig>, at: At): void {
  const spec = familySpec(mode.family);
  if (!spec) {
    at('family', unknownFamily(mode.family));
    return;
  }
  checkRisk(mode, at);
  const hedged = needsHedge(mode);
  if (hedged && !mode.hedge_allocation) {
    at(
      'hedge_allocation',
      `required: the mode is market_neutral and holds ${mode.asset} in the ${mode.share_class} share class`,
    );
  }
  if (mode.hedge_allocation && !hedged && !spec.directionalPerps) {
    at(
      'hedge_allocation',
      `not used: a ${mode.family} mode holding ${mode.asset} in the ${mode.share_class} share class does not hedge; remove it`,
    );
  }
  if (mode.signals && !spec.signals) {
    const readers = familyNames().filter((n) => familySpec(n)?.signals);
    at(
      'signals',
      `not used: only ${readers.length > 0 ? readers.join(', ') : 'no'} modes read signals; remove it from this ${mode.family} mode`,
    );
  }
  spec.check?.(mode, venues, at);
}

function checkRisk(mode: ModeConfig, at: At): void {
  const r = mode.risk;
  if (r.margin_ratio_critical >= r.margin_ratio_warning) {
    at(
      'risk.margin_ratio_critical',
      `expected less than risk.margin_ratio_warning (${r.margin_ratio_warning}), received ${r.margin_ratio_critical}`,
    );
  }
  if (r.health_factor_critical >= r.health_factor_warning) {
    at(
      'risk.health_factor_critical',
      `expected less than risk.health_factor_warning (${r.health_factor_warning}), received ${r.health_factor_critical}`,
    );
  }
}
