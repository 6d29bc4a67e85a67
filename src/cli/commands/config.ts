/** `basis modes`, `basis config validate|show`. */
import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { collect, out } from './util.js';

// the config loader (zod, yaml) loads only when a command runs
const configModule = () => import('../../strategies/modes.js');

export function registerConfig(program: Command): void {
  program
    .command('modes')
    .description('list strategy modes with their descriptions')
    .option('--config <dir>', 'config directory')
    .action(async (o) => {
      const { listModes, loadMode } = await configModule();
      for (const name of listModes(o.config)) {
        const m = loadMode(name, { configDir: o.config });
        out(
          `${name.padEnd(36)} ${m.share_class.padEnd(5)} ${m.family.padEnd(15)} ${m.description.split('\n')[0]}`,
        );
      }
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
