/**
 * `basis agent run <kind> --config FILE`: a long-running DeFi agent (collector → strategy → executor). The work
 * lives in src/agents/cli.ts (loaded only when the command runs).
 */
import type { Command } from 'commander';
import type { AgentCliOptions } from '../../agents/cli.js';
import { out } from './util.js';

export function registerAgent(program: Command): void {
  const agent = program.command('agent').description('DeFi agents: arbitrage through FlashArb and bundles');
  agent
    .command('run <kind>')
    .description('run an agent (arbitrage) on a chain, one step per new block')
    .requiredOption('--config <file>', 'agent config (YAML or JSON)')
    .option('--blocks <n>', 'stop after this many blocks')
    .option('--interval-ms <n>', 'polling interval for new blocks (default 1000)')
    .option('--metrics <file>', 'write the metrics (Prometheus text) here after every step')
    .action(async (kind: string, o: AgentCliOptions) => {
      const { runAgent } = await import('../../agents/cli.js');
      const r = await runAgent(kind, o, process.env, out);
      out(r.prometheus);
    });
}
