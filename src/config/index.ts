/**
 * Configuration: strict zod schemas for modes, venues, share classes and environment presets; YAML
 * loading with file/key/line errors; `--set` overrides; `${ENV_VAR}` interpolation of the selected
 * environment only; and cross-file validation (required venues, kinds, symbols, family parameters).
 */
export * from './schema.js';
export { ConfigValidationError, formatIssue, issuesOf, type ConfigIssue } from './issues.js';
export {
  resolveConfigDir,
  displayPath,
  listModes,
  listVenues,
  listShareClasses,
  listEnvironmentPresets,
  listSignalSources,
  loadSignalSource,
  SIGNAL_SOURCES_DIR,
  loadMode,
  loadVenue,
  loadShareClass,
  loadEnvironmentPreset,
  environmentForVenue,
  type LoadModeOptions,
} from './load.js';
export { applyOverrides, parseOverride, type ParsedOverride } from './overrides.js';
export {
  callerOverrideKeys,
  checkCallerNames,
  checkCallerOverrides,
  type CallerCatalogue,
} from './caller.js';
export {
  CREDENTIAL_FIELDS,
  credentialEnvVar,
  envReferences,
  interpolateEnv,
  isSecretKey,
  redactEnvironmentBlock,
  resolveVenueEnvironment,
  type CredentialField,
  type EnvironmentBlock,
} from './interpolate.js';
export {
  ACTION_VENUE_KIND,
  WALLET_VENUE,
  requiredVenues,
  resolveMode,
  validateConfigDir,
  venueRequirements,
  type ConfigDirReport,
  type ResolvedMode,
  type VenueKind,
  type VenueRequirement,
} from './validate.js';
export { LST_ISSUER, needsHedge } from './validate.js';
export { familyNames, familySpec, modeSchemaOf, registerFamilySpec } from './families.js';
export type { At, FamilySpec } from './families.js';
