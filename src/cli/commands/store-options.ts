/** The `--store DIR` option and opening the results store from a command's options. */
import type { Command } from 'commander';
import type { ResultsStore } from '../../results/store/index.js';

export const STORE_OPTION = {
  flags: '--store <dir>',
  description:
    'embedded results store directory (default: $BASIS_STORE_DIR, else ./.basis/store); $DATABASE_URL selects PostgreSQL instead',
};

export function addStoreOption(cmd: Command): Command {
  return cmd.option(STORE_OPTION.flags, STORE_OPTION.description);
}

// The store modules (and through them the database drivers) load only when a command uses the store.
const storeModule = () => import('../../results/store/index.js');

/** Opens the store named by `--store`, else DATABASE_URL, else the default embedded directory. */
export async function storeFromOptions(o: { store?: string | boolean }): Promise<ResultsStore> {
  const { openStore } = await storeModule();
  return openStore(typeof o.store === 'string' ? { dir: o.store } : {});
}

/** Throws now if the store `storeFromOptions(o)` would open is locked by another process. */
export async function checkStoreFromOptions(o: { store?: string | boolean }): Promise<void> {
  const { checkStoreAvailable } = await storeModule();
  checkStoreAvailable(typeof o.store === 'string' ? { dir: o.store } : {});
}
