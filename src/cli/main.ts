/**
 * The `basis` command. Each command group lives in src/cli/commands/<group>.ts and registers itself here.
 * Every failure prints one line on stderr and exits non-zero.
 */
import { Command, CommanderError } from 'commander';
import { BasisError } from '../domain/errors.js';
import { registerAgent } from './commands/agent.js';
import { registerBacktest } from './commands/backtest.js';
import { registerConfig } from './commands/config.js';
import { registerData } from './commands/data.js';
import { registerDefi } from './commands/defi.js';
import { registerDevnet } from './commands/devnet.js';
import { registerRuns } from './commands/runs.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerSignals } from './commands/signals.js';
import { registerSweep, registerWorker } from './commands/sweep.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('basis')
    .description('Backtest and run multi-venue crypto yield strategies')
    .exitOverride()
    .enablePositionalOptions() // a command's options are its own: `basis run status --run-id ID` is status's
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  registerAgent(program);
  registerBacktest(program);
  registerConfig(program);
  registerData(program);
  registerDefi(program);
  registerDevnet(program);
  registerRuns(program);
  registerReport(program);
  registerRun(program);
  registerServe(program);
  registerSignals(program);
  registerSweep(program);
  registerWorker(program);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof BasisError) {
      process.stderr.write(`basis: ${err.message.split('\n')[0]}\n`);
      return 1;
    }
    throw err;
  }
}
