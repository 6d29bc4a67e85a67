/**
 * The strategy-family registry: one entry per family, each from its own folder
 * (src/strategies/<family>/index.ts) — its name, the zod schema of its parameters, its checks, its data
 * plan, the venues its runs need and the factory of its strategy. Config validates mode files with the
 * registered schemas (config/families.ts); the engine plans, builds and runs through the entry. A new
 * family is a folder exporting a `StrategyFamily` and registered here (`registerFamily`).
 */
import { familyNames, registerFamilySpec, unknownFamily, type FamilySpec } from '../config/families.js';
import type { ModeConfig, VenueConfig } from '../config/schema.js';
import type { ResolvedMode } from '../config/validate.js';
import type { MarketCursor } from '../data/cursor.js';
import type { SeriesPlan } from '../data/plan.js';
import { InputError } from '../domain/errors.js';
import type { RunVenueSpec } from '../venues/build.js';
import type { Strategy } from './base.js';

export interface StrategyOptions {
  /** Effective hedge weights (after the hedge coverage rule). */
  hedgeWeights: Record<string, number>;
  /** The run's venue configs, by name. */
  venueConfigs: Record<string, VenueConfig>;
}

export interface StrategyFamily<P extends object = object> extends FamilySpec<P> {
  /** The series a mode of this family reads, its grid step and the series derived after loading. */
  plan(mode: ModeConfig<P>): SeriesPlan;
  /** The venues of a run and what each holds (built by src/venues/build.ts). */
  venues(
    resolved: ResolvedMode & { mode: ModeConfig<P> },
    cursor: MarketCursor,
    hedgeWeights: Record<string, number>,
  ): RunVenueSpec;
  create(mode: ModeConfig<P>, opts: StrategyOptions): Strategy;
  /** The leverage set at the mode's perp venues on a testnet or live; absent: the family trades no perp. */
  perpLeverage?(mode: ModeConfig<P>): number;
}

const families = new Map<string, StrategyFamily>();

/** Registers a family: its schema for mode files (config) and the rest for runs. */
export function registerFamily<P extends object>(family: StrategyFamily<P>): void {
  registerFamilySpec(family as unknown as FamilySpec);
  families.set(family.name, family as unknown as StrategyFamily);
}

/** The family of a mode, or an InputError naming the registered ones. */
export function familyOf<P extends object = object>(name: string): StrategyFamily<P> {
  const f = families.get(name);
  if (!f) throw new InputError(unknownFamily(name));
  return f as unknown as StrategyFamily<P>;
}

/** Registered families, in registration order. */
export function listFamilies(): StrategyFamily[] {
  return familyNames().flatMap((n) => families.get(n) ?? []);
}
