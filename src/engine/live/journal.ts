/**
 * The run journal: an append-only record of everything a wall-clock run intends and observes — runner
 * state transitions, market rows, order intents (written before the order is sent), exchange answers,
 * outcomes, flows, control commands, local state snapshots and reconciliations. Recovery after a crash
 * reads it back (recovery.ts).
 *
 * FileJournal: one JSON object per line, `seq` numbered from 1, each record written with one write
 * before `append` returns, so it survives the runner's crash (SIGKILL: the data is in the kernel).
 * Records that precede an external action (an order intent, an accepted control command, the end of a
 * tick) are also fsynced — which flushes everything written before them — so a machine crash loses at
 * most the answers received since the last action, and recovery looks those up again. A line cut short
 * by a crash mid-write is the only damage possible: it is detected and truncated when the journal is
 * opened again. Any other malformed line, or a gap in `seq`, is a DataError: the journal is not silently
 * rewritten.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { DataError } from '../../domain/errors.js';

export interface JournalRecord {
  /** 1-based position in the journal. */
  seq: number;
  /** Wall-clock time of the write, ISO. */
  at: string;
  type: string;
  [key: string]: unknown;
}

export type JournalEntry = { type: string } & Record<string, unknown>;

export interface Journal {
  /**
   * Appends a record; when this returns it survives a crash of this process, and with `sync` (the
   * default) a crash of the machine. Returns the record as written.
   */
  append(entry: JournalEntry, opts?: { sync?: boolean }): JournalRecord;
  /** The records read when the journal was opened, oldest first (appended ones stay on disk only). */
  records(): readonly JournalRecord[];
  close(): void;
}

/** JSON with non-finite numbers kept (NaN / ±Infinity as {"$num": "NaN"}) and typed arrays as plain arrays. */
export function encodeValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $num: String(value) };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return {
      $typed: value.constructor.name,
      values: Array.from(value as unknown as ArrayLike<number>, encodeValue),
    };
  }
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeValue(v);
    return out;
  }
  return value;
}

const TYPED: Record<string, (values: number[]) => unknown> = {
  Float64Array: (v) => Float64Array.from(v),
  Float32Array: (v) => Float32Array.from(v),
  Int32Array: (v) => Int32Array.from(v),
  Uint8Array: (v) => Uint8Array.from(v),
};

export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$num === 'string' && Object.keys(o).length === 1) return Number(o.$num);
    if (typeof o.$typed === 'string' && Array.isArray(o.values) && TYPED[o.$typed])
      return TYPED[o.$typed](o.values.map((x) => decodeValue(x) as number));
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeValue(v)]));
  }
  return value;
}

export class FileJournal implements Journal {
  private readonly fd: number;
  private readonly all: JournalRecord[] = [];
  private count = 0;
  /** Bytes of a torn last line removed when the journal was opened (0 if none). */
  readonly truncatedBytes: number;

  private constructor(
    readonly path: string,
    fd: number,
    existing: JournalRecord[],
    truncated: number,
  ) {
    this.fd = fd;
    this.all.push(...existing);
    this.count = existing.length;
    this.truncatedBytes = truncated;
  }

  /**
   * Opens (creating if needed) a journal, validating what is there and cutting a torn last line. With
   * `durable: false` (a replay) no record is fsynced: each still survives a crash of the process.
   */
  static open(path: string, o: { durable?: boolean } = {}): FileJournal {
    const records: JournalRecord[] = [];
    let keep = 0;
    let truncated = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      let pos = 0;
      let line = 0;
      while (pos < text.length) {
        const nl = text.indexOf('\n', pos);
        line++;
        if (nl < 0) {
          // No newline: the write of this record was cut by a crash; it never returned, so drop it.
          truncated = Buffer.byteLength(text.slice(pos));
          break;
        }
        const raw = text.slice(pos, nl);
        let rec: JournalRecord;
        try {
          rec = decodeValue(JSON.parse(raw)) as JournalRecord;
        } catch {
          throw new DataError(`journal ${path}: line ${line} is not valid JSON; the journal is damaged`);
        }
        if (rec.seq !== records.length + 1)
          throw new DataError(
            `journal ${path}: line ${line} has seq ${rec.seq}, expected ${records.length + 1}`,
          );
        records.push(rec);
        pos = nl + 1;
        keep = Buffer.byteLength(text.slice(0, pos));
      }
    }
    const fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    if (truncated > 0) {
      ftruncateSync(fd, keep);
      fsyncSync(fd);
    }
    const j = new FileJournal(path, fd, records, truncated);
    j.offset = keep;
    j.durable = o.durable !== false;
    return j;
  }

  private offset = 0;

  fsyncs = 0;
  private durable = true;

  append(entry: JournalEntry, opts: { sync?: boolean } = {}): JournalRecord {
    const rec = { seq: this.count + 1, at: new Date().toISOString(), ...entry } as JournalRecord;
    const line = Buffer.from(JSON.stringify(encodeValue(rec)) + '\n', 'utf8');
    let written = 0;
    while (written < line.length)
      written += writeSync(this.fd, line, written, line.length - written, this.offset + written);
    if (opts.sync !== false && this.durable) {
      fsyncSync(this.fd);
      this.fsyncs++;
    }
    this.offset += line.length;
    this.count++;
    return rec;
  }

  records(): readonly JournalRecord[] {
    return this.all;
  }

  close(): void {
    closeSync(this.fd);
  }
}
