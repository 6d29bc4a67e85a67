/**
 * `npm run bench`, devnet part: how fast an on-chain test gets a chain — anvil started and the saved devnet
 * state (Aave V3, Uniswap V3, Morpho Blue, test LSTs) loaded — median of several starts. Target: well under a
 * second (the first deployment, cached, is not timed).
 */
import { anvilBinary } from '../src/devnet/anvil.js';
import { ensureDevnetState, startDevnet } from '../src/devnet/devnet.js';

const STARTS = 5;
const TARGET_MS = 1000;

export async function benchDevnet(): Promise<void> {
  try {
    anvilBinary();
  } catch {
    process.stdout.write('\ndevnet: anvil not installed, skipped\n');
    return;
  }
  await ensureDevnetState();
  const ms: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const t0 = performance.now();
    const d = await startDevnet();
    await d.pub.getBlockNumber();
    ms.push(performance.now() - t0);
    await d.stop();
  }
  const median = [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)];
  process.stdout.write(
    `\ndevnet start from the saved state (anvil + load, ${STARTS} starts): median ${median.toFixed(0)} ms, ` +
      `${median < TARGET_MS ? 'ok' : 'MISSED'} (< ${TARGET_MS} ms)\n`,
  );
}
