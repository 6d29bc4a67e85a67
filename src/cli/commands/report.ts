/** `basis report RUN_ID -o FILE`: the run's self-contained HTML report (opens offline). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveRunId } from './runs.js';
import { addStoreOption, storeFromOptions } from './store-options.js';
import { out } from './util.js';

export function registerReport(program: Command): void {
  addStoreOption(
    program
      .command('report')
      .description('write the self-contained HTML report of a stored run (figures, charts, events)')
      .argument('<id>', 'run id or a unique prefix (see `basis runs list`)')
      .option('-o, --out <file>', 'output file (default: basis-report-<id>.html)'),
  ).action(async (idText: string, o) => {
    const { renderReport } = await import('../../results/report/index.js');
    const store = await storeFromOptions(o);
    try {
      const id = await resolveRunId(store, idText);
      const html =
        'reportHtml' in store && typeof store.reportHtml === 'function'
          ? await (store.reportHtml as (id: string) => Promise<string>)(id)
          : await renderReport(store, id, { dataDir: (await store.getRun(id))?.dataset?.dir });
      const file = resolve(o.out ?? `basis-report-${id}.html`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, html);
      out(`report: ${file} (${(html.length / 1024).toFixed(0)} kB)`);
    } finally {
      await store.close();
    }
  });
}
