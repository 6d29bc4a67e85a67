/**
 * ResilientCex: the execution policy around a real exchange client (LiveCex).
 *
 * - One client order id per instruction for its whole life: derived from the run id, the tick, its
 *   sequence number in the tick and the instruction (idempotency.ts), minted once when the instruction
 *   arrives. Every retry sends that same id; nothing above this venue retries it (`ownsRetries`: the
 *   execution manager does not call `execute` again for a failure this policy already retried). The intent
 *   is journaled before the order is sent; every answer after.
 * - Unknown outcomes: after a timeout, a dropped connection or a 5xx on an order, the order is looked up by
 *   its client id before anything is resent; a resend the exchange refuses is looked up too (it may refuse
 *   the id because it holds the order already). An order found is used as the answer. When the retries end
 *   while a submission may still reach the exchange (late processing: it was sent, never answered, and no
 *   lookup found it), or when the lookup itself cannot be done, the intent stays unresolved: no further
 *   order goes to the venue — and no decision is taken — until `resolve` looks it up (at the next tick or
 *   restart) and uses its fill if the exchange has it. Not found counts as absent only once the exchange
 *   can no longer process the last submission (`requestWindowMs` after it was sent: the request window
 *   every order carries); before that, `resolve` waits for it and looks again.
 * - Retries: the mode's policy (`execution.max_retries`, backoff with full jitter, retry.ts) on retryable
 *   errors only (rate limit, 5xx, network).
 * - Circuit breaker per venue: consecutive failures open it; while open, orders are refused at once (an
 *   order in its retries stops retrying, and is then unresolved if a submission may have landed).
 * - Partial fills: the remainder is completed with follow-up orders (`<id>r1`, `r2`, …) while it is worth
 *   a lot; what cannot be completed is reported as a partial fill and the strategy rebalances.
 * Every decision is an event on the run's ledger.
 */
import type { ModeConfig } from '../config/schema.js';
import { VenueError } from '../domain/errors.js';
import { describeInstruction, type Instruction } from '../domain/types.js';
import type { OrderReport, OrderRequest, OrderVenue } from '../venues/cex/types.js';
import { roundToLot } from '../venues/cex/payload.js';
import type { Fill, Ledger } from '../venues/types.js';
import { DelegatingCex } from './delegate.js';
import { CircuitBreaker, type BreakerPolicy } from './breaker.js';
import { clientOrderId, followUpId } from './idempotency.js';
import type { IntentClock, IntentLog, IntentRecord, OutcomeRecord } from './intents.js';
import {
  backoffMs,
  realSleep,
  retryPolicy,
  withRetry,
  type Random,
  type RetryPolicy,
  type Sleep,
} from '../domain/retry.js';

export type { OrderVenue } from '../venues/cex/types.js';

export interface ResilienceOptions {
  retry: RetryPolicy;
  breaker: BreakerPolicy;
  /** Wait before looking up an order whose outcome is unknown (lets an in-flight request land), ms. */
  lookupDelayMs: number;
  /**
   * How long after it was sent an order request may still be processed: the exchange refuses it later
   * (Binance and Bybit `recvWindow`, OKX `expTime`; the venue's `recv_window_ms`), ms. An order of unknown
   * outcome that a look-up does not find counts as absent only once this (+ `lookupDelayMs`) has passed
   * since its last submission.
   */
  requestWindowMs: number;
  /** A resting (maker) order is cancelled after this long and its remainder sent as a market order, ms. */
  makerTimeoutMs: number;
  pollMs: number;
  /** Follow-up orders allowed to complete a partial fill. */
  maxFollowUps: number;
  random: Random;
  sleep?: Sleep;
  now: () => number;
}

/** The policy settings a mode's `execution` block gives (the same for every real venue of a run). */
export function resiliencePolicy(
  e: ModeConfig['execution'],
): Pick<ResilienceOptions, 'retry' | 'breaker' | 'lookupDelayMs' | 'makerTimeoutMs' | 'pollMs'> {
  return {
    retry: retryPolicy(e),
    breaker: { threshold: e.breaker_threshold, cooldownMs: e.breaker_cooldown_ms },
    lookupDelayMs: e.lookup_delay_ms,
    makerTimeoutMs: e.maker_timeout_ms,
    pollMs: Math.max(50, Math.min(2_000, e.maker_timeout_ms / 10)),
  };
}

export class ResilientCex extends DelegatingCex<OrderVenue> {
  /** This venue retries its own failures: the execution manager must not retry `execute` around it. */
  readonly ownsRetries = true;
  readonly breaker: CircuitBreaker;
  /** An intent whose outcome could not be established; the venue takes no order until it is resolved. */
  unresolved: IntentRecord | null = null;
  /** Last submission time of each order whose outcome is unknown, ms (this process only). */
  private readonly sentAt = new Map<string, number>();
  private readonly sleep: Sleep;

