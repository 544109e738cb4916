/**
 * Migrations of the system under test: `<dir>/NNN_name.sql`, applied in numeric order, each file in its own
 * transaction, statements split by PostgreSQL's parser. Applied names are recorded in dbspec.migrations with
 * each file's checksum (as Flyway and sqitch do), so a long-lived database only gets the new ones and a file
 * changed after it ran is caught rather than silently skipped.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DbspecError, type Diagnostic, type SourceLocation } from '../diagnostics.ts';
import { ensureParser, splitStatements } from '../sql/split.ts';
import type { Database, Session } from './database.ts';
import { toDbError } from './db-error.ts';
import { plural } from '../wording.ts';
import type { ProblemCode } from '../error-codes.ts';

export type MigrationFile = {
  readonly name: string;
  readonly path: string;
  readonly number: number;
  /** As shown in messages: relative to the config's folder. */
  readonly file: string;
  readonly text: string;
  /** sha256 of the file's text, hex. */
  readonly checksum: string;
};

/** Where the migrations are and how to show them. `configuredAt`: the config's `migrations:` value, when written there. */
export type MigrationSource = { readonly dir: string; readonly displayRoot: string; readonly configuredAt?: SourceLocation };

const MIGRATION_NAME = /^(\d+)_.+\.sql$/;

const configError = (code: ProblemCode, message: string, location?: SourceLocation, hint?: string): Diagnostic => ({
  kind: 'config',
  code,
  message,
  ...(location ? { location } : {}),
  ...(hint ? { hint } : {}),
});

const atStart = (file: string): SourceLocation => ({ file, line: 1, column: 1 });

const migrationNames = async (source: MigrationSource): Promise<string[]> => {
  try {
    return (await readdir(source.dir)).filter((name) => name.endsWith('.sql'));
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    // A folder the config names must be there; the default one (specs/db/<name>) may well not be.
    if (!source.configuredAt) return [];
    const shown = relative(source.displayRoot, source.dir) || '.';
    throw new DbspecError(configError('DBSPEC_MIGRATIONS_MISSING', `the migrations folder ${shown} does not exist`, source.configuredAt));
  }
};

/** Two files with one order number: which runs first would depend on their names, not on the numbers. */
const duplicateNumbers = (files: readonly MigrationFile[]): Diagnostic[] =>
  files.flatMap((file, i) => {
    const first = files.findIndex((other) => other.number === file.number);
    if (first === i) return [];
    return [
      configError(
        'DBSPEC_MIGRATION_DUPLICATE',
        `migrations ${files[first]!.file} and ${file.file} have the same order number ${file.number}`,
        atStart(file.file),
        'give each migration its own number; the order they run in must not depend on their names',
      ),
    ];
  });

/** The folder's .sql files in numeric order with their text and checksum; none when a defaulted folder is absent. */
export const listMigrations = async (source: MigrationSource): Promise<MigrationFile[]> => {
  const names = await migrationNames(source);
  const shown = (name: string): string => relative(source.displayRoot, join(source.dir, name));
  const misnamed = names.filter((name) => !MIGRATION_NAME.test(name));
  if (misnamed.length > 0) {
    throw new DbspecError(
      misnamed.map((name) =>
        configError('DBSPEC_MIGRATION_NAME', `migration ${shown(name)} is not named NNN_name.sql, so its order is unknown`, atStart(shown(name))),
      ),
    );
  }
  const files = await Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(source.dir, name), 'utf8');
      const checksum = createHash('sha256').update(text).digest('hex');
      return { name, path: join(source.dir, name), number: Number(MIGRATION_NAME.exec(name)?.[1]), file: shown(name), text, checksum };
    }),
  );
  files.sort((a, b) => a.number - b.number || a.name.localeCompare(b.name));
  const duplicates = duplicateNumbers(files);
  if (duplicates.length > 0) throw new DbspecError(duplicates);
  return files;
};

const lineAndColumn = (text: string, offset: number): { line: number; column: number } => {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
};

