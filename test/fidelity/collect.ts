/**
 * Runs one regression script on a server as psql would (autocommit, errors reported and passed over) and
 * records what a spec needs to reproduce it: every query's rows as PostgreSQL's text, and the statements
 * that changed state (tables, session settings) in between, in order. Statements that failed are left
 * out of the replay; queries whose answer depends on the moment (now(), random()) are not kept.
 */
import pg from 'pg';
import { type ScriptItem, applyMeta, hasPsqlVariable, substitute } from './psql-script.ts';

export type Column = { readonly name: string; readonly typeOid: number };

export type Query = {
  readonly line: number;
  /** SET/RESET statements in force, to run first. */
  readonly session: readonly string[];
  readonly sql: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly (string | null)[])[];
};

/** What a spec replays, in order: state changes (with the SETs among them) and queries. */
export type Event = { readonly kind: 'state'; readonly sql: readonly string[] } | ({ readonly kind: 'query' } & Query);

export type CollectOptions = { readonly maxRows: number; readonly env: Readonly<Record<string, string>> };

const VOLATILE =
  /\b(now|random|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|nextval|currval|setval|lastval|pg_backend_pid|txid_current\w*|pg_current_xact_id\w*|gen_random_uuid|pg_sleep\w*|current_timestamp|current_time|localtime|localtimestamp|pg_stat\w*|pg_postmaster_start_time|inet_client_\w+|version)\b|'now'|\bpg_typeof\s*\(\s*now/i;

/** Statements PostgreSQL refuses inside a transaction block, or that change nothing a query sees. */
const NOT_REPLAYED =
  /^\s*(vacuum|analyze|analyse|checkpoint|explain|discard|listen|notify|unlisten|load|reindex\s+\w+\s+concurrently|create\s+index\s+concurrently|drop\s+index\s+concurrently|cluster)\b/i;
const TRANSACTION =
  /^\s*(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction|commit\s+prepared|rollback\s+prepared)\b/i;
const SESSION =
  /^\s*((set|reset)\b(?!\s+(local|transaction|session\s+characteristics|constraints|role|session\s+authorization)\b)|prepare\b(?!\s+transaction)|deallocate\b)/i;
/** Roles belong to the whole server, shared with every other run: a script's roles are not replayed. */
const ROLES = /^\s*((create|alter|drop)\s+(role|user|group)|set\s+(role|session\s+authorization)|reset\s+(role|session\s+authorization))\b/i;

const RAW_PARAM = /\$\d/;
const withoutLiterals = (sql: string): string => sql.replace(/\$(\w*)\$[\s\S]*?\$\1\$|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, '');

const clientOf = async (url: string): Promise<pg.Client> => {
  // dbspec's own session defaults, so that RESET in a script means the same here as in the spec.
  const options = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres';
  const client = new pg.Client({ connectionString: url, options, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig });
  await client.connect();
  client.on('error', () => {});
  client.on('notice', () => {});
  return client;
};

type Ran = { readonly ok: true; readonly result: pg.QueryArrayResult } | { readonly ok: false };

const run = async (client: pg.Client, sql: string): Promise<Ran> => {
  try {
    const result = await client.query({ text: sql, rowMode: 'array' } as pg.QueryArrayConfig);
    return { ok: true, result: (Array.isArray(result) ? result[result.length - 1] : result) as pg.QueryArrayResult };
  } catch {
    return { ok: false };
  }
};

/** `CREATE TEMP TABLE` becomes a plain table: a spec's steps may run on different connections. */
const withoutTemp = (sql: string): string => sql.replace(/^(\s*create\s+(?:or\s+replace\s+)?)(?:local\s+|global\s+)?(temp|temporary)\s+/i, '$1');

/** Runs `items` on `url` (a database already holding test_setup's tables); returns what a spec replays. */
export const collect = async (url: string, items: readonly ScriptItem[], options: CollectOptions): Promise<Event[]> => {
  const client = await clientOf(url);
  const events: Event[] = [];
  const vars = new Map<string, string>();
  let session: string[] = [];
  // Each state change is its own step (psql runs each in its own transaction): with the settings in force then.
  const addState = (...sql: string[]): void => {
    for (const statement of sql) events.push({ kind: 'state', sql: [...session, statement] });
  };
  let block: string[] | undefined;
  let blockFailed = false;
  let savepoints = new Map<string, number>();
  try {
    for (const item of items) {
      if (item.kind === 'meta') {
        applyMeta(item.text, vars, options.env);
        continue;
      }
      const sql = withoutTemp(substitute(item.text, vars));
      // What dbspec refuses in a spec (psql variables, `${`, raw $1 parameters) is not run here either.
      if (hasPsqlVariable(sql) || sql.includes('${') || RAW_PARAM.test(withoutLiterals(sql)) || ROLES.test(sql)) continue;
      const ran = await run(client, sql);
      if (TRANSACTION.test(sql)) {
        const word = /^\s*(\w+)/.exec(sql)![1]!.toLowerCase();
        if (word === 'begin' || word === 'start') [block, blockFailed, savepoints] = [[], !ran.ok, new Map()];
        else if (block && (word === 'commit' || word === 'end')) {
          if (!blockFailed && block.length > 0) events.push({ kind: 'state', sql: [...session, ...block] });
          block = undefined;
        } else if (block && word === 'savepoint' && ran.ok) savepoints.set(/^\s*savepoint\s+(\w+)/i.exec(sql)?.[1]?.toLowerCase() ?? '', block.length);
        else if (block && (word === 'rollback' || word === 'abort') && /\bto\b/i.test(sql)) {
          // ROLLBACK TO a savepoint undoes what came after it, the error included.
          const at = savepoints.get(/(\w+)\s*$/.exec(sql)?.[1]?.toLowerCase() ?? '');
          if (ran.ok && at !== undefined) [block, blockFailed] = [block.slice(0, at), false];
        } else if (block && (word === 'rollback' || word === 'abort')) block = undefined;
        continue;
      }
      if (!ran.ok) {
        if (block) blockFailed = true;
        continue;
      }
      if (block) {
        if (!NOT_REPLAYED.test(sql)) block.push(sql);
        continue;
      }
      if (SESSION.test(sql)) {
        session = /^\s*reset\s+all\b/i.test(sql) ? [] : [...session, sql];
        continue;
      }
      const { result } = ran;
      const isQuery = result.fields.length > 0 && (result.command === 'SELECT' || result.command === 'SHOW' || result.command === null);
      if (!isQuery || /^\s*(insert|update|delete|merge|with\b[\s\S]*\b(insert|update|delete)\b)/i.test(sql)) {
        if (!NOT_REPLAYED.test(sql)) addState(sql);
        continue;
      }
      if (VOLATILE.test(sql) || result.rows.length > options.maxRows || /^\s*(explain|show)\b/i.test(sql)) continue;
      events.push({
        kind: 'query',
        line: item.line,
        session,
        sql,
        columns: result.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID })),
        rows: result.rows as (string | null)[][],
      });
    }
  } finally {
    await client.end();
  }
  return events;
};