  constructor(
    inner: OrderVenue,
    private readonly log: IntentLog,
    private readonly clock: IntentClock,
    private readonly events: Ledger,
    private readonly o: ResilienceOptions,
  ) {
    super(inner);
    this.sleep = o.sleep ?? realSleep;
    this.breaker = new CircuitBreaker(inner.name, o.breaker, o.now, (venue, from, to, why) =>
      events.event('breaker', { venue, from, to, why }),
    );
  }

  /** Whether orders may go to this venue now. */
  get up(): boolean {
    return this.unresolved === null && this.breaker.allows() && !this.inner.stale;
  }

  // ---- reads with retries ----------------------------------------------------------------------------

  async refresh(): Promise<void> {
    await this.guarded('refresh', () => this.inner.refresh());
  }

  /** Account settings the venue must have before it trades (position mode, margin mode, leverage). */
  async configure(leverage: number): Promise<void> {
    await this.guarded('configure', () => this.inner.configure(leverage));
    this.events.event('venue_configured', {
      venue: this.name,
      leverage,
      positionMode: 'one-way',
      marginMode: 'cross',
    });
  }

  /** Runs a read with retries, counting failures against the breaker. */
  private async guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          const r = await fn();
          this.breaker.success();
          return r;
        } catch (err) {
          if (err instanceof VenueError && err.code !== 'rejected') this.breaker.failure(err.message);
          throw err;
        }
      },
      this.o.retry,
      {
        random: this.o.random,
        sleep: this.sleep,
        mayRetry: () => this.breaker.allows(),
        onRetry: (err, retry, delayMs) =>
          this.events.event('retry', { venue: this.name, what, attempt: retry, delayMs, error: err.message }),
      },
    );
  }

  // ---- orders ----------------------------------------------------------------------------------------

  async execute(i: Instruction, ledger: Ledger): Promise<Fill> {
    if (this.unresolved)
      throw new VenueError(
        this.name,
        `order ${this.unresolved.id} has an unknown outcome; no new order until it is resolved`,
        false,
        'venue_uncertain',
      );
    if (!this.breaker.allows())
      throw new VenueError(
        this.name,
        'circuit breaker open: orders refused until it closes',
        false,
        'circuit_open',
      );
    if (this.inner.stale)
      throw new VenueError(
        this.name,
        'the venue could not be read this tick: no order on a stale view',
        false,
        'venue_stale',
      );
    const seq = this.clock.seq++;
    const id = clientOrderId({ runId: this.clock.runId, tick: this.clock.tick, seq }, i);
    const req = this.inner.orderFor(i, id);
    const intent: IntentRecord = {
      id,
      venue: this.name,
      tick: this.clock.tick,
      seq,
      instruction: i,
      request: req,
    };
    this.log.intent(intent);
    const reports: OrderReport[] = [];
    let first: OrderReport;
    try {
      first = await this.run(req, intent);
    } catch (err) {
      this.log.outcome(this.failure(id, err));
      if (err instanceof VenueError && err.code === 'fate_unknown') this.unresolved = intent;
      throw err;
    }
    if (first.state === 'rejected' && !(first.filled > 0)) {
      const err = new VenueError(this.name, `order ${id} rejected by the exchange`, false, 'rejected');
      this.log.outcome(this.failure(id, err));
      throw err;
    }
    reports.push(first);
    const lot = this.inner.api.lot(req.market, req.symbol);
    for (let k = 1; k <= this.o.maxFollowUps; k++) {
      const filled = reports.reduce((s, r) => s + r.filled, 0);
      const rest = roundToLot(req.amount - filled, lot);
      if (rest <= 0 || !this.breaker.allows()) break;
      const child: OrderRequest = {
        ...req,
        clientId: followUpId(id, k),
        amount: rest,
        type: 'market',
        price: undefined,
      };
      this.events.event('partial_fill', {
        venue: this.name,
        clientId: id,
        amount: req.amount,
        filled,
        followUp: child.clientId,
        remainder: rest,
      });
      const childIntent: IntentRecord = { ...intent, id: child.clientId, request: child, parent: id };
      this.log.intent(childIntent);
      try {
        const r = await this.run(child, childIntent);
        reports.push(r);
        this.log.outcome({
          id: child.clientId,
          venue: this.name,
          status: r.filled > 0 ? 'filled' : 'absent',
        });
      } catch (err) {
        this.log.outcome(this.failure(child.clientId, err));
        if (err instanceof VenueError && err.code === 'fate_unknown') this.unresolved = childIntent;
        break;
      }
    }
    if (!reports.some((r) => r.filled > 0)) {
      const err = new VenueError(this.name, `order ${id} filled nothing`, false, 'rejected');
      this.log.outcome(this.failure(id, err));
      throw err;
    }
    const fill = this.inner.applyFills(i, req, reports, ledger);
    const complete = fill.amount >= req.amount * (1 - 1e-9);
    this.log.outcome({ id, venue: this.name, status: complete ? 'filled' : 'partial', fill });
    if (!complete)
      this.events.event('partial_fill_left', {
        venue: this.name,
        instruction: describeInstruction(i),
        filled: fill.amount,
        amount: req.amount,
      });
    try {
      await this.inner.afterFill(req);
    } catch (err) {
      this.events.event('after_fill_failed', { venue: this.name, error: (err as Error).message });
    }
    return fill;
  }

  private failure(id: string, err: unknown): OutcomeRecord {
    const unknown = err instanceof VenueError && err.code === 'fate_unknown';
    return { id, venue: this.name, status: unknown ? 'unknown' : 'failed', error: (err as Error).message };
  }

  /** One order to its final state: submit with retries (looking up before any resend), then settle. */
  private async run(req: OrderRequest, intent: IntentRecord): Promise<OrderReport> {
    let report = await this.place(req, intent);
    if (report.state === 'open') report = await this.settleOpen(req, report);
    return report;
  }

  /**
   * Submits an order under its one client id until the exchange answers. A retryable failure is retried
   * (backoff, while the breaker allows); after a failure that may have reached the exchange (`ambiguous`),
   * and after a refused resend, the id is looked up before anything else is sent, and an order found is
   * the answer. Retries that end after an ambiguous failure end in `fate_unknown`: the order may still be
   * processed (late), so it is never given up — nor re-placed under another id — until it is looked up.
   */
  private async place(req: OrderRequest, intent: IntentRecord): Promise<OrderReport> {
    try {
      const r = await this.submitWithRetries(req, intent);
      this.sentAt.delete(req.clientId);
      return r;
    } catch (err) {
      // an order of unknown outcome keeps its last submission time: its absence is final only later
      if (!(err instanceof VenueError && err.code === 'fate_unknown')) this.sentAt.delete(req.clientId);
      throw err;
    }
  }

  private async submitWithRetries(req: OrderRequest, intent: IntentRecord): Promise<OrderReport> {
    let unanswered = 0; // submissions that may have reached the exchange, none found yet
    let last: VenueError | undefined;
    for (let attempt = 1; attempt <= this.o.retry.attempts; attempt++) {
      if (!this.breaker.allows()) {
        last = new VenueError(
          this.name,
          `circuit breaker open before order ${req.clientId} was sent${attempt > 1 ? ' again' : ''}`,
          false,
          'circuit_open',
        );
        break;
      }
      try {
        this.sentAt.set(req.clientId, this.o.now());
        const r = await this.inner.submit(req);
        this.breaker.success();
        this.log.order({ id: req.clientId, venue: this.name, via: 'submit', report: r });
        return r;
      } catch (err) {
        if (!(err instanceof VenueError)) throw err;
        if (err.code !== 'rejected') this.breaker.failure(err.message);
        if (err.code === 'ambiguous') unanswered++;
        // a refused resend may be the exchange refusing an id it already holds
        if (err.code === 'ambiguous' || (err.code === 'rejected' && unanswered > 0)) {
          const found = await this.lookupFate(req, intent);
          if (found) return found;
        }
        if (err.code === 'rejected' && unanswered === 0) throw err;
        last = err;
        if (!err.retryable || attempt >= this.o.retry.attempts) break;
        const delay = backoffMs(this.o.retry, attempt, this.o.random);
        this.events.event('retry', {
          venue: this.name,
          what: 'order',
          clientId: req.clientId,
          attempt,
          delayMs: delay,
          error: err.message,
        });
        await this.sleep(delay);
      }
    }
    if (unanswered === 0) throw last!;
    const why = `${unanswered} submission(s) without an answer and not found by lookup (last: ${last!.message.replace(`${this.name}: `, '')})`;
    this.events.event('fate_unknown', {
      venue: this.name,
      clientId: req.clientId,
      tick: intent.tick,
      error: why,
    });
    throw new VenueError(
      this.name,
      `outcome of order ${req.clientId} unknown: ${why}; no new order until it is looked up again`,
      false,
      'fate_unknown',
    );
  }

  /** The order's fate after an ambiguous failure; throws `fate_unknown` when it cannot be read. */
  private async lookupFate(req: OrderRequest, intent: IntentRecord): Promise<OrderReport | null> {
    if (this.o.lookupDelayMs > 0) await this.sleep(this.o.lookupDelayMs);
    try {
      const found = await withRetry(
        () => this.inner.lookup(req),
        { ...this.o.retry, attempts: this.o.retry.attempts + 2 },
        {
          random: this.o.random,
          sleep: this.sleep,
          onRetry: (err, retry, delayMs) =>
            this.events.event('retry', {
              venue: this.name,
              what: 'lookup',
              clientId: req.clientId,
              attempt: retry,
              delayMs,
              error: err.message,
            }),
        },
      );
      this.log.order({ id: req.clientId, venue: this.name, via: 'lookup', report: found });
      this.events.event('fate_lookup', {
        venue: this.name,
        clientId: req.clientId,
        found: found !== null,
        state: found?.state ?? 'absent',
        filled: found?.filled ?? 0,
      });
      return found;
    } catch (err) {
      this.events.event('fate_unknown', {
        venue: this.name,
        clientId: req.clientId,
        tick: intent.tick,
        error: (err as Error).message,
      });
      throw new VenueError(
        this.name,
        `outcome of order ${req.clientId} unknown: ${(err as Error).message}`,
        false,
        'fate_unknown',
      );
    }
  }

  /** A resting order: wait for fills up to the maker timeout, then cancel what is left. */
  private async settleOpen(req: OrderRequest, report: OrderReport): Promise<OrderReport> {
    const deadline = this.o.now() + this.o.makerTimeoutMs;
    let r = report;
    while (r.state === 'open' && this.o.now() < deadline) {
      await this.sleep(this.o.pollMs);
      const next = await this.guarded('poll order', () => this.inner.lookup(req));
      if (next) r = next;
      this.log.order({ id: req.clientId, venue: this.name, via: 'poll', report: next });
    }
    if (r.state !== 'open') return r;
    const cancelled = await this.guarded('cancel order', () => this.inner.cancel(req));
    this.log.order({ id: req.clientId, venue: this.name, via: 'cancel', report: cancelled });
    return cancelled ?? { ...r, state: 'canceled' };
  }

  /**
   * Settles an intent left without outcome (at the next tick, or after a restart): looks the order up,
   * cancels it if it still rests, books its fees. The view is refreshed from the exchange afterwards, so
   * the fill is not applied to it here. Not found while the exchange may still process its last
   * submission (`requestWindowMs` since it was sent): waits until it no longer can and looks it up once
   * more, so `absent` is final. Throws VenueError when the exchange cannot be read.
   */
  async resolve(intent: IntentRecord, ledger: Ledger): Promise<OutcomeRecord> {
    const lookup = async () => {
      const found = await this.guarded('look up pending order', () => this.inner.lookup(intent.request));
      this.log.order({ id: intent.id, venue: this.name, via: 'lookup', report: found });
      return found;
    };
    let r = await lookup();
    const sent = this.sentAt.get(intent.id);
    const final = sent === undefined ? 0 : sent + this.o.requestWindowMs + this.o.lookupDelayMs;
    if (r === null && this.o.now() < final) {
      ledger.event('intent_pending', {
        venue: this.name,
        clientId: intent.id,
        until: new Date(final).toISOString(),
      });
      await this.sleep(final - this.o.now());
      r = await lookup();
    }
    this.sentAt.delete(intent.id);
    if (r && r.state === 'open') {
      r = await this.guarded('cancel pending order', () => this.inner.cancel(intent.request));
      this.log.order({ id: intent.id, venue: this.name, via: 'cancel', report: r });
    }
    let outcome: OutcomeRecord;
    if (!r || !(r.filled > 0)) outcome = { id: intent.id, venue: this.name, status: 'absent' };
    else {
      if (r.fee !== 0) ledger.book('trading_fees', r.feeAsset, -r.fee, this.name, intent.request.symbol);
      outcome = {
        id: intent.id,
        venue: this.name,
        status: r.filled >= intent.request.amount * (1 - 1e-9) ? 'filled' : 'partial',
        fill: {
          venue: this.name,
          op: intent.instruction.op,
          amount: r.filled,
          price: r.average,
          fee: r.fee,
          feeAsset: r.feeAsset,
          gasEth: 0,
        },
      };
    }
    this.log.outcome(outcome);
    ledger.event('intent_resolved', {
      venue: this.name,
      clientId: intent.id,
      status: outcome.status,
      filled: r?.filled ?? 0,
    });
    if (this.unresolved?.id === intent.id) this.unresolved = null;
    return outcome;
  }

  /** Takes over what an earlier policy object of the same venue left unresolved (the run's parts rebuilt). */
  adoptPending(previous: ResilientCex): void {
    this.unresolved = previous.unresolved;
    for (const [id, ms] of previous.sentAt) this.sentAt.set(id, ms);
  }
}
