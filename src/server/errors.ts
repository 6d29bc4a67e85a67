/**
 * The one place where errors become HTTP status codes. Domain errors (BasisError kinds) and request
 * problems answer 4xx with a one-line `error`; only a fault of our own is a 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BasisError } from '../domain/errors.js';
import type { Redactor } from './redact.js';
import { RequestValidationError } from './validation.js';

/** Status per BasisError kind. `store` is ours but not the caller's fault: 503. */
export const KIND_STATUS: Record<string, number> = {
  input: 400,
  config: 400,
  data: 422,
  venue: 422,
  execution: 422,
  store: 503,
};

/** An HTTP answer chosen by a route: 404 for a missing run, 409 for a run not done, 429 queue full. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: string;
  /** Machine-readable kind: validation, input, config, data, not_found, … */
  kind: string;
  issues?: { path: string; problem: string }[];
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

export function statusAndBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof RequestValidationError) {
    return { status: 400, body: { error: err.message, kind: 'validation', issues: err.issues } };
  }
  if (err instanceof HttpError) {
    const kind = err.statusCode === 404 ? 'not_found' : err.statusCode === 401 ? 'unauthorized' : 'request';
    return { status: err.statusCode, body: { error: firstLine(err.message), kind } };
  }
  if (err instanceof BasisError) {
    const issues = (err as { issues?: { file: string; path: string; problem: string }[] }).issues;
    return {
      status: KIND_STATUS[err.kind] ?? 422,
      body: {
        error: firstLine(err.message),
        kind: err.kind,
        ...(Array.isArray(issues) && issues.length > 1
          ? {
              issues: issues.map((i) => ({
                path: `${i.file}${i.path ? `: ${i.path}` : ''}`,
                problem: i.problem,
              })),
            }
          : {}),
      },
    };
  }
  const fe = err as FastifyError;
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: firstLine(fe.message), kind: 'request' } };
  }
  return { status: 500, body: { error: 'internal error (see the server log)', kind: 'internal' } };
}

/** The body with server paths taken out of every message (src/server/redact.ts). */
export function redactBody(body: ErrorBody, redact: Redactor): ErrorBody {
  return {
    ...body,
    error: redact(body.error),
    ...(body.issues
      ? { issues: body.issues.map((i) => ({ path: redact(i.path), problem: redact(i.problem) })) }
      : {}),
  };
}

export function installErrorHandlers(app: FastifyInstance, redact: Redactor = (s) => s): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body: raw } = statusAndBody(err);
    const body = redactBody(raw, redact);
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(
        `basis serve: internal error on ${req.method} ${req.url.split('?')[0]}: ${detail}\n`,
      );
    }
    void reply.code(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const shown = path.length > 100 ? `${path.slice(0, 100)}...` : path;
    void reply
      .code(404)
      .send({ error: `no such endpoint: ${req.method} ${shown} (see /openapi.json)`, kind: 'not_found' });
  });
}
