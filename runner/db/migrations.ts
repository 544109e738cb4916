/**
 * Migrations of the system under test: `<dir>/NNN_name.sql`, applied in numeric order, each file in its own
 * transaction, statements split by PostgreSQL's parser. Applied names are recorded in
 * dbspec.migrations so a long-lived database only gets the new ones.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DbspecError, type Diagnostic } from '../diagnostics.ts';
import { ensureParser, splitStatements } from '../sql/split.ts';
import type { Database, Session } from './database.ts';
import { toDbError } from './db-error.ts';

export type MigrationFile = { readonly name: string; readonly path: string; readonly number: number };

const MIGRATION_NAME = /^(\d+)_.+\.sql$/;

/** The dir's .sql files in numeric order; none when the dir does not exist. */
export const listMigrations = async (dir: string, displayRoot: string): Promise<MigrationFile[]> => {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.sql'));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
  const misnamed = names.filter((name) => !MIGRATION_NAME.test(name));
  if (misnamed.length > 0) {
    throw new DbspecError(
      misnamed.map((name) => ({
        kind: 'config',
        code: 'DBSPEC_MIGRATION_NAME',
        message: `migration ${relative(displayRoot, join(dir, name))} is not named NNN_name.sql, so its order is unknown`,
        location: { file: relative(displayRoot, join(dir, name)), line: 1, column: 1 },
      })),
    );
  }
  return names
    .map((name) => ({ name, path: join(dir, name), number: Number(MIGRATION_NAME.exec(name)?.[1]) }))
    .sort((a, b) => a.number - b.number || a.name.localeCompare(b.name));
};

const lineAndColumn = (text: string, offset: number): { line: number; column: number } => {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
};

const failure = (file: string, text: string, offset: number, message: string, database: string): Diagnostic => {
  const { line, column } = lineAndColumn(text, offset);
  return {
    kind: 'config',
    code: 'DBSPEC_MIGRATION_FAILED',
    message: `migration ${file}:${line} failed on database \`${database}\`: ${message}`,
    location: { file, line, column },
  };
};

/** Runs one file's statements in one transaction; a failure names file:line and rolls the file back. */
const applyFile = async (session: Session, migration: MigrationText, database: string): Promise<void> => {
  const { text, file } = migration;
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
    await session.query('insert into dbspec.migrations (name, applied_at) values ($1, now())', [migration.name]);
    await session.query('commit');
  } catch (error) {
    await session.query('rollback').catch(() => undefined);
    throw error;
  }
};

/** Arbitrary constant key: two dbspec runs migrating one database take turns. */
const MIGRATION_LOCK = 7_265_431_001;

/**
 * Applies the migrations of `dir` not yet recorded in dbspec.migrations; returns the names applied.
 * `displayRoot` makes file names in messages relative (the config's folder).
 */
export const applyMigrations = async (database: Database, dir: string, displayRoot: string): Promise<string[]> =>
  applyMigrationTexts(database, await readMigrations(dir, displayRoot));

/** The dir's migrations in order, read; `file` relative to displayRoot. */
export const readMigrations = async (dir: string, displayRoot: string): Promise<MigrationText[]> =>
  Promise.all(
    (await listMigrations(dir, displayRoot)).map(async (migration) => ({
      name: migration.name,
      file: relative(displayRoot, migration.path),
      text: await readFile(migration.path, 'utf8'),
    })),
  );

/** A migration's content, read already (or changed: `dbspec prove` applies mutated ones); `file` is for messages. */
export type MigrationText = { readonly name: string; readonly file: string; readonly text: string };

/** Applies those of `migrations` not yet recorded in dbspec.migrations, in the order given; returns their names. */
export const applyMigrationTexts = async (database: Database, migrations: readonly MigrationText[]): Promise<string[]> => {
  if (migrations.length === 0) return [];
  await ensureParser();
  return database.withSession(async (session) => {
    await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await session.query('create schema if not exists dbspec');
      await session.query('create table if not exists dbspec.migrations (name text primary key, applied_at timestamptz not null)');
      const applied = new Set((await session.query('select name from dbspec.migrations')).rows.map((row) => String(row[0])));
      const pending = migrations.filter((migration) => !applied.has(migration.name));
      for (const migration of pending) await applyFile(session, migration, database.name);
      return pending.map((migration) => migration.name);
    } finally {
      await session.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  });
};
