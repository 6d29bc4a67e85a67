/**
 * The store's tables, in a schema of their own (`basis` by default) so they never collide with other
 * tables in a shared database. Created idempotently under an advisory lock; the schema version is kept
 * in `meta` and a store written by a newer version is refused rather than misread.
 */
import { StoreError, type SqlDriver } from './sql.js';

export const SCHEMA_VERSION = 1;

function statements(s: string): string[] {
  return [
    `create schema if not exists ${s}`,
    `create table if not exists ${s}.meta (key text primary key, value text not null)`,
    `create table if not exists ${s}.runs (
      id text primary key,
      created_at timestamptz not null,
      started_at timestamptz,
      finished_at timestamptz,
      status text not null check (status in ('queued', 'running', 'done', 'failed')),
      source text not null check (source in ('cli', 'api')),
      mode text not null,
      family text,
      share_class text,
      window_start timestamptz,
      window_end timestamptz,
      capital double precision not null,
      synthetic boolean,
      steps integer,
      request json not null,
      config json,
      dataset json,
      code_version json not null,
      timings json,
      summary json,
      error text
    )`,
    `create index if not exists runs_created_idx on ${s}.runs (created_at desc, id desc)`,
    `create index if not exists runs_mode_idx on ${s}.runs (mode, created_at desc)`,
    `create table if not exists ${s}.series (
      run_id text not null references ${s}.runs (id) on delete cascade,
      name text not null,
      position integer not null,
      grp text not null,
      agg text not null,
      unit text not null,
      encoding text not null,
      data bytea not null,
      primary key (run_id, name)
    )`,
    `create table if not exists ${s}.events (
      run_id text not null references ${s}.runs (id) on delete cascade,
      seq integer not null,
      t timestamptz not null,
      type text not null,
      venue text,
      data json not null,
      primary key (run_id, seq)
    )`,
    `create index if not exists events_type_idx on ${s}.events (run_id, type, seq)`,
    `create index if not exists events_t_idx on ${s}.events (run_id, t, seq)`,
  ];
}

export async function migrate(db: SqlDriver, schema: string): Promise<void> {
  // The common case, an up-to-date store: one read instead of the DDL
  try {
    const rows = await db.query<{ value: string }>(
      `select value from ${schema}.meta where key = 'schema_version'`,
    );
    if (rows.length === 1 && Number(rows[0].value) === SCHEMA_VERSION) return;
  } catch {
    // no meta table yet: create everything below
  }
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`basis-store:${schema}`]);
    for (const stmt of statements(schema)) await tx.query(stmt);
    const rows = await tx.query<{ value: string }>(
      `select value from ${schema}.meta where key = 'schema_version'`,
    );
    if (rows.length === 0) {
      await tx.query(`insert into ${schema}.meta (key, value) values ('schema_version', $1)`, [
        String(SCHEMA_VERSION),
      ]);
    } else if (Number(rows[0].value) > SCHEMA_VERSION) {
      throw new StoreError(
        `results store ${db.location} (schema ${schema}) has version ${rows[0].value}, newer than this basis (${SCHEMA_VERSION}); upgrade basis`,
      );
    }
  });
}
