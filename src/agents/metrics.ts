/** An agent's counters and sums, exported as Prometheus text exposition (version 0.0.4). */
export interface AgentMetrics {
  blocks: number;
  opportunitiesSeen: number;
  validated: number;
  simulated: number;
  sent: number;
  included: number;
  /** Profit booked, per token (base units). */
  profit: Record<string, bigint>;
  /** Gas used by our included or mined transactions. */
  gasUsed: bigint;
  /** ETH (wei) spent on gas by transactions that reverted on chain. */
  lossWei: bigint;
}

export function emptyMetrics(): AgentMetrics {
  return {
    blocks: 0,
    opportunitiesSeen: 0,
    validated: 0,
    simulated: 0,
    sent: 0,
    included: 0,
    profit: {},
    gasUsed: 0n,
    lossWei: 0n,
  };
}

export function prometheusText(agent: string, m: AgentMetrics): string {
  const lines: string[] = [];
  const counter = (name: string, help: string, value: number | bigint, labels = '') => {
    lines.push(`# HELP basis_agent_${name} ${help}`, `# TYPE basis_agent_${name} counter`);
    lines.push(`basis_agent_${name}{agent="${agent}"${labels}} ${value}`);
  };
  counter('blocks_total', 'blocks processed', m.blocks);
  counter('opportunities_seen_total', 'opportunities found by the strategy', m.opportunitiesSeen);
  counter(
    'opportunities_validated_total',
    'opportunities above the minimum profit and within the gas limit',
    m.validated,
  );
  counter(
    'opportunities_simulated_total',
    'opportunities whose simulation agreed with the estimate',
    m.simulated,
  );
  counter('transactions_sent_total', 'transactions or bundles sent', m.sent);
  counter('transactions_included_total', 'transactions or bundles included on chain', m.included);
  counter('gas_used_total', 'gas used by our transactions on chain', m.gasUsed);
  counter('loss_wei_total', 'ETH spent on gas by reverted transactions (wei)', m.lossWei);
  lines.push(
    '# HELP basis_agent_profit_total profit booked (token base units)',
    '# TYPE basis_agent_profit_total counter',
  );
  for (const [token, v] of Object.entries(m.profit))
    lines.push(`basis_agent_profit_total{agent="${agent}",token="${token}"} ${v}`);
  return `${lines.join('\n')}\n`;
}
