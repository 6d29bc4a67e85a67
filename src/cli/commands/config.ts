/** `basis modes`, `basis config validate|show`. */
import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, out } from './util.js';

/**
 * `basis modes` answers from a listing cache (`.basis/cache/modes-listing.json`) while nothing it depends on
 * changed: the key hashes the config directory, every mode file's name, size and mtime, and the build of
 * the config and strategies code. Only a listing whose every file loaded is cached, so a broken file is
 * reported on every run.
 */
function listingKey(configDir: string): string {
  const h = createHash('sha256').update(configDir);
  const stamp = (dir: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return h.update(`${dir}: missing`);
    }
    for (const n of names) {
      const st = statSync(join(dir, n));
      if (st.isDirectory()) stamp(join(dir, n));
      else h.update(`${dir}/${n}:${st.size}:${st.mtimeMs}`);
    }
    return h;
  };
  stamp(join(configDir, 'modes'));
  const built = fileURLToPath(new URL('../../', import.meta.url));
  stamp(join(built, 'config'));
  stamp(join(built, 'strategies'));
  return h.digest('hex');
}

const LISTING_FILE = () => resolve(process.cwd(), '.basis', 'cache', 'modes-listing.json');

function readListing(key: string): string[] | null {
  try {
    const c = JSON.parse(readFileSync(LISTING_FILE(), 'utf8')) as { key?: unknown; lines?: unknown };
    return c.key === key && Array.isArray(c.lines) ? (c.lines as string[]) : null;
  } catch {
    return null;
  }
}

function writeListing(key: string, lines: string[]): void {
  try {
    const file = LISTING_FILE();
    mkdirSync(resolve(file, '..'), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify({ key, lines }));
    renameSync(`${file}.tmp`, file);
  } catch {
    // a read-only working directory: no cache, the listing is computed each time
  }
}

// the config loader (zod, yaml) loads only when a command runs
const configModule = () => import('../../strategies/modes.js');

export function registerConfig(program: Command): void {
  program
    .command('modes')
    .description('list strategy modes with their descriptions')
    .option('--config <dir>', 'config directory')
    .action(async (o) => {
      const { resolveConfigDir } = await import('../../config/paths.js');
      const key = listingKey(resolveConfigDir(o.config));
      const cached = readListing(key);
      if (cached) {
        for (const line of cached) out(line);
        return;
      }
      const { listModes, loadMode } = await configModule();
      const lines = listModes(o.config).map((name) => {
        const m = loadMode(name, { configDir: o.config });
        return `${name.padEnd(36)} ${m.share_class.padEnd(5)} ${m.family.padEnd(15)} ${m.description.split('\n')[0]}`;
      });
      for (const line of lines) out(line);
      writeListing(key, lines);
    });

  const config = program.command('config').description('configuration tools');
  config
    .command('validate')
    .description('validate every mode, venue, share class and environment file')
    .option('--config <dir>', 'config directory')
    .action(async (o) => {
      const { validateConfigDir } = await configModule();
      const r = validateConfigDir(o.config);
      for (const c of r.checked) out(`ok  ${c}`);
      for (const p of r.problems) process.stderr.write(`ERR ${p}\n`);
      if (!r.ok) throw new InputError(`${r.problems.length} configuration problem(s) found`);
      out(`${r.checked.length} files valid`);
    });
  config
    .command('show')
    .description('print a mode config as resolved (defaults and overrides applied) as JSON')
    .argument('<mode>')
    .option('--config <dir>', 'config directory')
    .option('--set <key.path=value>', 'override (repeatable)', collect, [])
    .action(async (mode: string, o) => {
      const { loadMode } = await configModule();
      out(JSON.stringify(loadMode(mode, { configDir: o.config, overrides: o.set }), null, 2));
    });
}
