/**
 * Where the config directory is: light (no schema, no YAML), so a command can find it before loading the
 * config room (e.g. `basis modes` answering from its listing cache).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `dir`, else env BASIS_CONFIG_DIR, else the package's `config/`. */
export function resolveConfigDir(dir?: string): string {
  if (dir) return resolve(dir);
  const fromEnv = process.env.BASIS_CONFIG_DIR;
  if (fromEnv) return resolve(fromEnv);
  return join(packageRoot(), 'config');
}

function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const candidate = resolve(here, up);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  return resolve(here, '../..');
}
