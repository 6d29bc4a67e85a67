/**
 * Writes test/defi/vectors/balancer-{weighted,stable}.json: swap results of the real Balancer V2 bytecode
 * (Authorizer, Vault 20210418, WeightedPoolFactory / WeightedPool v2 20220908, StablePoolFactory / StablePool
 * v2 20220609, from the `@balancer-labs/v2-deployments` package) on a devnet, for random pools (weighted: 2–4
 * tokens, random weights; stable: 2–5 tokens, A from 1 to 5,000; 18/6/8 decimals, random fees) and random
 * given-in / given-out swaps queried with `Vault.queryBatchSwap` — including sizes past the weighted 30 % caps.
 *
 * The package is not a dependency (it declares hardhat as a peer, which npm would install): unpack it and
 * point BALANCER_TASKS at its dist/tasks folder, then format the output, e.g.
 *   npm pack @balancer-labs/v2-deployments@3.2.0 && tar xzf balancer-labs-v2-deployments-3.2.0.tgz
 *   BALANCER_TASKS=$PWD/package/dist/tasks node dist/scripts/defi-balancer-vectors.js
 *   npx prettier --write test/defi/vectors
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createPublicClient,
  encodeAbiParameters,
  http,
  maxUint256,
  parseAbi,
  type Abi,
  type Address,
  type Hex,
} from 'viem';
import { foundry } from 'viem/chains';
import { builtContract } from '../src/devnet/artifacts.js';
import { startDevnet } from '../src/devnet/devnet.js';
import { packageRoot } from '../src/devnet/paths.js';

const TASKS = process.env.BALANCER_TASKS;
const POOLS = 12;
const SWAPS_PER_POOL = 200;

function abiOf(task: string, name: string): Abi {
  return JSON.parse(readFileSync(join(TASKS!, task, 'abi', `${name}.json`), 'utf8')) as Abi;
}

function artifact(task: string, name: string): { abi: Abi; bytecode: Hex } {
  const abi = abiOf(task, name);
  const code = JSON.parse(readFileSync(join(TASKS!, task, 'bytecode', `${name}.json`), 'utf8')) as {
    creationCode: string;
  };
  return {
    abi,
    bytecode: (code.creationCode.startsWith('0x') ? code.creationCode : `0x${code.creationCode}`) as Hex,
  };
}

let seed = 2024;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pow10 = (n: number) => 10n ** BigInt(n);

interface Query {
  i: number;
  j: number;
  givenOut: boolean;
  amount: bigint;
}

function randomQueries(n: number, live: readonly bigint[], maxFrac: number): Query[] {
  return Array.from({ length: SWAPS_PER_POOL }, () => {
    const i = Math.floor(rnd() * n);
    const j = (i + 1 + Math.floor(rnd() * (n - 1))) % n;
    const givenOut = rnd() < 0.5;
    const ref = givenOut ? live[j] : live[i];
    const frac = 10 ** (-12 + rnd() * (12 + Math.log10(maxFrac)));
    return { i, j, givenOut, amount: BigInt(Math.floor(Number(ref) * frac)) + 1n };
  });
}

function write(name: string, what: string, pools: unknown[], swaps: unknown[]): void {
  const file = join(packageRoot(), 'test', 'defi', 'vectors', name);
  mkdirSync(dirname(file), { recursive: true });
  const source = `@balancer-labs/v2-deployments@3.2.0: 20210418-vault Vault, ${what}; Vault.queryBatchSwap on anvil`;
  writeFileSync(file, JSON.stringify({ source, pools, swaps }) + '\n');
  process.stdout.write(`wrote ${swaps.length} swaps over ${pools.length} pools to ${file}\n`);
}

async function main(): Promise<void> {
  if (!TASKS) throw new Error('set BALANCER_TASKS to the dist/tasks folder of @balancer-labs/v2-deployments');
  const devnet = await startDevnet();
  try {
    const s = devnet.admin;
    const vaultA = artifact('20210418-vault', 'Vault');
    const authorizer = await s.deploy('Authorizer', artifact('20210418-authorizer', 'Authorizer'), [s.admin]);
    const vault = await s.deploy('Vault', vaultA, [authorizer, devnet.deployment.tokens.WETH, 0n, 0n]);
    const provA = artifact('20220725-protocol-fee-percentages-provider', 'ProtocolFeePercentagesProvider');
    const provider = await s.deploy('ProtocolFeePercentagesProvider', provA, [
      vault,
      5n * pow10(17),
      5n * pow10(17),
    ]);
    const erc20 = parseAbi([
      'function mint(address,uint256)',
      'function approve(address,uint256) returns (bool)',
    ]);
    const decimalsOf = [18, 6, 8, 18, 6, 18, 8, 18];
    const tokens: { address: Address; decimals: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const t = await s.deploy(`B${i}`, builtContract('TestERC20'), [`B${i}`, `B${i}`, decimalsOf[i]]);
      await s.write(t, erc20, 'mint', [s.admin, pow10(40)]);
      await s.write(t, erc20, 'approve', [vault, maxUint256]);
      tokens.push({ address: t, decimals: decimalsOf[i] });
    }
    const batched = createPublicClient({
      chain: foundry,
      transport: http(devnet.rpcUrl, { batch: { batchSize: 100 } }),
    });
    const pick = (n: number) =>
      [...tokens]
        .sort(() => rnd() - 0.5)
        .slice(0, n)
        .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));

    /** Creates a pool with a factory, joins it (INIT) and returns its id and live balances. */
    const createAndJoin = async (
      factory: Address,
      fabi: Abi,
      pabi: Abi,
      args: readonly unknown[],
      picked: typeof tokens,
      balances: bigint[],
    ) => {
      const { result: pool } = await s.pub.simulateContract({
        address: factory,
        abi: fabi,
        functionName: 'create',
        args,
        account: s.admin,
      });
      await s.write(factory, fabi, 'create', args);
      const poolId = await s.read<Hex>(pool as Address, pabi, 'getPoolId');
      await s.write(vault, vaultA.abi, 'joinPool', [
        poolId,
        s.admin,
        s.admin,
        {
          assets: picked.map((t) => t.address),
          maxAmountsIn: balances,
          userData: encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256[]' }], [0n, balances]),
          fromInternalBalance: false,
        },
      ]);
      const [, live] = await s.read<readonly [Address[], bigint[], bigint]>(
        vault,
        vaultA.abi,
        'getPoolTokens',
        [poolId],
      );
      return { pool: pool as Address, poolId, live };
    };
    const query = (poolId: Hex, picked: typeof tokens, qs: Query[]) =>
      Promise.all(
        qs.map((q) =>
          batched
            .simulateContract({
              address: vault,
              abi: vaultA.abi,
              functionName: 'queryBatchSwap',
              args: [
                q.givenOut ? 1 : 0,
                [
                  {
                    poolId,
                    assetInIndex: BigInt(q.i),
                    assetOutIndex: BigInt(q.j),
                    amount: q.amount,
                    userData: '0x',
                  },
                ],
                picked.map((t) => t.address),
                { sender: s.admin, fromInternalBalance: false, recipient: s.admin, toInternalBalance: false },
              ],
              account: s.admin,
            })
            .then(
              ({ result }) => {
                const d = result as bigint[];
                return { result: String(q.givenOut ? d[q.i] : -d[q.j]) };
              },
              (err: Error) => ({ error: /BAL#(\d+)/.exec(err.message)?.[0] ?? err.message.split('\n')[0] }),
            ),
        ),
      );

    // weighted pools
    const wf = artifact('20220908-weighted-pool-v2', 'WeightedPoolFactory');
    const wp = { abi: abiOf('20220908-weighted-pool-v2', 'WeightedPool') };
    const wfactory = await s.deploy('WeightedPoolFactory', wf, [vault, provider]);
    const pools: unknown[] = [];
    const swaps: unknown[] = [];
    for (let p = 0; p < POOLS; p++) {
      const n = 2 + (p % 3);
      const picked = pick(n);
      // weights: random, summing to exactly 1e18; sometimes 50/50 or 80/20 (pow fast paths)
      let weights: bigint[];
      if (n === 2 && p % 6 === 0) weights = [5n * pow10(17), 5n * pow10(17)];
      else if (n === 2 && p % 6 === 3) weights = [8n * pow10(17), 2n * pow10(17)];
      else {
        const raw = picked.map(() => 0.05 + rnd());
        const sum = raw.reduce((a, b) => a + b, 0);
        weights = raw.map((w) => BigInt(Math.floor((w / sum) * 1e6)) * pow10(12));
        weights[0] += pow10(18) - weights.reduce((a, b) => a + b, 0n);
      }
      const swapFee = BigInt(Math.floor(10 ** (12 + rnd() * 5)));
      const zero = '0x0000000000000000000000000000000000000000';
      const args = [
        `W${p}`,
        `W${p}`,
        picked.map((t) => t.address),
        weights,
        picked.map(() => zero),
        swapFee,
        s.admin,
      ];
      const balances = picked.map((t) => BigInt(Math.floor(10 ** (3 + rnd() * 6))) * pow10(t.decimals));
      const { poolId, live } = await createAndJoin(wfactory, wf.abi, wp.abi, args, picked, balances);
      pools.push({
        poolId,
        balances: live.map(String),
        weights: weights.map(String),
        decimals: picked.map((t) => t.decimals),
        swapFee: String(swapFee),
      });
      const qs = randomQueries(n, live, 0.4);
      const results = await query(poolId, picked, qs);
      qs.forEach((q, k) =>
        swaps.push({
          pool: p,
          i: q.i,
          j: q.j,
          givenOut: q.givenOut,
          amount: String(q.amount),
          ...results[k],
        }),
      );
    }
    write('balancer-weighted.json', '20220908-weighted-pool-v2 WeightedPool', pools, swaps);

    // stable pools
    const sf = artifact('20220609-stable-pool-v2', 'StablePoolFactory');
    const sp = { abi: abiOf('20220609-stable-pool-v2', 'StablePool') };
    const sfactory = await s.deploy('StablePoolFactory', sf, [vault]);
    const spools: unknown[] = [];
    const sswaps: unknown[] = [];
    for (let p = 0; p < POOLS; p++) {
      const n = 2 + (p % 4);
      const picked = pick(n);
      const A = BigInt(1 + Math.floor(rnd() ** 2 * 4999));
      const swapFee = BigInt(Math.floor(10 ** (12 + rnd() * 4.5)));
      // near-balanced or skewed pools (the same order of value in every token, up to 30× apart)
      const base = 10 ** (4 + rnd() * 4);
      const balances = picked.map(
        (t) => BigInt(Math.floor(base * (p % 2 ? 1 + rnd() * 29 : 0.9 + rnd() * 0.2))) * pow10(t.decimals),
      );
      const args = [`S${p}`, `S${p}`, picked.map((t) => t.address), A, swapFee, s.admin];
      const { pool, poolId, live } = await createAndJoin(sfactory, sf.abi, sp.abi, args, picked, balances);
      const [amp] = await s.read<readonly [bigint, boolean, bigint]>(
        pool,
        sp.abi,
        'getAmplificationParameter',
      );
      spools.push({
        poolId,
        balances: live.map(String),
        decimals: picked.map((t) => t.decimals),
        amp: String(amp),
        swapFee: String(swapFee),
      });
      const qs = randomQueries(n, live, 0.9);
      const results = await query(poolId, picked, qs);
      qs.forEach((q, k) =>
        sswaps.push({
          pool: p,
          i: q.i,
          j: q.j,
          givenOut: q.givenOut,
          amount: String(q.amount),
          ...results[k],
        }),
      );
    }
    write('balancer-stable.json', '20220609-stable-pool-v2 StablePool', spools, sswaps);
  } finally {
    await devnet.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`defi-balancer-vectors: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
