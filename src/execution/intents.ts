/**
 * The execution journal as the execution layer sees it: every order intent is written (durably) before
 * the order is sent, every exchange answer and lookup after, and the instruction's outcome last. The
 * engine's journal (src/engine/live/journal.ts) implements it; recovery reads it back.
 */
import type { Instruction } from '../domain/types.js';
import type { OrderReport, OrderRequest } from '../venues/cex/types.js';
import type { Fill } from '../venues/types.js';

export interface IntentRecord {
  /** Client order id of the first order (follow-ups append r1, r2). */
  id: string;
  venue: string;
  tick: number;
  seq: number;
  instruction: Instruction;
  request: OrderRequest;
  /** Id of the intent this one completes (partial-fill follow-ups). */
  parent?: string;
}

export interface OrderRecord {
  id: string;
  venue: string;
  via: 'submit' | 'lookup' | 'cancel' | 'poll';
  /** null: the exchange has no order with this id. */
  report: OrderReport | null;
}

export interface OutcomeRecord {
  id: string;
  venue: string;
  status: 'filled' | 'partial' | 'failed' | 'absent' | 'unknown';
  fill?: Fill;
  error?: string;
}

export interface IntentLog {
  intent(r: IntentRecord): void;
  order(r: OrderRecord): void;
  outcome(r: OutcomeRecord): void;
}

/** Tick context for client order ids, advanced by the runner. */
export interface IntentClock {
  runId: string;
  tick: number;
  /** Next sequence number in the tick. */
  seq: number;
}
