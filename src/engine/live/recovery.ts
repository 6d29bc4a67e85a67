/**
 * What a restarted runner needs from the journal: the run's identity and options, the last tick, the
 * latest local state (simulated venues' checkpoints, live venues' allocation, flow totals), the market
 * rows to seed the grid, the funding announcements, control commands already handled, and every order
 * intent without an outcome (to be looked up on the exchange before anything else is sent).
 */
import type { IntentRecord, OrderRecord, OutcomeRecord } from '../../execution/intents.js';
import type { LiveCexState } from '../../venues/cex/client.js';
import type { GridRow } from '../../data/live-grid.js';
import type { MarketSourceState } from '../../venues/feeds/market-source.js';
import type { JournalRecord } from './journal.js';

export interface LocalState {
  tick: number;
  /** Simulated venues' checkpoints by venue name. */
  simulated: Record<string, unknown>;
  /** Live venues' allocation state by venue name. */
  live: Record<string, LiveCexState>;
  /** Share-class totals since the run began. */
  totals: { deposits: number; withdrawals: number; pendingWithdrawal: number };
  /** Positions (position key → amount) as the run saw them. */
  positions: Record<string, number>;
}

export interface RunHeader {
  runId: string;
  mode: string;
  overrides: string[];
  tickMs: number;
  capital: number;
  /** Environment of each venue when the run was created (a run cannot change them). */
  environments?: Record<string, string>;
  /** A replay's window (src/engine/live/replay.ts). */
  replay?: { fromMs: number; toMs: number };
}

export interface Recovered {
  header: RunHeader | null;
  starts: number;
  lastTick: number;
  local: LocalState | null;
  market: GridRow[];
  feed: MarketSourceState | null;
  controlIds: Set<string>;
  pending: IntentRecord[];
  orders: Map<string, OrderRecord[]>;
  /** Whether the last start ended with a clean stop. */
  stoppedCleanly: boolean;
  baselineTaken: boolean;
}

/** Reads a journal's records into the state a restart resumes from. `tailRows`: market rows to keep. */
export function recover(records: readonly JournalRecord[], tailRows: number): Recovered {
  const out: Recovered = {
    header: null,
    starts: 0,
    lastTick: 0,
    local: null,
    market: [],
    feed: null,
    controlIds: new Set(),
    pending: [],
    orders: new Map(),
    stoppedCleanly: true,
    baselineTaken: false,
  };
  const intents = new Map<string, IntentRecord>();
  const done = new Set<string>();
  for (const r of records) {
    switch (r.type) {
      case 'run_start':
        out.starts++;
        out.header ??= r.header as RunHeader;
        out.stoppedCleanly = false;
        break;
      case 'state':
        if (r.to === 'stopped') out.stoppedCleanly = true;
        break;
      case 'baseline':
        out.baselineTaken = true;
        break;
      case 'market':
        out.lastTick = Math.max(out.lastTick, r.tick as number);
        out.market.push({ timeMs: r.timeMs as number, values: r.values as Record<string, number> });
        if (out.market.length > tailRows * 2) out.market.splice(0, out.market.length - tailRows);
        out.feed = r.feed as MarketSourceState;
        break;
      case 'local':
        out.local = r.state as LocalState;
        break;
      case 'control':
        out.controlIds.add(r.id as string);
        break;
      case 'intent':
        intents.set((r.intent as IntentRecord).id, r.intent as IntentRecord);
        break;
      case 'order': {
        const o = r.order as OrderRecord;
        const list = out.orders.get(o.id) ?? [];
        list.push(o);
        out.orders.set(o.id, list);
        break;
      }
      case 'outcome': {
        const o = r.outcome as OutcomeRecord;
        // An 'unknown' outcome leaves the intent pending: it must still be looked up.
        if (o.status !== 'unknown') done.add(o.id);
        else done.delete(o.id);
        break;
      }
    }
  }
  if (out.market.length > tailRows) out.market.splice(0, out.market.length - tailRows);
  out.pending = [...intents.values()].filter((i) => !done.has(i.id));
  return out;
}
