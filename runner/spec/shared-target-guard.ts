/**
 * The few statements that reach beyond the database under test, refused on a database that is not
 * disposable (also with --allow-shared) before anything runs: they run programs or read files as the
 * server's OS user, change the whole server, other databases or other sessions, and no isolation check can
 * see or undo that. Found in PostgreSQL's parse tree (libpg-query); the bodies of DO blocks and functions
 * created by a spec are searched as text, since they are parsed only when they run. A guard against the
 * dangerous few, not a sandbox: dynamic SQL built from strings at run time is not seen.
 */
import { parseSync } from 'libpg-query';
import type { Diagnostic } from '../diagnostics.ts';
import type { BoundStatement } from './bind.ts';

export type DangerKind = 'copy_program' | 'alter_system' | 'database_ddl' | 'signal_backends' | 'server_files' | 'create_extension';

export type GuardAllowance = { readonly allow: readonly string[]; readonly extensions: readonly string[] };

const FUNCTIONS: Readonly<Record<string, DangerKind>> = {
  pg_terminate_backend: 'signal_backends',
  pg_cancel_backend: 'signal_backends',
  pg_reload_conf: 'alter_system',
  pg_rotate_logfile: 'alter_system',
  pg_read_file: 'server_files',
  pg_read_binary_file: 'server_files',
  pg_ls_dir: 'server_files',
  pg_stat_file: 'server_files',
  pg_ls_logdir: 'server_files',
  pg_ls_waldir: 'server_files',
  pg_ls_tmpdir: 'server_files',
  pg_ls_archive_statusdir: 'server_files',
  lo_import: 'server_files',
  lo_export: 'server_files',
  pg_file_write: 'server_files',
  pg_file_rename: 'server_files',
  pg_file_unlink: 'server_files',
};

const WHAT: Readonly<Record<DangerKind, string>> = {
  copy_program: 'COPY ... PROGRAM runs a shell command as the server’s OS user',
  alter_system: 'it changes the whole server’s configuration',
  database_ddl: 'it creates, changes or drops a whole database',
  signal_backends: 'it can cancel or end other sessions, including other people’s',
  server_files: 'it reads or writes files on the server',
  create_extension: 'it installs an extension into the shared database',
};

type Found = { readonly kind: DangerKind; readonly what: string };

const STATEMENT_KINDS: Readonly<Record<string, readonly [DangerKind, string]>> = {
  AlterSystemStmt: ['alter_system', 'ALTER SYSTEM'],
  CreatedbStmt: ['database_ddl', 'CREATE DATABASE'],
  DropdbStmt: ['database_ddl', 'DROP DATABASE'],
  AlterDatabaseStmt: ['database_ddl', 'ALTER DATABASE'],
  AlterDatabaseSetStmt: ['database_ddl', 'ALTER DATABASE'],
  AlterDatabaseRefreshCollStmt: ['database_ddl', 'ALTER DATABASE'],
};

/** Text of a DO block or function body: searched for the same dangers as words. */
const bodyDangers = (body: string): Found[] => {
  const found: Found[] = [];
  for (const [name, kind] of Object.entries(FUNCTIONS))
    if (new RegExp(`\\b${name}\\b`, 'i').test(body)) found.push({ kind, what: `${name}() in a function body` });
  if (/\bprogram\b/i.test(body) && /\bcopy\b/i.test(body)) found.push({ kind: 'copy_program', what: 'COPY ... PROGRAM in a function body' });
  if (/\balter\s+system\b/i.test(body)) found.push({ kind: 'alter_system', what: 'ALTER SYSTEM in a function body' });
  if (/\b(create|drop|alter)\s+database\b/i.test(body)) found.push({ kind: 'database_ddl', what: 'a DATABASE command in a function body' });
  return found;
};

const sval = (node: unknown): string | undefined => (node as { String?: { sval?: string } })?.String?.sval;

/** Every danger in one parse tree node and below. */
const walk = (node: unknown, found: Found[]): void => {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const v = value as Record<string, unknown>;
    const statement = STATEMENT_KINDS[key];
    if (statement) found.push({ kind: statement[0], what: statement[1] });
    if (key === 'CopyStmt' && v.is_program === true) found.push({ kind: 'copy_program', what: 'COPY ... PROGRAM' });
    if (key === 'RenameStmt' && v.renameType === 'OBJECT_DATABASE') found.push({ kind: 'database_ddl', what: 'ALTER DATABASE ... RENAME' });
    if (key === 'CreateExtensionStmt') found.push({ kind: 'create_extension', what: `CREATE EXTENSION ${String(v.extname)}` });
    if (key === 'FuncCall') {
      const name = (v.funcname as unknown[] | undefined)?.map(sval).at(-1)?.toLowerCase();
      if (name && FUNCTIONS[name]) found.push({ kind: FUNCTIONS[name], what: `${name}()` });
    }
    if (key === 'DefElem' && v.defname === 'as') {
      const arg = v.arg as { List?: { items?: unknown[] } } | undefined;
      for (const text of [sval(arg), ...(arg?.List?.items ?? []).map(sval)]) if (text) found.push(...bodyDangers(text));
    }
    walk(value, found);
  }
};

const allowed = (found: Found, allowance: GuardAllowance): boolean => {
  if (found.kind === 'create_extension') return allowance.extensions.some((name) => found.what === `CREATE EXTENSION ${name}`);
  return allowance.allow.includes(found.kind);
};

/** Diagnostics for the statements `database` must not be sent; none when every statement is harmless or allowed. */
export const guardStatements = (database: string, statements: readonly BoundStatement[], allowance: GuardAllowance): Diagnostic[] =>
  statements.flatMap((statement) => {
    const found: Found[] = [];
    try {
      walk(parseSync(statement.sql).stmts, found);
    } catch {
      // Validation has already parsed every statement; one that fails here is reported there.
      return [];
    }
    return found
      .filter((each) => !allowed(each, allowance))
      .slice(0, 1)
      .map((each) => ({
        kind: 'config' as const,
        code: 'DBSPEC_SHARED_TARGET',
        message: `refusing ${each.what} on \`${database}\`: it is not disposable, and ${WHAT[each.kind]}`,
        location: statement.loc,
        hint:
          each.kind === 'create_extension'
            ? 'list the extension under shared_targets.extensions in dbspec.config.yaml, or mark the database disposable'
            : `allow it with shared_targets.allow: [${each.kind}] in dbspec.config.yaml, or mark the database disposable`,
      }));
  });
