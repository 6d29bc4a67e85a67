/**
 * Finds the config directory and loads one file of each kind (mode, venue, share class, environment
 * preset): YAML → overrides → zod schema, with errors naming the file, key path and line.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../domain/errors.js';
import {
  CexVenueSchema,
  EnvironmentPresetSchema,
  StakingVenueSchema,
  FlashLoanVenueSchema,
  DexVenueSchema,
  LendingVenueSchema,
  ModeSchema,
  ShareClassSchema,
  WalletVenueSchema,
} from './schema.js';
import type {
  EnvironmentName,
  EnvironmentPreset,
  ModeConfig,
  ShareClassConfig,
  VenueConfig,
} from './schema.js';
import { familySpec, modeSchemaOf, unknownFamily } from './families.js';
import { ConfigValidationError, describeValue, zodIssues } from './issues.js';
import type { ConfigIssue, KeyPath } from './issues.js';
import { applyOverrides, overrideFor } from './overrides.js';
import { readYamlFile } from './yamlFile.js';
import type { YamlSource } from './yamlFile.js';
import { venueFileIssues } from './venueChecks.js';
import { SignalSourceFileSchema, type SignalSourceFile } from './signalsSchema.js';

export const MODES_DIR = 'modes';
export const VENUES_DIR = 'venues';
export const SHARE_CLASSES_DIR = 'share_classes';
export const ENVIRONMENTS_DIR = 'environments';
export const SIGNAL_SOURCES_DIR = 'signal_sources';

/**
 * The config directory: `dir` if given, else env BASIS_CONFIG_DIR, else `<package root>/config`. The
 * package root is two levels above this file (src/config) or three (dist/src/config, compiled).
 */
import { resolveConfigDir } from './paths.js';

export { resolveConfigDir };

/** A path for messages: relative to the config dir's parent (`config/modes/x.yaml`) when below it. */
export function displayPath(configDir: string, absolutePath: string): string {
  const rel = relative(dirname(configDir), absolutePath);
  if (rel === '' || rel.startsWith('..')) return absolutePath;
  return rel.split(sep).join('/');
}

