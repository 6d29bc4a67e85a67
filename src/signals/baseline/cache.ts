/**
 * Disk cache of baseline predictions: training is deterministic, so predictions are a function of the
 * model version, its parameters, the candles' content (MarketData.datasetId of the files read) and the
 * window. `<cacheDir>/signals/<sha256 of those>.bin` holds a JSON header (with the training report) and the
 * four columns. A missing, short or mismatching file is ignored and rebuilt; a cache that cannot be written
 * only costs the training time. Bump MODEL_VERSION whenever features, model or training change.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PredictionSet, SignalReport } from '../types.js';

export const MODEL_VERSION = 2;
const MAGIC = 'BASISML1';

export function predictionCacheKey(parts: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify({ model: MODEL_VERSION, ...parts }))
    .digest('hex');
}

function path(cacheDir: string, key: string): string {
  return join(cacheDir, 'signals', `${key}.bin`);
}

export function readCachedPredictions(
  cacheDir: string,
  key: string,
): { predictions: PredictionSet; report: SignalReport } | null {
  let buf: Buffer;
  try {
    buf = readFileSync(path(cacheDir, key));
  } catch {
    return null;
  }
  try {
    if (buf.toString('latin1', 0, 8) !== MAGIC) return null;
    const headerBytes = buf.readUInt32LE(8);
    const h = JSON.parse(buf.toString('utf8', 16, 16 + headerBytes)) as {
      key: string;
      rows: number;
      source: string;
      report: SignalReport;
    };
    const base = 16 + headerBytes;
    if (h.key !== key || buf.length !== base + 32 * h.rows) return null;
    const copy = new Float64Array(new Uint8Array(buf.subarray(base)).buffer);
    const col = (k: number) => copy.slice(k * h.rows, (k + 1) * h.rows);
    return {
      predictions: {
        source: h.source,
        timestampsMs: col(0),
        direction: Int8Array.from(col(1)),
        confidence: col(2),
        sd: col(3),
      },
      report: h.report,
    };
  } catch {
    return null;
  }
}

export function writeCachedPredictions(
  cacheDir: string,
  key: string,
  p: PredictionSet,
  report: SignalReport,
): void {
  const rows = p.timestampsMs.length;
  let json = JSON.stringify({ key, rows, source: p.source, report });
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const header = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(16);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  const data = new Float64Array(4 * rows);
  data.set(p.timestampsMs, 0);
  data.set(Float64Array.from(p.direction), rows);
  data.set(p.confidence, 2 * rows);
  data.set(p.sd, 3 * rows);
  const file = path(cacheDir, key);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(join(cacheDir, 'signals'), { recursive: true });
    writeFileSync(tmp, Buffer.concat([prefix, header, Buffer.from(data.buffer)]));
    renameSync(tmp, file);
  } catch {
    /* a read-only cache only costs speed */
  }
}
