/**
 * The results store through a running `basis serve`: while the server holds the embedded store (one
 * process at a time may open it), CLI commands that need the store talk to its API instead — a backtest
 * computed here is saved with POST /api/backtests/import, `runs list|show|delete` and `report` read and
 * delete through the API. Found through `<store>.server.json` (src/results/store/server-info.ts).
 * Writes from both sides go through the server's one store, so nothing is lost.
 */
import { encodeF64, eventJson, toJson } from '../results/store/codec.js';
import { LOCAL_TOKEN_HEADER, type ServerInfo } from '../results/store/server-info.js';
import { StoreError } from '../results/store/sql.js';
import type {
  EventPage,
  ResultsStore,
  RunListItem,
  RunListQuery,
  RunRecord,
  RunRequest,
  RunResult,
  RunSource,
  RunTimings,
  SeriesColumnInfo,
  StoredEvent,
  StoredSeries,
} from '../results/store/types.js';

export class RemoteStore implements ResultsStore {
  readonly kind = 'embedded' as const;
  readonly location: string;

  constructor(readonly info: ServerInfo) {
    this.location = `${info.store} (through the running \`basis serve\` at ${info.url}, pid ${info.pid})`;
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.info.url}${path}`, {
        ...init,
        headers: { [LOCAL_TOKEN_HEADER]: this.info.token, ...(init.headers as Record<string, string>) },
      });
    } catch (err) {
      throw new StoreError(
        `the server holding the embedded store ${this.info.store} (${this.info.url}) did not answer: ${(err as Error).message}`,
      );
    }
    return res;
  }

  private async json<T>(path: string, init: RequestInit = {}, missing?: T): Promise<T> {
    const res = await this.call(path, init);
    if (res.status === 404 && missing !== undefined) return missing;
    const text = await res.text();
    if (!res.ok) {
      let error = text.slice(0, 300);
      try {
        error = (JSON.parse(text) as { error?: string }).error ?? error;
      } catch {
        // not JSON
      }
      throw new StoreError(`the server at ${this.info.url} answered ${res.status}: ${error}`);
    }
    return JSON.parse(text) as T;
  }

  async saveRun(
    source: RunSource,
    request: RunRequest,
    result: RunResult,
    timings: RunTimings,
    failed?: string,
  ): Promise<string> {
    if (source !== 'cli') throw new StoreError('only CLI runs are saved through the server');
    const b64 = (a: Float64Array) => encodeF64(a).toString('base64');
    // the summary's non-finite numbers as the store keeps them ("NaN"), events' as null
    const rest = toJson({
      request,
      summary: result.summary,
      timestamps: b64(result.timestampsMs),
      columns: result.columns.map((c) => ({
        name: c.name,
        group: c.group,
        agg: c.agg,
        unit: c.unit,
        values: b64(c.values),
      })),
      timings: { runtime_ms: timings.runtime_ms, load_ms: timings.load_ms, loop_ms: timings.loop_ms },
      ...(failed === undefined ? {} : { failed }),
    });
    const body = `${rest.slice(0, -1)},"events":${eventJson(result.events)}}`;
    const r = await this.json<{ id: string }>('/api/backtests/import', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return r.id;
  }

  async getRun(id: string): Promise<RunRecord | null> {
    return this.json<RunRecord | null>(`/api/backtests/${encodeURIComponent(id)}`, {}, null);
  }

  async matchIds(prefix: string, limit = 10): Promise<{ total: number; ids: string[] }> {
    if (!/^[0-9a-f-]{4,22}$/.test(prefix)) return { total: 0, ids: [] };
    const r = await this.json<{ total: number; ids: string[] }>(`/api/run-ids?prefix=${prefix}`);
    return { total: r.total, ids: r.ids.slice(0, limit) };
  }

  async resolveId(idOrPrefix: string): Promise<string | null> {
    const m = await this.matchIds(idOrPrefix, 2);
    return m.total === 1 ? m.ids[0] : null;
  }

  async listRuns(q: RunListQuery = {}): Promise<{ total: number; runs: RunListItem[] }> {
    const p = new URLSearchParams();
    if (q.mode !== undefined) p.set('mode', q.mode);
    if (q.status !== undefined) p.set('status', q.status);
    if (q.offset !== undefined) p.set('offset', String(q.offset));
    if (q.limit !== undefined) p.set('limit', String(q.limit));
    return this.json(`/api/backtests?${p.toString()}`);
  }

  async deleteRun(id: string): Promise<boolean> {
    const res = await this.call(`/api/backtests/${encodeURIComponent(id)}`, { method: 'DELETE' });
    if (res.status === 404) return false;
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      throw new StoreError(`the server at ${this.info.url} answered ${res.status}: ${body.error ?? ''}`);
    }
    return true;
  }

  /** The run's HTML report, rendered by the server. */
  async reportHtml(id: string): Promise<string> {
    const res = await this.call(`/api/backtests/${encodeURIComponent(id)}/report`);
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      throw new StoreError(`the server at ${this.info.url} answered ${res.status}: ${body.error ?? ''}`);
    }
    return res.text();
  }

  async close(): Promise<void> {
    // nothing held here
  }

  private unavailable(what: string): never {
    throw new StoreError(
      `${what} is not available while \`basis serve\` (pid ${this.info.pid}) holds the embedded store; use its API at ${this.info.url}/api`,
    );
  }

  createRun(): Promise<string> {
    return this.unavailable('creating a queued run');
  }
  markRunning(): Promise<void> {
    return this.unavailable('marking a run running');
  }
  completeRun(): Promise<void> {
    return this.unavailable('completing a queued run');
  }
  failRun(): Promise<void> {
    return this.unavailable('failing a queued run');
  }
  failInterrupted(): Promise<number> {
    return this.unavailable('marking interrupted runs');
  }
  seriesInfo(): Promise<SeriesColumnInfo[]> {
    return this.unavailable('reading series');
  }
  getSeries(): Promise<StoredSeries | null> {
    return this.unavailable('reading series');
  }
  getEvents(): Promise<EventPage> {
    return this.unavailable('reading events');
  }
  allEvents(): Promise<StoredEvent[]> {
    return this.unavailable('reading events');
  }
  eventTypes(): Promise<Record<string, number>> {
    return this.unavailable('reading events');
  }
}
