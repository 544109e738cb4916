/**
 * Database copies left by a killed run (`--jobs N` on a URL server): every copy carries its owner in a
 * COMMENT ON DATABASE (see copies.ts); copies whose owner ran on this host and is no longer running are
 * dropped. Copies made from another host are never touched: whether their run still goes cannot be told.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import pg from 'pg';
import { COPY_MARK } from './copies.ts';
import { describeOwner, ownerRunning, parseOwner, type Owner } from './run-owner.ts';
import { APPLICATION_NAME } from './text-driver.ts';
import { plural } from '../wording.ts';
import { quoteIdent } from '../sql/quote.ts';

const FIND_COPIES = `select datname, shobj_description(oid, 'pg_database') as note from pg_database where shobj_description(oid, 'pg_database') like $1`;

const ownerOf = (note: string): Owner | undefined => {
  try {
    return parseOwner(JSON.parse(note.slice(COPY_MARK.length)));
  } catch {
    return undefined;
  }
};

/** Drops the dead runs' copies on the server behind `url`; one line per dead run. Errors are reported, never thrown. */
export const removeLeftoverCopies = async (url: string): Promise<string[]> => {
  const client = new pg.Client({ connectionString: url, application_name: APPLICATION_NAME, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  const byRun = new Map<string, { owner: Owner; names: string[]; failed: string[] }>();
  const notices: string[] = [];
  try {
    await client.connect();
    const found = await client.query<{ datname: string; note: string }>(FIND_COPIES, [`${COPY_MARK}%`]);
    for (const { datname, note } of found.rows) {
      const owner = ownerOf(note);
      if (owner === undefined || ownerRunning(owner)) continue;
      const entry = byRun.get(owner.run) ?? { owner, names: [], failed: [] };
      byRun.set(owner.run, entry);
      try {
        await client.query(`drop database if exists ${quoteIdent(datname)} with (force)`);
        entry.names.push(datname);
      } catch (error) {
        entry.failed.push(`${datname} (${(error as Error).message})`);
      }
    }
    notices.push(...(await endDeadSessions(client)));
  } catch {
    // Finding leftovers is a courtesy: the run's own connection reports an unreachable server.
    return [];
  } finally {
    await client.end().catch(() => undefined);
  }
  return [
    ...notices,
    ...[...byRun.values()].map(({ owner, names, failed }) =>
      [
        names.length > 0 ? `dropped ${names.length} database cop${names.length === 1 ? 'y' : 'ies'} left by ${describeOwner(owner)}: ${names.join(', ')}` : '',
        failed.length > 0 ? `could not drop copies left by ${describeOwner(owner)}: ${failed.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    ),
  ];
};

/**
 * Drops those of `names` that exist on the server behind `url` (databases a dead run's record names, see
 * run-registry.ts); the names carry that run's random tag, so none is anyone else's.
 */
export const dropNamedDatabases = async (url: string, names: readonly string[]): Promise<{ dropped: string[] } | { problem: string }> => {
  const client = new pg.Client({ connectionString: url, application_name: APPLICATION_NAME, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const found = await client.query<{ datname: string }>('select datname from pg_database where datname = any($1::text[])', [names]);
    const dropped: string[] = [];
    for (const { datname } of found.rows) {
      await client.query(`drop database if exists ${quoteIdent(datname)} with (force)`);
      dropped.push(datname);
    }
    return { dropped };
  } catch (error) {
    return { problem: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * Sessions of a killed run on this host: a backend busy with a long statement (pg_sleep) does not notice
 * that its client died until the statement ends. Named by application name (`dbspec/<pid>@<host>`).
 */
const endDeadSessions = async (client: pg.Client): Promise<string[]> => {
  const host = hostname().slice(0, 40);
  const found = await client.query<{ pid: number; application_name: string }>(
    'select pid, application_name from pg_stat_activity where application_name like $1 and pid <> pg_backend_pid()',
    [`dbspec/%@${host}%`],
  );
  const dead = found.rows.filter((row) => {
    const owner = Number(/^dbspec\/(\d+)@/.exec(row.application_name)?.[1]);
    return Number.isInteger(owner) && owner !== process.pid && !existsSync(`/proc/${owner}`);
  });
  for (const row of dead) await client.query('select pg_terminate_backend($1)', [row.pid]).catch(() => undefined);
  const owners = [...new Set(dead.map((row) => /^dbspec\/(\d+)@/.exec(row.application_name)?.[1]))];
  return dead.length === 0 ? [] : [`ended ${plural(dead.length, 'session')} left by killed runs (pid ${owners.join(', ')})`];
};
