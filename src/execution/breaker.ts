/**
 * Circuit breaker per venue. Closed: requests flow; `threshold` consecutive failures open it. Open: every
 * request is refused at once for `cooldownMs`; then it is half-open and lets one trial through. A success
 * closes it, a failure opens it again for another cooldown. Every transition is reported.
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerPolicy {
  /** Consecutive failures that open the breaker, ≥ 1. */
  threshold: number;
  /** How long an open breaker refuses requests, ms. */
  cooldownMs: number;
}

export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;

  constructor(
    readonly venue: string,
    private readonly policy: BreakerPolicy,
    private readonly now: () => number,
    private readonly onChange: (
      venue: string,
      from: BreakerState,
      to: BreakerState,
      why: string,
    ) => void = () => {},
  ) {}

  /** Current state; an open breaker whose cooldown has passed reads half-open. */
  get state(): BreakerState {
    if (this.stateValue === 'open' && this.now() - this.openedAt >= this.policy.cooldownMs) {
      this.move('half_open', 'cooldown over');
    }
    return this.stateValue;
  }

  /** Whether a request may be sent now. */
  allows(): boolean {
    return this.state !== 'open';
  }

  consecutiveFailures(): number {
    return this.failures;
  }

  success(): void {
    this.failures = 0;
    if (this.state !== 'closed') this.move('closed', 'request succeeded');
  }

  failure(why: string): void {
    this.failures++;
    const s = this.state;
    if (s === 'half_open' || (s === 'closed' && this.failures >= this.policy.threshold)) {
      this.openedAt = this.now();
      this.move('open', why);
    }
  }

  private move(to: BreakerState, why: string): void {
    const from = this.stateValue;
    if (from === to) return;
    this.stateValue = to;
    this.onChange(this.venue, from, to, why);
  }
}
