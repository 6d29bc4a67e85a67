/**
 * Request validation with zod: each route declares zod schemas for body, querystring and params; they
 * are converted to JSON Schema for the OpenAPI document and validated by zod itself (fastify's ajv is
 * not used), so the 400 answer names the exact field and what was wrong with it.
 */
import type { FastifySchema } from 'fastify';
import { z } from 'zod';

const zodOf = new WeakMap<object, z.ZodType>();

/** JSON Schema for the OpenAPI document, remembered as standing for `schema`. */
export function schemaOf(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete json.$schema;
  zodOf.set(json, schema);
  return json;
}

/** Output-only JSON Schema (responses), for the document. */
export function responseOf(schema: z.ZodType, description: string): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete json.$schema;
  return { description, ...json };
}

export class RequestValidationError extends Error {
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly issues: { path: string; problem: string }[],
  ) {
    super(message);
    this.name = 'RequestValidationError';
  }
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? typeof v;
  } catch {
    // too deep or circular: name the type only
    s = Array.isArray(v) ? 'an array' : typeof v;
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/** One line per issue: `body.capital: Too small: expected number to be >0 (received -5)`. */
export function formatIssues(
  part: string,
  error: z.ZodError,
  data: unknown,
): { path: string; problem: string }[] {
  const out: { path: string; problem: string }[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: [part, ...issue.path.map(String), key].join('.'), problem: 'unknown field' });
      }
      continue;
    }
    const path = [part, ...issue.path.map(String)].join('.');
    const received = valueAt(data, issue.path);
    const showReceived = issue.code !== 'invalid_type' || received !== undefined;
    out.push({
      path,
      problem: `${issue.message}${showReceived ? ` (received ${describeValue(received)})` : ''}`,
    });
  }
  return out;
}

/** Every problem of a request in one line (a missing field never hides the others): at most 6 named. */
export function issuesLine(issues: readonly { path: string; problem: string }[], most = 6): string {
  const shown = issues.slice(0, most).map((i) => `${i.path}: ${i.problem}`);
  if (issues.length > most) shown.push(`and ${issues.length - most} more (see issues)`);
  return shown.join('; ');
}

const PARTS: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

/** fastify validatorCompiler: looks up the zod schema behind the JSON Schema and validates with it. */
export function zodValidatorCompiler({ schema, httpPart }: { schema: object; httpPart?: string }) {
  const zs = zodOf.get(schema);
  const part = PARTS[httpPart ?? ''] ?? httpPart ?? 'request';
  return (data: unknown) => {
    if (!zs) return { value: data };
    const r = zs.safeParse(data);
    if (r.success) return { value: r.data };
    const issues = formatIssues(part, r.error, data);
    return { error: new RequestValidationError(issuesLine(issues), issues) };
  };
}

/** A route schema: zod parts converted, plus docs fields. */
export function routeSchema(parts: {
  body?: z.ZodType;
  querystring?: z.ZodType;
  params?: z.ZodType;
  summary: string;
  description?: string;
  tags?: string[];
  response?: Record<number, Record<string, unknown>>;
  /** The route changes state: documented as needing the bearer token when one is configured. */
  changesState?: boolean;
}): FastifySchema {
  const s: FastifySchema & Record<string, unknown> = {
    summary: parts.summary,
    tags: parts.tags ?? ['backtests'],
  };
  if (parts.description) s.description = parts.description;
  if (parts.changesState) {
    s.security = [{ bearer: [] }];
    s.description = `${parts.description ? `${parts.description} ` : ''}Needs the API token (Authorization: Bearer) when the server was started with one (required when bound beyond loopback).`;
  }
  if (parts.body) s.body = schemaOf(parts.body);
  if (parts.querystring) s.querystring = schemaOf(parts.querystring);
  if (parts.params) s.params = schemaOf(parts.params);
  if (parts.response) s.response = parts.response;
  return s;
}

// Query-string helpers: values arrive as strings (arrays when a key repeats)

/** An integer in [min, max] given as decimal text. */
export function qInt(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, `expected an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));
}

/** A comma-separated list (or a repeated key), trimmed, without empty entries. */
export function qList(maxItems: number, item: z.ZodString) {
  return z
    .union([z.string().max(4000), z.array(z.string().max(4000)).max(maxItems)])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).max(maxItems, `expected at most ${maxItems} entries`));
}

/** A repeated key kept as a list without splitting on commas (e.g. `set=a.b=1,2`). */
export function qRepeated(maxItems: number, item: z.ZodString) {
  return z
    .union([item, z.array(item).max(maxItems, `expected at most ${maxItems} entries`)])
    .transform((v) => (Array.isArray(v) ? v : [v]));
}
