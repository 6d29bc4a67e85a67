/**
 * Webhook notifications of a wall-clock run (`basis run --webhook URL`): alerts, fills, failures and
 * liquidation-distance warnings POSTed as JSON `{run_id, mode, type, time, data}` to one target. The
 * runner only enqueues (synchronously, into a bounded queue); one delivery loop sends in order, retrying
 * with backoff on 5xx, timeouts and network errors. A failed or dropped delivery is counted and reported
 * to the journal once — never thrown into the tick. The URL itself never reaches logs, journal or events:
 * only `redactUrl`'s form does.
 */
import { InputError } from '../../domain/errors.js';
import type { RunEvent } from '../../portfolio/ledger.js';
import { encodeValue } from './journal.js';

export const NOTIFY_TYPES = ['alert', 'fill', 'failure', 'liquidation'] as const;
export type NotifyType = (typeof NOTIFY_TYPES)[number];

/** Ledger events that are failures. */
const FAILURE_EVENTS = new Set([
  'execution_failed',
  'venue_unavailable',
  'after_fill_failed',
  'fate_unknown',
  'run_failed',
]);

export interface WebhookOptions {
  url: string;
  /** Types sent (default: all). */
  events?: readonly NotifyType[];
  /** Liquidation-distance warning below this |fraction| of the asset's price (default 0.1). */
  liquidationBelow?: number;
  /** Per-request timeout, ms (default 5000). */
  timeoutMs?: number;
  /** Attempts per notification (default 4). */
  attempts?: number;
  /** First retry delay, ms, doubled per retry (default 250). */
  backoffMs?: number;
  /** Queue bound; the oldest is dropped beyond it (default 1000). */
  queueSize?: number;
  /** Longest wait for the queue to drain when the run ends, ms (default 5000). */
  flushMs?: number;
}

export interface Notification {
  run_id: string;
  mode: string;
  type: NotifyType;
  time: string;
  data: Record<string, unknown>;
}

/** Scheme, host and port only: userinfo, path, query and fragment may carry secrets. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname !== '/' || u.search || u.hash ? '/…' : ''}`;
  } catch {
    return '(invalid url)';
  }
}

/** Validates a webhook URL and an event list (`--webhook`, `--webhook-events`). */
export function parseWebhook(url: string, events?: string): { url: string; events: NotifyType[] } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`--webhook is not a URL (${redactUrl(url)})`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new InputError(`--webhook must be an http(s) URL, was ${u.protocol}`);
  const list = events === undefined ? [...NOTIFY_TYPES] : events.split(',').map((e) => e.trim());
  for (const e of list)
    if (!(NOTIFY_TYPES as readonly string[]).includes(e))
      throw new InputError(`--webhook-events: unknown type "${e}"; expected ${NOTIFY_TYPES.join(', ')}`);
  return { url, events: list as NotifyType[] };
}

export interface NotifierStats {
  sent: number;
  failed: number;
  dropped: number;
  retries: number;
}

export class Notifier {
  readonly target: string;
  readonly stats: NotifierStats = { sent: 0, failed: 0, dropped: 0, retries: 0 };
  private readonly types: Set<NotifyType>;
  private readonly queue: Notification[] = [];
  private worker: Promise<void> | null = null;
  /** The URL without userinfo (fetch refuses it), which goes as basic authorization instead. */
  private readonly endpoint: string;
  private readonly headers: Record<string, string> = { 'content-type': 'application/json' };
  private reported = false;
  private liqWarned = false;
  private closing = false;
  private deadline = Number.POSITIVE_INFINITY;

  constructor(
    private readonly o: WebhookOptions,
    private readonly runId: string,
    private readonly mode: string,
    /** Called once, at the first failed or dropped delivery (the runner journals it). */
    private readonly onFirstFailure: (what: string) => void,
  ) {
    this.target = redactUrl(o.url);
    const u = new URL(o.url);
    if (u.username || u.password) {
      const cred = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      this.headers.authorization = `Basic ${Buffer.from(cred).toString('base64')}`;
      u.username = '';
      u.password = '';
    }
    this.endpoint = u.toString();
    this.types = new Set(o.events ?? NOTIFY_TYPES);
  }

