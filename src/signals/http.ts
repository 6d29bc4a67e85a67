/**
 * The `http` source: an inference endpoint asked for the predictions of a window, in batches.
 *
 * Request: `POST <url>` with `Content-Type: application/json`, `Authorization: Bearer <token>` (the token
 * is read from the environment variable named by `token_env`, never from config, and never printed) and
 * the body `{"symbol":"BTCUSDT","interval":"5m","start":"2024-01-01T00:00:00Z","end":"2024-01-18T08:35:00Z"}`
 * (bar opens, both inclusive). Response 200: `{"predictions":[{"timestamp":"2024-01-01T00:00:00Z",
 * "signal":"long","confidence":0.71,"sd":0.0042}, ...]}` (timestamp ISO or unix seconds), validated like a
 * predictions file. Each request times out after `timeout_ms`; timeouts, network errors, 429 and 5xx are
 * retried `retries` times with exponential backoff (250 ms × 2^attempt, at most 5 s, or the Retry-After
 * header when shorter than 30 s); any other status fails at once. Every failure is one line naming the
 * endpoint (origin and path only) and the cause.
 */
import { z } from 'zod';
import { DataError } from '../domain/errors.js';
import { formatDuration } from '../domain/duration.js';
import { formatIsoSecondUtc, parseTimestampMs } from '../data/timestamps.js';
import type { PredictionSet, SignalReport, SignalRequest, SignalSource } from './types.js';
import { PredictionBuilder } from './validate.js';

export interface HttpSourceOptions {
  url: string;
  /** The bearer token (already read from the environment), or null for none. */
  token: string | null;
  timeoutMs: number;
  retries: number;
  batchBars: number;
  /** Backoff base, ms (tests shorten it). Default 250. */
  backoffMs?: number;
  /** Refuse redirects (a server's sandboxed runs: the operator allowed this host, not where it points). */
  noRedirects?: boolean;
}

const ResponseSchema = z.object({
  predictions: z.array(
    z.looseObject({
      timestamp: z.union([z.string(), z.number()]),
      signal: z.string(),
      confidence: z.number(),
      sd: z.number(),
    }),
  ),
});

class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export class HttpSignalSource implements SignalSource {
  readonly name: string;
  private readonly shown: string;
  requests = 0;

  constructor(private readonly o: HttpSourceOptions) {
    const u = new URL(o.url);
    this.shown = `${u.origin}${u.pathname}`;
    this.name = `http ${this.shown}`;
  }

  async load(req: SignalRequest): Promise<{ predictions: PredictionSet; report: SignalReport }> {
    const t0 = performance.now();
    const b = new PredictionBuilder(this.shown);
    const retriesBefore = this.retriesUsed;
    let index = 0;
    for (let from = req.startMs; from <= req.endMs; from += this.o.batchBars * req.stepMs) {
      const to = Math.min(req.endMs, from + (this.o.batchBars - 1) * req.stepMs);
      const body = {
        symbol: req.symbol,
        interval: formatDuration(req.stepMs),
        start: formatIsoSecondUtc(from),
        end: formatIsoSecondUtc(to),
      };
      const json = await this.post(body);
      const parsed = ResponseSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DataError(
          `signals ${this.name}: unexpected response for ${body.start} .. ${body.end}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
        );
      }
      for (const p of parsed.data.predictions) {
        const text = String(p.timestamp);
        const ms =
          typeof p.timestamp === 'number'
            ? p.timestamp * (p.timestamp > 1e12 ? 1 : 1000)
            : parseTimestampMs(text);
        b.add(`signals ${this.name} predictions[${index}]`, ms, text, p.signal, p.confidence, p.sd);
        index++;
      }
    }
    return {
      predictions: b.build(this.name),
      report: {
        source: 'http',
        endpoint: this.shown,
        rows: b.length,
        requests: this.requests,
        retries: this.retriesUsed - retriesBefore,
        load_ms: Math.round((performance.now() - t0) * 10) / 10,
      },
    };
  }

  private retriesUsed = 0;

  /** One request with retries; returns the parsed JSON body. */
  private async post(body: Record<string, unknown>): Promise<unknown> {
    let last = '';
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt > 0) this.retriesUsed++;
      try {
        return await this.once(body);
      } catch (e) {
        if (!(e instanceof Retryable)) throw e;
        last = e.message;
        if (attempt === this.o.retries) break;
        const backoff = Math.min(5000, (this.o.backoffMs ?? 250) * 2 ** attempt);
        await sleep(e.retryAfterMs !== undefined ? Math.min(e.retryAfterMs, 30_000) : backoff);
      }
    }
    throw new DataError(`signals ${this.name}: failed after ${this.o.retries + 1} attempts: ${last}`);
  }

  private async once(body: Record<string, unknown>): Promise<unknown> {
    this.requests++;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.o.token !== null) headers.authorization = `Bearer ${this.o.token}`;
    let res: Response;
    try {
      res = await fetch(this.o.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: this.o.noRedirects ? 'manual' : 'follow',
      });
    } catch (e) {
      const err = e as Error;
      if (err.name === 'TimeoutError' || err.name === 'AbortError')
        throw new Retryable(`timed out after ${this.o.timeoutMs} ms`);
      const cause = (err.cause as { code?: string } | undefined)?.code;
      throw new Retryable(`network error (${cause ?? err.message})`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      const err = e as Error;
      throw new Retryable(
        err.name === 'TimeoutError'
          ? `timed out after ${this.o.timeoutMs} ms`
          : `network error (${err.message})`,
      );
    }
    if (this.o.noRedirects && res.status >= 300 && res.status < 400)
      throw new DataError(`signals ${this.name}: HTTP ${res.status}: redirects are not followed`);
    if (res.status === 429 || res.status >= 500) {
      const after = Number(res.headers.get('retry-after'));
      throw new Retryable(
        `HTTP ${res.status} ${res.statusText}`,
        Number.isFinite(after) && after >= 0 ? after * 1000 : undefined,
      );
    }
    if (res.status !== 200)
      throw new DataError(`signals ${this.name}: HTTP ${res.status} ${res.statusText}${snippet(text)}`);
    try {
      return JSON.parse(text);
    } catch {
      throw new DataError(`signals ${this.name}: the response is not JSON${snippet(text)}`);
    }
  }
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t ? `: ${t.length > 200 ? `${t.slice(0, 200)}…` : t}` : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
