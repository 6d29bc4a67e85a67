/**
 * Load generator of bench/server.ts, in its own thread so its work does not delay the health sampler:
 * rounds of `clients` requests of `path` sent at once over keep-alive connections (a round starts when
 * the previous one has all its answers), until the parent posts 'stop'; then it posts every latency, ms.
 */
import { Agent, get } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, path, clients } = workerData as { url: string; path: string; clients: number };
const agent = new Agent({ keepAlive: true, maxSockets: clients });
const latencies: number[] = [];
let stop = false;
parentPort!.on('message', (m) => {
  if (m === 'stop') stop = true;
});

function once(): Promise<void> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get(`${url}${path}`, { agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        latencies.push(performance.now() - t0);
        resolve();
      });
    }).on('error', reject);
  });
}

while (!stop) await Promise.all(Array.from({ length: clients }, once));
agent.destroy();
parentPort!.postMessage(latencies);
