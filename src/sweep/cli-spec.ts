/** A sweep spec from the command line's texts (`basis sweep`) — and from an API request's fields. */
import { parseDecimal } from '../domain/decimal.js';
import { InputError } from '../domain/errors.js';
import { checkObjective, parseConstraint } from './objective.js';
import { parseGridAxis, parseRangeAxis, parseWalkForward, parseWindows, type SweepSpec } from './spec.js';

export interface SpecTexts {
  mode: string[];
  grid: string[];
  random?: string;
  range: string[];
  seed: string;
  windows?: string;
  capital?: string;
  set: string[];
  objective: string;
  constraint: string[];
  walkForward?: string;
}

export function buildSpec(o: SpecTexts): SweepSpec {
  const n =
    o.random === undefined ? 0 : parseDecimal(o.random, '--random', { min: 1, max: 100_000, integer: true });
  if (n === 0 && o.range.length > 0)
    throw new InputError(`--range ${o.range[0]} needs --random N (how many parameter sets to draw)`);
  const spec: SweepSpec = {
    modes: [...new Set(o.mode)],
    grid: o.grid.map(parseGridAxis),
    windows: o.windows === undefined ? [{ start: null, end: null }] : parseWindows(o.windows),
    fixed: [...o.set],
    objective: checkObjective(o.objective),
    constraints: o.constraint.map((c) => parseConstraint(c).text),
    ...(n > 0
      ? {
          random: {
            n,
            seed: parseDecimal(o.seed, '--seed', { min: 0, max: 2 ** 32 - 1, integer: true }),
            ranges: o.range.map(parseRangeAxis),
          },
        }
      : {}),
    ...(o.capital !== undefined
      ? { capital: parseDecimal(o.capital, '--capital', { min: 0, exclusiveMin: true }) }
      : {}),
    ...(o.walkForward !== undefined ? { walkForward: parseWalkForward(o.walkForward) } : {}),
  };
  return spec;
}
