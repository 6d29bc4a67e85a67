/**
 * What the server can run: every mode with its description, whether its family is implemented, and
 * the window the server's dataset covers for it (so the UI limits its dates and the API refuses a
 * window outside it before queueing anything).
 */
import {
  checkCallerOverrides,
  DEFAULT_CAPITAL,
  listModes,
  listSignalSources,
  listVenues,
  loadMode,
  loadSignalSource,
  resolveConfigDir,
  resolveMode,
  SIGNAL_SOURCES_DIR,
  type CallerCatalogue,
  type ModeConfig,
} from '../config/index.js';
import { ConfigError, DataError } from '../domain/errors.js';
import { defaultWindow } from '../engine/backtest.js';
import { familySpec } from '../config/families.js';
import { seriesPlan } from '../engine/requirements.js';
import { iso } from '../engine/time.js';
import type { SignalSandbox } from '../signals/types.js';
import { HttpError } from './errors.js';
import { join } from 'node:path';

export interface ModeInfo {
  mode: string;
  description: string;
  family: string;
  share_class: string;
  asset: string;
  market_neutral: boolean;
  /** The engine implements this mode's family. */
  available: boolean;
  /** Window the dataset covers for the mode (whole UTC hours), or null with the reason. */
  coverage: { start: string; end: string; start_ms: number; end_ms: number } | null;
  coverage_error: string | null;
  /** Default capital in share-class units for the launch form. */
  default_capital: number;
}

const COVERAGE_TTL_MS = 60_000;

export class ModeCatalogue {
  private readonly coverage = new Map<
    string,
    { at: number; value: Pick<ModeInfo, 'coverage' | 'coverage_error'> }
  >();

  constructor(
    readonly dataDir: string,
    readonly configDir?: string,
    private readonly limits: { signalRoots: readonly string[]; allowHosts: readonly string[] } = {
      signalRoots: [],
      allowHosts: [],
    },
  ) {}

  /**
   * Where the signal source of a run started for an API caller may read and connect: files under
   * config/signal_sources/ and the operator's --signal-root directories; the hosts of the registered
   * http sources and the operator's --allow-host entries.
   */
  sandbox(): SignalSandbox {
    const dir = resolveConfigDir(this.configDir);
    const hosts = new Set(this.limits.allowHosts);
    for (const name of listSignalSources(dir)) {
      try {
        const e = loadSignalSource(name, dir);
        if (e.url) hosts.add(new URL(e.url).host);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
      }
    }
    return {
      fileRoots: [join(dir, SIGNAL_SOURCES_DIR), ...this.limits.signalRoots],
      allowedHosts: [...hosts],
    };
  }

  names(): string[] {
    return listModes(this.configDir);
  }

  /** The mode as loaded from its file (throws 404 for an unknown name). */
  load(name: string): ModeConfig {
    if (!this.names().includes(name)) {
      throw new HttpError(404, `unknown mode "${name}"; available: ${this.names().join(', ')}`);
    }
    return loadMode(name, { configDir: this.configDir });
  }

  info(name: string): ModeInfo {
    const m = this.load(name);
    return {
      mode: m.mode,
      description: m.description.trim(),
      family: m.family,
      share_class: m.share_class,
      asset: m.asset,
      market_neutral: m.market_neutral,
      available: familySpec(m.family) !== undefined,
      ...this.coverageOf(m),
      default_capital: DEFAULT_CAPITAL[m.share_class],
    };
  }

  /** Every mode; a mode whose file does not validate is listed unavailable with the problem. */
  list(): (ModeInfo | { mode: string; available: false; config_error: string })[] {
    return this.names().map((n) => {
      try {
        return this.info(n);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return { mode: n, available: false as const, config_error: err.message.split('\n')[0] };
      }
    });
  }

  /** Coverage of the mode as configured (hedge venues that start late are left to the coverage rule). */
  coverageOf(m: ModeConfig): Pick<ModeInfo, 'coverage' | 'coverage_error'> {
    const hit = this.coverage.get(m.mode);
    if (hit && Date.now() - hit.at < COVERAGE_TTL_MS) return hit.value;
    let value: Pick<ModeInfo, 'coverage' | 'coverage_error'>;
    try {
      const plan = seriesPlan(m);
      // the same window (and data policy) a run of the mode would take
      const w = defaultWindow(this.dataDir, plan);
      value =
        w.endMs > w.startMs
          ? {
              coverage: { start: iso(w.startMs), end: iso(w.endMs), start_ms: w.startMs, end_ms: w.endMs },
              coverage_error: null,
            }
          : { coverage: null, coverage_error: 'the required series do not overlap in time' };
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      value = { coverage: null, coverage_error: err.message.split('\n')[0] };
    }
    this.coverage.set(m.mode, { at: Date.now(), value });
    return value;
  }

  /** The operator's names an API caller's text values are checked against. */
  callerCatalogue(): CallerCatalogue {
    return { venues: listVenues(this.configDir), signalSources: listSignalSources(this.configDir) };
  }

  /**
   * The mode with a caller's overrides applied and every cross-file check run: the overrides must be on
   * the caller allow-list (src/config/caller.ts) and name only catalogued venues and sources, checked
   * before any file is read. Throws ConfigError → 400.
   */
  resolve(name: string, overrides: string[]) {
    this.load(name);
    checkCallerOverrides(overrides, this.callerCatalogue());
    return resolveMode(name, { configDir: this.configDir, overrides });
  }
}