const failure = (file: string, text: string, offset: number, message: string, database: string): Diagnostic => {
  const { line, column } = lineAndColumn(text, offset);
  return configError('DBSPEC_MIGRATION_FAILED', `migration ${file}:${line} failed on database \`${database}\`: ${message}`, { file, line, column });
};

/** Runs one file's statements in one transaction; a failure names file:line and rolls the file back. */
const applyFile = async (session: Session, migration: MigrationFile, database: string): Promise<void> => {
  const { file, text } = migration;
  const split = splitStatements(text);
  if (!split.ok) throw new DbspecError(failure(file, text, split.offset, split.message, database));
  await session.query('begin');
  try {
    for (const statement of split.statements) {
      try {
        await session.query(statement.text);
      } catch (error) {
        const position = Number((error as { position?: unknown }).position);
        const offset = statement.offset + (Number.isInteger(position) && position > 0 ? position - 1 : 0);
        throw new DbspecError(failure(file, text, offset, toDbError(error).message, database));
      }
    }
    await session.query('insert into dbspec.migrations (name, applied_at, checksum) values ($1, now(), $2)', [migration.name, migration.checksum]);
    await session.query('commit');
  } catch (error) {
    await session.query('rollback').catch(() => undefined);
    throw error;
  }
};

/**
 * The apply loop: `pending` in order, stopping after the file named `upTo` when given. Returns the names
 * applied. (Callers have checked the already-applied ones; see `pendingMigrations`.)
 */
export const applyInOrder = async (session: Session, pending: readonly MigrationFile[], database: string, upTo?: string): Promise<string[]> => {
  const applied: string[] = [];
  for (const migration of pending) {
    await applyFile(session, migration, database);
    applied.push(migration.name);
    if (migration.name === upTo) break;
  }
  return applied;
};

type Applied = ReadonlyMap<string, { readonly checksum: string | null; readonly appliedAt: string }>;

/** What dbspec.migrations records; empty when the table does not exist (nothing applied by dbspec yet). */
const appliedMigrations = async (session: Session): Promise<Applied> => {
  const exists = (await session.query("select to_regclass('dbspec.migrations') is not null")).rows[0]?.[0];
  if (exists !== true && exists !== 't') return new Map();
  const hasChecksum = (
    await session.query("select count(*) from pg_attribute where attrelid = 'dbspec.migrations'::regclass and attname = 'checksum' and not attisdropped")
  ).rows[0]?.[0];
  const rows = (await session.query(`select name, ${Number(hasChecksum) > 0 ? 'checksum' : 'null'}, applied_at::text from dbspec.migrations`)).rows;
  return new Map(rows.map((row) => [String(row[0]), { checksum: row[1] === null ? null : String(row[1]), appliedAt: String(row[2]) }]));
};

/**
 * The files not yet applied, after checking that every applied one is unchanged (a checksum recorded by a
 * dbspec before checksums existed is taken as it is).
 */
const pendingMigrations = (files: readonly MigrationFile[], applied: Applied, database: string): MigrationFile[] => {
  const changed = files.filter((file) => {
    const recorded = applied.get(file.name)?.checksum;
    return recorded !== undefined && recorded !== null && recorded !== file.checksum;
  });
  if (changed.length > 0) {
    throw new DbspecError(
      changed.map((file) =>
        configError(
          'DBSPEC_MIGRATION_CHANGED',
          `migration ${file.file} has changed since it was applied to database \`${database}\` (${applied.get(file.name)!.appliedAt.slice(0, 19)})`,
          atStart(file.file),
          'an applied migration must stay as it ran: put the change in a new migration, or recreate the database',
        ),
      ),
    );
  }
  return files.filter((file) => !applied.has(file.name));
};

