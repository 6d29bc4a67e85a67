/**
 * Offline Solidity compilation with solc-js (the `solc` npm package, 0.8.19): our contracts in `contracts/`
 * and Morpho Blue from the `@morpho-org/morpho-blue` sources. The output (ABI + creation bytecode per
 * contract) is cached under `.basis/contracts/`, keyed by a hash of the compiler version, settings and every
 * source, so only a change recompiles. Nothing is downloaded.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import type { Abi, Hex } from 'viem';
import { contractsBuildDir, packageRoot } from './paths.js';

export interface CompiledContract {
  abi: Abi;
  bytecode: Hex;
}

export type CompiledSet = Record<string, CompiledContract>;

interface SolcModule {
  compile(
    input: string,
    options?: { import?: (path: string) => { contents?: string; error?: string } },
  ): string;
  version(): string;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

/** One compilation unit: a source tree, the settings it is compiled with and the contracts to keep. */
interface Unit {
  name: string;
  root: string;
  exclude: (rel: string) => boolean;
  viaIR: boolean;
  runs: number;
  keep: (contract: string) => boolean;
}

const require = createRequire(import.meta.url);

function units(): Unit[] {
  const root = packageRoot();
  return [
    {
      name: 'basis',
      root: join(root, 'contracts'),
      exclude: () => false,
      viaIR: false,
      runs: 200,
      keep: () => true,
    },
    {
      // Morpho's own foundry profile: via-IR, 999999 runs, paris
      name: 'morpho-blue',
      root: join(dirname(require.resolve('@morpho-org/morpho-blue/package.json')), 'src'),
      exclude: (rel) => rel.startsWith(`mocks${sep}`) || rel.startsWith('mocks/'),
      viaIR: true,
      runs: 999_999,
      keep: (c) => c === 'Morpho',
    },
  ];
}

function sourcesOf(unit: Unit): Record<string, { content: string }> {
  const out: Record<string, { content: string }> = {};
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      const rel = relative(unit.root, p);
      if (unit.exclude(rel)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.sol')) out[rel.split(sep).join('/')] = { content: readFileSync(p, 'utf8') };
    }
  };
  walk(unit.root);
  return out;
}

function solcVersion(): string {
  return (require('solc/package.json') as { version: string }).version;
}

/** Hash of the compiler version, the settings and every source of every unit. */
export function sourcesHash(): string {
  const h = createHash('sha256').update(`solc ${solcVersion()}\n`);
  for (const u of units()) {
    h.update(`unit ${u.name} viaIR=${u.viaIR} runs=${u.runs}\n`);
    for (const [path, { content }] of Object.entries(sourcesOf(u))) h.update(`${path}\n${content}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

function compileUnit(solc: SolcModule, unit: Unit): CompiledSet {
  const input = {
    language: 'Solidity',
    sources: sourcesOf(unit),
    settings: {
      optimizer: { enabled: true, runs: unit.runs },
      viaIR: unit.viaIR,
      evmVersion: 'paris',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(
      `solc: ${unit.name} does not compile:\n${errors.map((e) => e.formattedMessage).join('\n')}`,
    );
  }
  const set: CompiledSet = {};
  for (const file of Object.values(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(file)) {
      if (!unit.keep(name) || c.evm.bytecode.object.length === 0) continue;
      set[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  return set;
}

/**
 * The compiled contracts, from the cache when the sources are unchanged, else compiled now (a few seconds;
 * Morpho's via-IR build is the slow part) and cached.
 * @returns contract name → { abi, bytecode }
 */
export function compileContracts(opts: { log?: (line: string) => void } = {}): CompiledSet {
  const key = sourcesHash();
  const dir = contractsBuildDir();
  const file = join(dir, `contracts-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as CompiledSet;
  const solc = require('solc') as SolcModule;
  const set: CompiledSet = {};
  for (const unit of units()) {
    const t0 = Date.now();
    Object.assign(set, compileUnit(solc, unit));
    opts.log?.(`compiled ${unit.name} with solc ${solc.version()} in ${Date.now() - t0} ms`);
  }
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(set));
  renameSync(tmp, file);
  return set;
}

/** `npm run build:contracts`: compiles (or confirms the cache) and prints one line. */
export function main(): void {
  const set = compileContracts({ log: (l) => console.log(l) });
  console.log(`contracts: ${Object.keys(set).sort().join(', ')} (${contractsBuildDir()})`);
}
