/** `basis data sample`. */
import type { Command } from 'commander';
import { parseDecimal } from '../../domain/decimal.js';
import { out } from './util.js';

export function registerData(program: Command): void {
  const data = program.command('data').description('dataset tools');
  data
    .command('sample')
    .description('generate the deterministic synthetic sample dataset')
    .option('--dir <dir>', 'target directory (default .basis/sample-data)')
    .option('--seed <n>', 'PRNG seed', '42')
    .action(async (o) => {
      const { ensureSampleDataset, generateSampleDataset } = await import('../../data/index.js');
      if (o.dir) {
        generateSampleDataset(o.dir, {
          seed: parseDecimal(o.seed, '--seed', { integer: true, min: 0, max: 4294967295 }),
        });
        out(`synthetic sample written to ${o.dir}`);
      } else out(`synthetic sample at ${ensureSampleDataset()}`);
    });
}
