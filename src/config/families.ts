/**
 * The config side of the strategy-family registry: each family's name, the zod schema of its `strategy`
 * block and its checks beyond the schema. The families register themselves from src/strategies (the
 * registry there, `registerFamily`, adds the data plan, the venues and the factory); this room only
 * validates mode files with what was registered, so it never imports a strategy.
 */
import { z } from 'zod';
import { ConfigError } from '../domain/errors.js';
import { ModeSchema, type ModeConfig, type VenueConfig } from './schema.js';

/** Reports a problem at a key path of the mode file. */
export type At = (path: string, problem: string) => void;

/** What config needs of a strategy family. `P`: its parameters (the mode's `strategy` block, defaults applied). */
export interface FamilySpec<P extends object = object> {
  /** The `family` value of its mode files (lowercase, digits, underscores). */
  name: string;
  /** One line: what the family trades or holds. */
  description: string;
  /** The `strategy` block: a strict zod object of this family's parameters only, with their defaults. */
  params: z.ZodObject;
  /** Whether its modes read a `signals` block (else one is refused as unused). */
  signals?: boolean;
  /** Whether its modes take directional perp positions on the venue of `hedge_allocation` (not a hedge). */
  directionalPerps?: boolean;
  /** Requirements beyond the schema (venues it needs, parameter combinations), reported through `at`. */
  check?(mode: ModeConfig<P>, venues: Record<string, VenueConfig>, at: At): void;
}

const specs = new Map<string, FamilySpec>();
const schemas = new Map<string, z.ZodType>();

/** Adds a family (src/strategies/registry.ts calls this); a second family of the same name is refused. */
export function registerFamilySpec(spec: FamilySpec): void {
  if (!/^[a-z][a-z0-9_]*$/.test(spec.name))
    throw new ConfigError(
      'strategy families',
      spec.name,
      'expected a name of lowercase letters, digits and _',
    );
  const known = specs.get(spec.name);
  if (known && known !== spec)
    throw new ConfigError('strategy families', spec.name, 'a family of this name is already registered');
  specs.set(spec.name, spec);
  schemas.delete(spec.name);
  mergedSchema = null;
}

/** The registered family names, in registration order. */
export function familyNames(): string[] {
  return [...specs.keys()];
}

export function familySpec(name: string): FamilySpec | undefined {
  return specs.get(name);
}

/** Why `name` is not a family: names the registered ones (or says none is, a program that forgot them). */
export function unknownFamily(name: unknown): string {
  const known = familyNames();
  return known.length === 0
    ? 'no strategy family is registered (import src/strategies/index.js before reading modes)'
    : `unknown strategy family ${JSON.stringify(String(name).slice(0, 64))}; registered: ${known.join(', ')}`;
}

/** The mode schema of one family: the common mode keys and that family's `strategy` block. */
export function modeSchemaOf(name: string): z.ZodType<ModeConfig> {
  let s = schemas.get(name);
  if (!s) {
    const spec = specs.get(name);
    if (!spec) throw new ConfigError('mode', 'family', unknownFamily(name));
    // a family whose parameters all have defaults may omit its strategy block
    const defaults = spec.params.safeParse({});
    s = ModeSchema.extend({
      family: z.literal(name),
      strategy: defaults.success ? spec.params.default(defaults.data) : spec.params,
    });
    schemas.set(name, s);
  }
  return s as z.ZodType<ModeConfig>;
}

let mergedSchema: z.ZodObject | null = null;

/**
 * The mode schema with every registered family's parameters in one `strategy` block: what an API caller
 * may name at all (src/config/caller.ts); a key of another family is refused by that mode's own schema.
 */
export function anyFamilyModeSchema(): z.ZodObject {
  if (!mergedSchema) {
    const shape: Record<string, z.ZodType> = {};
    for (const spec of specs.values()) Object.assign(shape, spec.params.shape);
    mergedSchema = ModeSchema.extend({ strategy: z.object(shape).strict().optional() });
  }
  return mergedSchema;
}