/** `upTo` (a file name, with or without .sql) must name one of the migrations: an upgrade step's release N. */
const checkUpTo = (files: readonly MigrationFile[], upTo: string, source: MigrationSource): string => {
  const found = files.find((m) => m.name === upTo || m.name === `${upTo}.sql`);
  if (!found) {
    throw new DbspecError({
      kind: 'config',
      code: 'DBSPEC_UNKNOWN_MIGRATION',
      message: `there is no migration \`${upTo}\` in ${relative(source.displayRoot, source.dir) || '.'}; there are: ${files.map((m) => m.name.replace(/\.sql$/, '')).join(', ') || 'none'}`,
    });
  }
  return found.name;
};

/** Arbitrary constant key: two dbspec runs migrating one database take turns. */
const MIGRATION_LOCK = 7_265_431_001;

/**
 * Applies the migrations not yet recorded in dbspec.migrations; returns the names applied. With `upTo`, only
 * those up to and including that one (an upgrade step's release N).
 */
export const applyMigrations = async (database: Database, source: MigrationSource, upToName?: string): Promise<string[]> => {
  const files = await listMigrations(source);
  const upTo = upToName === undefined ? undefined : checkUpTo(files, upToName, source);
  return applyMigrationFiles(database, files, upTo);
};

/** A migration's content, read already (or changed: `dbspec prove` applies mutated ones); `file` is for messages. */
export type MigrationText = Pick<MigrationFile, 'name' | 'file' | 'text'>;

/** The folder's migrations in order, read; `file` relative to displayRoot. */
export const readMigrations = (dir: string, displayRoot: string): Promise<MigrationText[]> => listMigrations({ dir, displayRoot });

/** Applies those of `migrations` not yet recorded in dbspec.migrations, in the order given; returns their names. */
export const applyMigrationTexts = (database: Database, migrations: readonly MigrationText[]): Promise<string[]> =>
  applyMigrationFiles(
    database,
    migrations.map((m, i) => ({ ...m, path: m.file, number: i + 1, checksum: createHash('sha256').update(m.text).digest('hex') })),
  );

const applyMigrationFiles = async (database: Database, files: readonly MigrationFile[], upTo?: string): Promise<string[]> => {
  if (files.length === 0) return [];
  await ensureParser();
  return database.withSession(async (session) => {
    await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await session.query('create schema if not exists dbspec');
      await session.query('create table if not exists dbspec.migrations (name text primary key, applied_at timestamptz not null)');
      await session.query('alter table dbspec.migrations add column if not exists checksum text');
      const applied = await appliedMigrations(session);
      // Recorded before checksums were: adopt the file as it is now.
      for (const file of files)
        if (applied.get(file.name)?.checksum === null)
          await session.query('update dbspec.migrations set checksum = $2 where name = $1', [file.name, file.checksum]);
      return applyInOrder(session, pendingMigrations(files, applied, database.name), database.name, upTo);
    } finally {
      await session.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  });
};

/**
 * For a database dbspec does not migrate (a URL without --migrate): nothing is written, but a run on a
 * schema that lacks migrations would fail step after step with `relation "x" does not exist`, so pending
 * migrations (or a changed applied one) stop it first, in one line.
 */
export const checkMigrated = async (database: Database, source: MigrationSource, urlEnv: string): Promise<void> => {
  const files = await listMigrations(source);
  if (files.length === 0) return;
  const pending = await database.withSession(async (session) => pendingMigrations(files, await appliedMigrations(session), database.name));
  if (pending.length === 0) return;
  const shown = relative(source.displayRoot, source.dir) || '.';
  throw new DbspecError(
    configError(
      'DBSPEC_MIGRATIONS_PENDING',
      `database \`${database.name}\` (${urlEnv}) has ${plural(pending.length, 'pending migration')} from ${shown} (first: ${pending[0]!.name}); run with --migrate to apply them`,
      source.configuredAt,
    ),
  );
};

/** The migration files of `dir` in order with their SHA-256, so a results file says which schema it ran on. */
export const migrationChecksums = async (dir: string, displayRoot: string): Promise<{ name: string; sha256: string }[]> =>
  (await listMigrations({ dir, displayRoot })).map((m) => ({ name: m.name, sha256: m.checksum }));
