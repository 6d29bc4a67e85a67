/**
 * Hand-made datasets for the ml_directional tests: exactly the files an ML mode reads, in the real
 * layout, from a price path given bar by bar.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const T0 = Date.UTC(2024, 0, 1);
export const FIVE_MIN = 300_000;
export const HOUR = 3_600_000;

export interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface HandDataset {
  dir: string;
  cacheDir: string;
  bars: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function write(dir: string, file: string, lines: string[]): void {
  const p = join(dir, file);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, lines.join('\n') + '\n');
}

/** A path of closes: open_k = P_k, close_k = P_{k+1}, high / low = their max / min (no wicks). */
export function pathBars(prices: number[]): Bar[] {
  const out: Bar[] = [];
  for (let k = 0; k + 1 < prices.length; k++) {
    const o = prices[k];
    const c = prices[k + 1];
    out.push({ open: o, close: c, high: Math.max(o, c), low: Math.min(o, c) });
  }
  return out;
}

/**
 * Writes a dataset of `spot.length` 5-minute bars from T0: Binance BTC spot 5m (`spot`), BTC perp 5m
 * (`perp`, default = spot; bars for which `perpMissing(k)` is true are left out), the hourly perp
 * aggregated from the 5m perp bars × (1 + `hourlyBasis`), funding every 8 h at `rate`,
 * ETH spot flat at `ethPrice` and gas flat at `gasGwei`.
 */
export function writeHandDataset(opts: {
  spot: Bar[];
  perp?: Bar[];
  perpMissing?: (k: number) => boolean;
  fundingRate?: number | ((ms: number) => number);
  ethPrice?: number;
  gasGwei?: number;
  /** The hourly perp candles are the 5m perp bars aggregated × (1 + hourlyBasis). */
  hourlyBasis?: number | ((hour: number) => number);
  hourMissing?: (h: number) => boolean;
}): HandDataset {
  const dir = mkdtempSync(join(tmpdir(), 'basis-ml-'));
  const spot = opts.spot;
  const perp = opts.perp ?? spot;
  const n = spot.length;
  const row = (t: number, b: Bar) => `${iso(t)},${b.open},${b.high},${b.low},${b.close},1`;
  const header = 'timestamp,open,high,low,close,volume';
  write(dir, 'cex/binance/BTCUSDT_spot_5m.csv', [header, ...spot.map((b, k) => row(T0 + k * FIVE_MIN, b))]);
  const eth = opts.ethPrice ?? 2000;
  write(dir, 'cex/binance/ETHUSDT_spot_5m.csv', [
    header,
    ...spot.map((_, k) => row(T0 + k * FIVE_MIN, { open: eth, high: eth, low: eth, close: eth })),
  ]);
  const perpRows: string[] = [header];
  for (let k = 0; k < n; k++) if (!opts.perpMissing?.(k)) perpRows.push(row(T0 + k * FIVE_MIN, perp[k]));
  write(dir, 'cex/binance/BTCUSDT_perp_5m.csv', perpRows);
  const hourly: string[] = [header];
  const hb = opts.hourlyBasis ?? 0;
  for (let h = 0; h * 12 < n; h++) {
    if (opts.hourMissing?.(h)) continue;
    const src = perp.slice(h * 12, Math.min(n, h * 12 + 12));
    const f = 1 + (typeof hb === 'number' ? hb : hb(h));
    hourly.push(
      row(T0 + h * HOUR, {
        open: src[0].open * f,
        high: Math.max(...src.map((b) => b.high)) * f,
        low: Math.min(...src.map((b) => b.low)) * f,
        close: src[src.length - 1].close * f,
      }),
    );
  }
  write(dir, 'cex/binance/BTCUSDT_perp_1h.csv', hourly);
  const funding: string[] = ['funding_timestamp,funding_rate'];
  const rate = opts.fundingRate ?? 0;
  for (let t = T0; t <= T0 + (n + 96) * FIVE_MIN; t += 8 * HOUR)
    funding.push(`${iso(t)},${typeof rate === 'number' ? rate : rate(t)}`);
  write(dir, 'cex/binance/BTCUSDT_funding.csv', funding);
  const gas: string[] = ['timestamp,gas_price_gwei,base_fee_gwei'];
  for (let h = 0; h * 12 <= n + 12; h++)
    gas.push(`${iso(T0 + h * HOUR)},${opts.gasGwei ?? 10},${opts.gasGwei ?? 10}`);
  write(dir, 'gas/ethereum_gas_1h.csv', gas);
  return { dir, cacheDir: join(dir, '.cache'), bars: n };
}

/** Writes a predictions CSV. */
export function writePredictions(
  dir: string,
  rows: { t: number; signal: string; confidence: number; sd: number }[],
  name = 'preds.csv',
): string {
  const p = join(dir, name);
  writeFileSync(
    p,
    [
      'timestamp,signal,confidence,sd',
      ...rows.map((r) => `${iso(r.t)},${r.signal},${r.confidence},${r.sd}`),
    ].join('\n') + '\n',
  );
  return p;
}
