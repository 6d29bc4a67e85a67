/** Code version recorded with every run: package version, git commit and whether tracked files changed. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeVersion } from './types.js';

let cached: CodeVersion | undefined;

/** The package root: the nearest folder above this file holding package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
}

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      timeout: 3000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function codeVersion(): CodeVersion {
  if (cached) return cached;
  const root = packageRoot();
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // keep the placeholder
  }
  let sha: string | null = null;
  let dirty: boolean | null = null;
  if (existsSync(join(root, '.git'))) {
    sha = git(root, ['rev-parse', 'HEAD']);
    const status = sha ? git(root, ['status', '--porcelain', '--untracked-files=no']) : null;
    dirty = status === null ? null : status.length > 0;
  }
  cached = { package: version, git: sha && /^[0-9a-f]{40}$/.test(sha) ? sha : null, dirty };
  return cached;
}