/** Sorted names (file names without `.yaml`) in one config subdirectory. */
export function listConfigFiles(configDir: string, subdir: string): string[] {
  const dir = join(configDir, subdir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError(
      displayPath(configDir, dir),
      '',
      'directory does not exist (set BASIS_CONFIG_DIR or pass the config dir)',
    );
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Sorted mode names from `config/modes/*.yaml`. */
export function listModes(configDir?: string): string[] {
  return listConfigFiles(resolveConfigDir(configDir), MODES_DIR);
}
export function listVenues(configDir?: string): string[] {
  return listConfigFiles(resolveConfigDir(configDir), VENUES_DIR);
}
export function listShareClasses(configDir?: string): string[] {
  return listConfigFiles(resolveConfigDir(configDir), SHARE_CLASSES_DIR);
}
export function listEnvironmentPresets(configDir?: string): string[] {
  return listConfigFiles(resolveConfigDir(configDir), ENVIRONMENTS_DIR);
}
/** Names of the signal sources the operator registered (`config/signal_sources/*.yaml`; none if absent). */
export function listSignalSources(configDir?: string): string[] {
  const dir = resolveConfigDir(configDir);
  if (!existsSync(join(dir, SIGNAL_SOURCES_DIR))) return [];
  return listConfigFiles(dir, SIGNAL_SOURCES_DIR);
}

/** A registered signal source; a relative `path` comes back absolute (from the registry folder). */
export function loadSignalSource(name: string, configDir?: string): SignalSourceFile {
  const dir = resolveConfigDir(configDir);
  if (!listSignalSources(dir).includes(name)) {
    const available = listSignalSources(dir);
    throw new ConfigError(
      `${SIGNAL_SOURCES_DIR}/`,
      '',
      `unknown signal source ${JSON.stringify(name)}; registered: ${available.length > 0 ? available.join(', ') : '(none)'}`,
    );
  }
  const source = openNamed(dir, SIGNAL_SOURCES_DIR, name, 'signal source');
  const entry = parseWith(SignalSourceFileSchema, source, source.data);
  if (entry.name !== name) throw new ConfigValidationError([nameMismatch(source, 'name', name, entry.name)]);
  if (entry.path !== undefined) entry.path = resolve(join(dir, SIGNAL_SOURCES_DIR), entry.path);
  return entry;
}

/** Absolute path of a config file, e.g. configFilePath(dir, 'venues', 'binance'). */
export function configFilePath(configDir: string, subdir: string, name: string): string {
  return join(configDir, subdir, `${name}.yaml`);
}

export interface LoadModeOptions {
  configDir?: string;
  /** `key.path=value` overrides applied to the raw file before validation (see overrides.ts). */
  overrides?: readonly string[];
}

interface Loaded<T> {
  value: T;
  source: YamlSource;
}

/** Opens `<subdir>/<name>.yaml` after checking `name` is one of the listed files. */
function openNamed(configDir: string, subdir: string, name: string, what: string): YamlSource {
  const names = listConfigFiles(configDir, subdir);
  if (!names.includes(name)) {
    const dir = displayPath(configDir, join(configDir, subdir));
    const available = names.length > 0 ? names.join(', ') : '(none)';
    throw new ConfigError(dir, '', `unknown ${what} ${JSON.stringify(name)}; available: ${available}`);
  }
  const abs = configFilePath(configDir, subdir, name);
  return readYamlFile(abs, displayPath(configDir, abs));
}

/** Validates `data` against `schema`, throwing every problem with file, key path and line. */
function parseWith<S extends z.ZodType>(
  schema: S,
  source: YamlSource,
  data: unknown,
  extra: { overrides?: readonly string[]; redact?: (path: KeyPath) => boolean } = {},
): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const overrides = extra.overrides ?? [];
  throw new ConfigValidationError(
    zodIssues(result.error, {
      file: source.file,
      raw: data,
      schema,
      lineOf: source.lineOf,
      redact: extra.redact,
      overridden: overrides.length > 0 ? (path) => overrideFor(overrides, path) : undefined,
    }),
  );
}

function nameMismatch(source: YamlSource, key: string, expected: string, received: unknown): ConfigIssue {
  const issue: ConfigIssue = {
    file: source.file,
    path: key,
    problem: `expected ${JSON.stringify(expected)} (the file name), received ${describeValue(received)}`,
  };
  const line = source.lineOf([key]);
  if (line !== undefined) issue.line = line;
  return issue;
}

/**
 * The schema a mode file is parsed with: the common keys and its family's own `strategy` block. A family
 * that is not registered is reported at `family` (naming the registered ones) with the file's other problems.
 */
function modeSchemaFor(data: unknown): z.ZodType<ModeConfig> {
  const family = (data as { family?: unknown } | null)?.family;
  if (typeof family === 'string' && familySpec(family)) return modeSchemaOf(family);
  return ModeSchema.extend({
    family: ModeSchema.shape.family.refine((f) => familySpec(f) !== undefined, {
      error: (issue) => unknownFamily(issue.input),
    }),
  }) as unknown as z.ZodType<ModeConfig>;
}

/** Loads a mode and its source (for line numbers), checking the name and that its share class exists. */
export function loadModeSource(
  name: string,
  opts: LoadModeOptions = {},
): Loaded<ModeConfig> & { configDir: string } {
  const configDir = resolveConfigDir(opts.configDir);
  const source = openNamed(configDir, MODES_DIR, name, 'mode');
  const overrides = opts.overrides ?? [];
  const data = overrides.length > 0 ? applyOverrides(source.data, overrides) : source.data;
  const mode = parseWith(modeSchemaFor(data), source, data, { overrides });
  if (mode.mode !== name) throw new ConfigValidationError([nameMismatch(source, 'mode', name, mode.mode)]);
  if (mode.signals && mode.signals.use !== null) {
    // a registered source replaces the operator-only keys of the block
    const registered = listSignalSources(configDir);
    if (!registered.includes(mode.signals.use)) {
      const line = source.lineOf(['signals', 'use']);
      const shown = registered.length > 0 ? registered.join(', ') : `(none in ${SIGNAL_SOURCES_DIR}/)`;
      throw new ConfigValidationError([
        {
          file: overrideFor(overrides, ['signals', 'use']) !== undefined ? '--set' : source.file,
          path: 'signals.use',
          problem: `unknown signal source ${JSON.stringify(mode.signals.use)}; registered: ${shown}`,
          ...(line !== undefined ? { line } : {}),
        },
      ]);
    }
    const entry = loadSignalSource(mode.signals.use, configDir);
    mode.signals = {
      ...mode.signals,
      source: entry.source,
      path: entry.path ?? null,
      url: entry.url ?? null,
      token_env: entry.token_env ?? null,
    };
  }
  const classFile = configFilePath(configDir, SHARE_CLASSES_DIR, mode.share_class.toLowerCase());
  if (!existsSync(classFile)) {
    throw new ConfigValidationError([
      {
        file: source.file,
        path: 'share_class',
        problem: `share class ${mode.share_class} has no file ${displayPath(configDir, classFile)}`,
        ...(source.lineOf(['share_class']) !== undefined ? { line: source.lineOf(['share_class']) } : {}),
      },
    ]);
  }
  return { value: mode, source, configDir };
}

/**
 * Loads and validates `config/modes/<name>.yaml` (with `--set` overrides applied first).
 * Throws ConfigError: unknown mode (listing the available ones), malformed YAML (file and line), schema
 * failure (file, key path, expected vs received), name ≠ file name, missing share class file.
 * Cross-file checks (venues, family requirements) are in resolveMode.
 */
export function loadMode(name: string, opts: LoadModeOptions = {}): ModeConfig {
  return loadModeSource(name, opts).value;
}

const VENUE_SCHEMAS: Record<string, z.ZodType> = {
  cex: CexVenueSchema,
  lending: LendingVenueSchema,
  wallet: WalletVenueSchema,
  staking: StakingVenueSchema,
  flash_loan: FlashLoanVenueSchema,
  dex: DexVenueSchema,
};

/** Values under `environments` are never printed in messages (they may hold pasted secrets). */
const redactEnvironments = (path: KeyPath): boolean => path[0] === 'environments';

/** Loads and validates `config/venues/<name>.yaml`, including credential and `${VAR}` placement rules. */
export function loadVenue(name: string, configDir?: string): VenueConfig {
  const dir = resolveConfigDir(configDir);
  const source = openNamed(dir, VENUES_DIR, name, 'venue');
  const kind = source.data.kind;
  const schema = typeof kind === 'string' ? VENUE_SCHEMAS[kind] : undefined;
  if (!schema) {
    const line = source.lineOf(['kind']);
    throw new ConfigValidationError([
      {
        file: source.file,
        path: 'kind',
        problem: `expected one of ${Object.keys(VENUE_SCHEMAS).join(', ')}, received ${describeValue(kind)}`,
        ...(line !== undefined ? { line } : {}),
      },
    ]);
  }
  const venue = parseWith(schema, source, source.data, { redact: redactEnvironments }) as VenueConfig;
  const issues: ConfigIssue[] = [];
  if (venue.venue !== name) issues.push(nameMismatch(source, 'venue', name, venue.venue));
  issues.push(...venueFileIssues(venue, source));
  if (issues.length > 0) throw new ConfigValidationError(issues);
  return venue;
}

/** Loads `config/share_classes/<name>.yaml`; `name` may be `USDT` or `usdt`. */
export function loadShareClass(name: string, configDir?: string): ShareClassConfig {
  const dir = resolveConfigDir(configDir);
  const fileName = name.toLowerCase();
  const source = openNamed(dir, SHARE_CLASSES_DIR, fileName, 'share class');
  const shareClass = parseWith(ShareClassSchema, source, source.data);
  if (shareClass.share_class !== fileName.toUpperCase()) {
    throw new ConfigValidationError([
      nameMismatch(source, 'share_class', fileName.toUpperCase(), shareClass.share_class),
    ]);
  }
  return shareClass;
}

/** Loads `config/environments/<name>.yaml`; every venue it names must have a venue file. */
export function loadEnvironmentPreset(name: string, configDir?: string): EnvironmentPreset {
  const dir = resolveConfigDir(configDir);
  const source = openNamed(dir, ENVIRONMENTS_DIR, name, 'environment preset');
  const preset = parseWith(EnvironmentPresetSchema, source, source.data);
  const issues: ConfigIssue[] = [];
  if (preset.name !== name) issues.push(nameMismatch(source, 'name', name, preset.name));
  const known = new Set(listConfigFiles(dir, VENUES_DIR));
  for (const venue of Object.keys(preset.venues)) {
    if (!known.has(venue)) {
      const line = source.lineOf(['venues', venue]);
      issues.push({
        file: source.file,
        path: `venues.${venue}`,
        problem: /^[a-z0-9_]{1,64}$/.test(venue)
          ? `no venue file ${displayPath(dir, configFilePath(dir, VENUES_DIR, venue))}`
          : `no venue has the name ${JSON.stringify(venue.slice(0, 64))} (available: ${[...known].join(', ')})`,
        ...(line !== undefined ? { line } : {}),
      });
    }
  }
  if (issues.length > 0) throw new ConfigValidationError(issues);
  return preset;
}

/** The environment a venue runs in under a preset: its per-venue entry, else the preset's default. */
export function environmentForVenue(preset: EnvironmentPreset, venue: string): EnvironmentName {
  return preset.venues[venue] ?? preset.default;
}
