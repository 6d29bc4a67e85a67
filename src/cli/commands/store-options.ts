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

/**
 * The running `basis serve` that holds the embedded store these options name, or null (PostgreSQL,
 * the store is free, or it is held by a process that is no server).
 */
async function holdingServer(o: { store?: string | boolean }) {
  const { defaultStoreDir, checkStoreAvailable } = await storeModule();
  const dir = typeof o.store === 'string' ? o.store : undefined;
  if (dir === undefined && process.env.DATABASE_URL) return null;
  try {
    checkStoreAvailable(dir === undefined ? {} : { dir });
    return null;
  } catch (err) {
    const { readServerInfo } = await import('../../results/store/server-info.js');
    const info = readServerInfo(dir ?? defaultStoreDir());
    if (info === null) throw err;
    return info;
  }
}

/**
 * Opens the store named by `--store`, else DATABASE_URL, else the default embedded directory; while a
 * `basis serve` holds that embedded store, its API stands for it (src/cli/remote-store.ts) unless
 * `local` is asked (the server itself).
 */
export async function storeFromOptions(
  o: { store?: string | boolean },
  opts: { local?: boolean } = {},
): Promise<ResultsStore> {
  const { openStore } = await storeModule();
  if (!opts.local) {
    const info = await holdingServer(o);
    if (info) {
      const { RemoteStore } = await import('../remote-store.js');
      return new RemoteStore(info);
    }
  }
  return openStore(typeof o.store === 'string' ? { dir: o.store } : {});
}

/** Throws now if the store `storeFromOptions(o)` would open is locked by a process that is no server. */
export async function checkStoreFromOptions(o: { store?: string | boolean }): Promise<void> {
  await holdingServer(o);
}
