/** `basis runs list|show|delete`: the run history in the results store. */
import type { Command } from 'commander';
import { parseDecimal } from '../../domain/decimal.js';
import { InputError } from '../../domain/errors.js';
import {
  RUN_STATUSES,
  type ResultsStore,
  type RunListItem,
  type RunStatus,
} from '../../results/store/index.js';
import { formatSummary } from '../table.js';
import { addStoreOption, storeFromOptions } from './store-options.js';
import { out } from './util.js';

async function withStore<T>(o: { store?: string }, fn: (store: ResultsStore) => Promise<T>): Promise<T> {
  const store = await storeFromOptions(o);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** A full id or a unique prefix; throws InputError naming the problem. */
export async function resolveRunId(store: ResultsStore, idOrPrefix: string): Promise<string> {
  const id = await store.resolveId(idOrPrefix);
  if (id === null) {
    const m = await store.matchIds(idOrPrefix, 5);
    if (m.total > 1) {
      throw new InputError(
        `run prefix "${idOrPrefix}" is ambiguous: ${m.total} runs match (${m.ids.join(', ')}${m.total > m.ids.length ? ', …' : ''}); give more characters`,
      );
    }
    throw new InputError(
      `no run "${idOrPrefix}" in the results store ${store.location} (give a full id or a unique prefix of at least 4 characters; see \`basis runs list\`)`,
    );
  }
  return id;
}

function positiveInt(text: string, what: string, max: number): number {
  return parseDecimal(text, what, { integer: true, min: 1, max });
}

const pct = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(2)} %`);

/** The overrides of a run in one cell (long lists cut at 60 characters; `runs show` has them all). */
export function overridesText(overrides: readonly string[] | undefined): string {
  const text = (overrides ?? []).join(' ');
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

function listTable(runs: RunListItem[]): string {
  const rows = [
    ['id', 'status', 'mode', 'window', 'capital', 'return', 'APY', 'max DD', 'data', 'source', 'overrides'],
    ...runs.map((r) => [
      r.id,
      r.status,
      r.mode,
      r.start && r.end ? `${r.start.slice(0, 10)}..${r.end.slice(0, 10)}` : 'data coverage',
      String(r.capital),
      pct(r.total_return),
      pct(r.apy),
      pct(r.max_drawdown),
      r.synthetic === null ? '' : r.synthetic ? 'SYNTHETIC' : 'real',
      r.source,
      overridesText(r.overrides),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('the run history in the results store');

  addStoreOption(
    runs
      .command('list')
      .description('list runs, newest first')
      .option('--mode <mode>', 'only this mode')
      .option('--status <status>', `only this status (${RUN_STATUSES.join(', ')})`)
      .option('--limit <n>', 'at most this many runs', '50')
      .option('--json', 'print JSON'),
  ).action(async (o) => {
    if (o.status !== undefined && !RUN_STATUSES.includes(o.status)) {
      throw new InputError(`--status must be one of ${RUN_STATUSES.join(', ')}, was "${o.status}"`);
    }
    const limit = positiveInt(o.limit, '--limit', 500);
    await withStore(o, async (store) => {
      const page = await store.listRuns({ mode: o.mode, status: o.status as RunStatus | undefined, limit });
      if (o.json) return out(JSON.stringify(page, null, 2));
      if (page.runs.length === 0) return out(`no runs in the results store ${store.location}`);
      out(listTable(page.runs));
      if (page.total > page.runs.length) out(`(${page.runs.length} of ${page.total} runs; --limit for more)`);
    });
  });

  addStoreOption(
    runs
      .command('show')
      .description('one run: request, summary, dataset, code version, timings')
      .argument('<id>', 'run id or a unique prefix')
      .option('--json', 'print the stored record as JSON'),
  ).action(async (idText: string, o) => {
    await withStore(o, async (store) => {
      const id = await resolveRunId(store, idText);
      const r = (await store.getRun(id))!;
      if (o.json) return out(JSON.stringify(r, null, 2));
      const lines = [
        `run ${r.id}: ${r.status} (${r.source}, created ${r.created_at}${r.finished_at ? `, finished ${r.finished_at}` : ''})`,
        `code: basis ${r.code_version.package}${r.code_version.git ? ` @ ${r.code_version.git.slice(0, 12)}${r.code_version.dirty ? ' (modified)' : ''}` : ''}`,
      ];
      const q = r.request;
      const flows = [
        ...q.deposits.map((d) => `deposit ${d.time}=${d.amount}`),
        ...q.withdrawals.map((d) => `withdraw ${d.time}=${d.amount}`),
        ...q.overrides.map((s) => `--set ${s}`),
      ];
      lines.push(
        `request: ${q.mode} ${q.start ?? 'coverage start'} .. ${q.end ?? 'coverage end'}, capital ${q.capital}${flows.length ? `; ${flows.join('; ')}` : ''}`,
      );
      if (r.error) lines.push(`error: ${r.error}`);
      if (r.summary) lines.push('', formatSummary(r.summary));
      if (r.timings?.save_ms !== undefined) lines.push(`saved in ${r.timings.save_ms} ms`);
      out(lines.join('\n'));
    });
  });

  addStoreOption(
    runs
      .command('delete')
      .description('delete runs with their series and events')
      .argument('<ids...>', 'run ids or unique prefixes'),
  ).action(async (ids: string[], o) => {
    await withStore(o, async (store) => {
      const resolved: string[] = [];
      for (const text of ids) resolved.push(await resolveRunId(store, text));
      for (const id of resolved) {
        await store.deleteRun(id);
        out(`deleted ${id}`);
      }
    });
  });
}