  /** Enqueues one notification (never blocks, never throws). */
  notify(type: NotifyType, time: string, data: Record<string, unknown>): void {
    if (!this.types.has(type) || this.closing) return;
    this.queue.push({ run_id: this.runId, mode: this.mode, type, time, data });
    if (this.queue.length > (this.o.queueSize ?? 1000)) {
      this.queue.shift();
      this.stats.dropped++;
      this.report('queue full: oldest notification dropped');
    }
    this.worker ??= this.deliverAll().finally(() => (this.worker = null));
  }

  /** Notifies the run's new ledger events that are alerts, fills or failures. */
  fromEvents(events: readonly RunEvent[]): void {
    for (const e of events) {
      const type: NotifyType | null =
        e.type === 'alert'
          ? 'alert'
          : e.type === 'fill'
            ? 'fill'
            : FAILURE_EVENTS.has(e.type)
              ? 'failure'
              : null;
      if (!type) continue;
      const { t, ...rest } = e;
      this.notify(type, t, type === 'failure' ? rest : (({ type: _, ...d }) => d)(rest));
    }
  }

  /**
   * A liquidation-distance warning when the nearer of the asset and LST distances falls below the
   * threshold (once per crossing: re-armed when it is back above).
   */
  liquidation(time: string, asset: number, lst: number): void {
    const below = this.o.liquidationBelow ?? 0.1;
    const d = Math.min(
      Number.isFinite(asset) ? Math.abs(asset) : Number.POSITIVE_INFINITY,
      Number.isFinite(lst) ? Math.abs(lst) : Number.POSITIVE_INFINITY,
    );
    if (d < below && !this.liqWarned) {
      this.liqWarned = true;
      this.notify('liquidation', time, {
        liq_distance_asset: Number.isFinite(asset) ? asset : null,
        liq_distance_lst: Number.isFinite(lst) ? lst : null,
        threshold: below,
      });
    } else if (d >= below) this.liqWarned = false;
  }

  /** Waits for the queue to drain, at most `flushMs`; what is left is counted as dropped. */
  async close(): Promise<NotifierStats> {
    this.closing = true;
    this.deadline = Date.now() + (this.o.flushMs ?? 5000);
    const w = this.worker;
    if (w) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([w, new Promise<void>((r) => (timer = setTimeout(r, this.o.flushMs ?? 5000)))]);
      clearTimeout(timer);
    }
    if (this.queue.length > 0) {
      this.stats.dropped += this.queue.length;
      this.queue.length = 0;
      this.report('run ended before the queue drained');
    }
    return { ...this.stats };
  }

  private report(what: string): void {
    if (this.reported) return;
    this.reported = true;
    try {
      this.onFirstFailure(what);
    } catch {
      // the journal may be closed at the very end: the counts are in the shutdown record
    }
  }

  private async deliverAll(): Promise<void> {
    while (this.queue.length > 0) {
      const n = this.queue.shift()!;
      const error = await this.deliver(n);
      if (error === null) this.stats.sent++;
      else {
        this.stats.failed++;
        this.report(`${n.type} notification not delivered: ${error}`);
      }
    }
  }

  /** One notification with its retries; null when delivered, else the last error. */
  private async deliver(n: Notification): Promise<string | null> {
    const body = JSON.stringify(encodeValue(n));
    const attempts = this.o.attempts ?? 4;
    let error = 'not sent';
    for (let i = 0; i < attempts; i++) {
      if (i > 0) {
        const wait = (this.o.backoffMs ?? 250) * 2 ** (i - 1);
        if (Date.now() + wait > this.deadline) return `${error} (run ended)`;
        this.stats.retries++;
        await new Promise((r) => setTimeout(r, wait));
      }
      try {
        const res = await fetch(this.endpoint, {
          method: 'POST',
          headers: this.headers,
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return null;
        error = `HTTP ${res.status}`;
        if (res.status < 500) return error; // a 4xx is not retried
      } catch (err) {
        error = (err as Error).name === 'TimeoutError' ? 'timeout' : networkError(err);
      }
    }
    return error;
  }
}

/** The cause of a fetch failure, without the URL. */
function networkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? (err as Error).name ?? 'network error';
}
