/**
 * A migration file as PostgreSQL's parser sees it: each statement's parse tree with its byte range and the
 * line it starts on, and the file's tokens (for rewriting a clause in place: the installed libpg-query has no
 * deparse, so text is changed by splicing byte ranges the parser located). Pure once the parser is loaded.
 */
import { parseSync, scanSync } from 'libpg-query';
import type { MigrationSource } from './mutant.ts';

export type Token = { readonly text: string; readonly start: number; readonly end: number; readonly comment: boolean };

export type ParsedStatement = {
  /** The statement node's type, e.g. CreateStmt, and its fields. */
  readonly type: string;
  readonly node: Record<string, unknown>;
  /** Byte range of the statement (without its semicolon). */
  readonly start: number;
  readonly end: number;
};

export type ParsedMigration = {
  readonly source: MigrationSource;
  readonly bytes: Buffer;
  readonly statements: readonly ParsedStatement[];
  readonly tokens: readonly Token[];
  /** 1-based line of a byte offset. */
  lineAt(offset: number): number;
  /** The line of the statement's first token (its range starts after the previous semicolon, comments included). */
  statementLine(statement: ParsedStatement): number;
};

type RawStatement = { stmt: Record<string, Record<string, unknown>>; stmt_location?: number; stmt_len?: number };

/** @throws the parser's error when the file is not valid SQL (migrations have been applied before this runs). */
export const parseMigration = (source: MigrationSource): ParsedMigration => {
  const bytes = Buffer.from(source.text, 'utf8');
  const raw = (parseSync(source.text) as { stmts?: RawStatement[] }).stmts ?? [];
  const statements = raw.map((s) => {
    const [type, node] = Object.entries(s.stmt)[0] as [string, Record<string, unknown>];
    const start = s.stmt_location ?? 0;
    return { type, node, start, end: s.stmt_len ? start + s.stmt_len : bytes.length };
  });
  const tokens = scanSync(source.text).tokens.map((t) => ({
    text: t.text,
    start: t.start,
    end: t.end,
    comment: t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT',
  }));
  const newlines: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) newlines.push(i);
  const lineAt = (offset: number): number => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const statementLine = (statement: ParsedStatement): number => lineAt(tokens.find((t) => !t.comment && t.start >= statement.start)?.start ?? statement.start);
  return { source, bytes, statements, tokens, lineAt, statementLine };
};

/** The file's text with bytes [start, end) replaced. */
export const splice = (migration: ParsedMigration, start: number, end: number, replacement: string): string =>
  Buffer.concat([migration.bytes.subarray(0, start), Buffer.from(replacement, 'utf8'), migration.bytes.subarray(end)]).toString('utf8');

/** The file without one statement: its bytes become spaces (newlines kept), so every other line stays put. */
export const blankStatement = (migration: ParsedMigration, statement: ParsedStatement): string =>
  splice(migration, statement.start, statement.end, migration.bytes.subarray(statement.start, statement.end).toString('utf8').replace(/[^\n]/g, ' '));
