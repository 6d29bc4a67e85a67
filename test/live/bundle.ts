/** Bundles a test entry (TypeScript sources) once into node_modules/.cache so a child process can run it. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export async function bundle(entry: string, name: string): Promise<string> {
  const esbuild = await import('esbuild');
  const dir = join(ROOT, 'node_modules/.cache/basis-test');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${name}-${process.pid}.mjs`);
  await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}
