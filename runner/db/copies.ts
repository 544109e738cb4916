/**
 * Per-worker copies of a database, so that specs running in parallel never see each other's rows and each
 * spec's isolation check stays exact. A copy is `CREATE DATABASE ... TEMPLATE` of the migrated database:
 * cheap, and identical to it. Names carry a random tag, so two runs on one server never collide.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { currentOwner } from './run-owner.ts';
import { APPLICATION_NAME } from './text-driver.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';

/** A copy's COMMENT ON DATABASE starts so, followed by its owner as JSON: a later run finds copies a killed run left. */
export const COPY_MARK = 'dbspec copy ';

/** PostgreSQL truncates identifiers to 63 bytes; a copy's name must stay distinct after that. */
const MAX_IDENTIFIER_BYTES = 63;

/** The database a postgres:// URL names, or undefined for another form (then no copy can be addressed). */
export const databaseOf = (url: string): string | undefined => {
  try {
    const parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) return undefined;
    const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    return name === '' ? undefined : name;
  } catch {
    return undefined;
  }
};

/** The same URL pointing at another database on the same server. */
export const urlWithDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
};

/** `<base>_w<worker>_<tag>`, the base shortened so the whole name fits in an identifier. */
export const copyName = (base: string, worker: number, tag: string): string => {
  const suffix = `_w${worker}_${tag}`;
  let short = base;
  while (Buffer.byteLength(short + suffix) > MAX_IDENTIFIER_BYTES) short = short.slice(0, -1);
  return short + suffix;
};

/**
 * Runs admin statements on a connection to the template itself: a template may not have other sessions
 * while it is copied, but the copying session does not count. The caller has closed its own pool first.
 */
const onTemplate = async (templateUrl: string, statements: readonly string[]): Promise<void> => {
  const client = new pg.Client({ connectionString: templateUrl, application_name: APPLICATION_NAME });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * Marks a database this run made with its owner, for any later run on the server (whatever its temp folder)
 * to find should this one be killed. A kill before the mark leaves the name in the run's record instead
 * (run-registry.ts: recorded before CREATE DATABASE).
 */
export const markDatabase = async (client: pg.Client, name: string): Promise<void> => {
  await client.query(`comment on database ${quoteIdent(name)} is ${quoteLiteral(COPY_MARK + JSON.stringify(currentOwner()))}`);
};

/** Creates `names` as copies of the database at templateUrl; on failure drops any it made and rethrows. */
export const createCopies = async (templateUrl: string, names: readonly string[]): Promise<void> => {
  const template = databaseOf(templateUrl) as string;
  const made: string[] = [];
  const client = new pg.Client({ connectionString: templateUrl, application_name: APPLICATION_NAME });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const name of names) {
      await client.query(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`);
      made.push(name);
      await markDatabase(client, name);
    }
  } catch (error) {
    for (const name of made) await client.query(`drop database if exists ${quoteIdent(name)} with (force)`).catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** Drops the copies (their pools are closed); from the template's server, which always outlives them. */
export const dropCopies = (templateUrl: string, names: readonly string[]): Promise<void> => dropDatabasesVia(templateUrl, names);

/**
 * Creates `name`, empty or as a copy of `template`, through a connection to adminUrl (a database other than
 * the template: PostgreSQL refuses to copy a database someone is connected to, and copies of one template
 * may then be made side by side).
 */
export const createDatabaseVia = async (adminUrl: string, name: string, template?: string): Promise<void> => {
  const client = new pg.Client({ connectionString: adminUrl, application_name: APPLICATION_NAME });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`create database ${quoteIdent(name)}${template === undefined ? '' : ` template ${quoteIdent(template)}`}`);
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** Drops databases (their pools are closed) through a connection to adminUrl. */
export const dropDatabasesVia = (adminUrl: string, names: readonly string[]): Promise<void> =>
  names.length === 0
    ? Promise.resolve()
    : onTemplate(
        adminUrl,
        names.map((name) => `drop database if exists ${quoteIdent(name)} with (force)`),
      );

/** Every database's copies for workers 2..N, each name recorded in the run's record before its CREATE DATABASE. */
export type Copy = { readonly name: string; readonly templateUrl: string; readonly copies: readonly string[] };

/** Where the names of a database's copies are recorded (run-registry.ts). */
type CopyRecord = { creating(names: readonly string[]): unknown; dropped(names: readonly string[]): unknown };

type CopySource = { readonly name: string; readonly url: string; readonly record: CopyRecord };

/** Why a database could not be copied. */
type Refused = { readonly refused: string };
const isRefused = (outcome: Copy | Refused): outcome is Refused => 'refused' in outcome;

/**
 * Copies every database for workers 2..N, recording what it made in `copied`. All or nothing: when one
 * database cannot be copied (no CREATEDB, someone else connected to it, a URL in another form) the copies
 * made so far are dropped and the reason returned. The databases are copied side by side (each copy of a
 * template takes 0.1 to 0.3 s); the copies of one template one after another, as PostgreSQL requires.
 */
export const copyForWorkers = async (
  databases: readonly CopySource[],
  workers: number,
  copied: Copy[],
  drop: (copy: Copy) => Promise<void>,
): Promise<string | undefined> => {
  const tag = randomBytes(3).toString('hex');
  const copyOne = async ({ name, url, record }: CopySource): Promise<Copy | Refused> => {
    const base = databaseOf(url);
    if (base === undefined) return { refused: `the URL of \`${name}\` is not a postgres:// URL naming its database` };
    const copies = Array.from({ length: workers - 1 }, (_, i) => copyName(base, i + 2, tag));
    // Recorded first: a kill between CREATE DATABASE and its mark leaves a copy only the record names.
    record.creating(copies);
    try {
      await createCopies(url, copies);
    } catch (error) {
      // createCopies dropped what it made.
      record.dropped(copies);
      return { refused: `cannot copy \`${name}\` for the workers: ${(error as Error).message}` };
    }
    return { name, templateUrl: url, copies };
  };
  const outcomes = await Promise.all(databases.map(copyOne));
  for (const outcome of outcomes) if (!isRefused(outcome)) copied.push(outcome);
  const refused = outcomes.find(isRefused);
  if (refused === undefined) return undefined;
  await Promise.allSettled(copied.map(drop));
  copied.length = 0;
  return refused.refused;
};
