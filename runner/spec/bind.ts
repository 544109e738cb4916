/**
 * SQL with `${var}` references -> statements with `$1..$n` bind parameters, checked by PostgreSQL's own parser.
 * Variables are never pasted into SQL text: each reference becomes a parameter, so a reference inside a quoted
 * literal, a dollar-quote or a comment is a mistake, reported where it was written.
 */
import { normalizeSync, scanSync } from 'libpg-query';
import { authoring, type Diagnostic, type SourceLocation } from '../diagnostics.ts';
import { placeholderContexts } from '../sql/placeholder-contexts.ts';
import { splitStatements } from '../sql/split.ts';
import { effectsOfTree, type SqlEffects } from '../sql/effects.ts';
import { transactionControlOf } from '../sql/transaction-control.ts';
import type { SqlText } from './types.ts';
import { FRESH_BUILTINS, VAR_PATTERN } from './vars.ts';

export type BoundStatement = {
  /** PostgreSQL text with $1..$n. */
  readonly sql: string;
  /** Variable name for $1..$n, in order. */
  readonly params: readonly string[];
  /** The statement as written. */
  readonly source: string;
  /** Where the statement starts in the file. */
  readonly loc: SourceLocation;
  /** Character offset of `source` in the SQL text as written (for locateInSql). */
  readonly offset?: number;
  /** What it writes, names and calls (the leak check's scope, the session reset). */
  readonly effects?: SqlEffects;
  /** `COMMIT`, `BEGIN`...: the statement begins or ends a transaction (see sql/transaction-control.ts). */
  readonly transactionControl?: string;
  /** Where each of the statement's lines after its first starts in the file (absent for one line). */
  readonly lines?: readonly SourceLocation[];
};

/** One `${name}` in the original text and the placeholder it became. */
type Reference = { readonly name: string; readonly srcStart: number; readonly srcEnd: number; readonly outStart: number; readonly outEnd: number };

type Substituted = { readonly out: string; readonly refs: readonly Reference[] };

/** Replaces every reference with a globally numbered placeholder (numbering is redone per statement later). */
const substitute = (text: string): Substituted => {
  const refs: Reference[] = [];
  let out = '';
  let last = 0;
  for (const m of text.matchAll(VAR_PATTERN)) {
    out += text.slice(last, m.index);
    const placeholder = `$${refs.length + 1}`;
    refs.push({ name: m[1]!, srcStart: m.index, srcEnd: m.index + m[0].length, outStart: out.length, outEnd: out.length + placeholder.length });
    out += placeholder;
    last = m.index + m[0].length;
  }
  out += text.slice(last);
  return { out, refs };
};

/** Offset in the substituted text -> offset in the text as written. */
const toSource = (refs: readonly Reference[], outOffset: number): number => {
  let shift = 0;
  for (const r of refs) {
    if (outOffset < r.outStart) break;
    if (outOffset < r.outEnd) return r.srcStart;
    shift = r.srcEnd - r.outEnd;
  }
  return outOffset + shift;
};

/**
 * Offset in a bound statement's `sql` -> offset in its `source`: each `$n` there stands where a `${name}`
 * was written (an offset inside a placeholder maps to the start of the reference).
 */
export const writtenOffset = (statement: BoundStatement, sqlOffset: number): number => {
  let src = 0;
  let out = 0;
  for (const m of statement.source.matchAll(VAR_PATTERN)) {
    const gap = m.index - src;
    if (sqlOffset < out + gap) return src + (sqlOffset - out);
    out += gap;
    src = m.index;
    const placeholder = /^\$\d+/.exec(statement.sql.slice(out))?.[0] ?? '';
    if (sqlOffset < out + placeholder.length) return src;
    out += placeholder.length;
    src += m[0].length;
  }
  return Math.min(src + (sqlOffset - out), statement.source.length);
};

/** Offset in the text as written -> file location, through the per-line starts of the YAML scalar. */
export const locateInSql = (sql: SqlText, offset: number): SourceLocation => {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < sql.text.length; i++) {
    if (sql.text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const start = sql.lineStarts[line];
  if (!start) return sql.loc;
  return { ...start, column: start.column + (offset - lineStart) };
};

/** libpg-query scans in UTF-8 bytes. */
const byteOffsets =
  (text: string): ((charOffset: number) => number) =>
  (charOffset) =>
    Buffer.byteLength(text.slice(0, charOffset), 'utf8');

const inQuotes = (sql: SqlText, r: Reference): Diagnostic =>
  authoring(
    'DBSPEC_VAR_IN_QUOTES',
    `variables are bind parameters: write \${${r.name}} without quotes around it`,
    locateInSql(sql, r.srcStart),
    "a variable stands for a value; inside quotes, a dollar-quote or a comment it would be text. Use e.g. set_config('app.x', ${name}, true) or ${name}::text",
  );

/** References that are not PARAM tokens sit inside a literal or comment; `$n` the author wrote is also refused. */
const checkTokens = (sql: SqlText, sub: Substituted): Diagnostic[] => {
  const quick = placeholderContexts(
    sub.out,
    sub.refs.map((r) => r.outStart),
  );
  if (quick !== 'unsure') {
    return sub.refs.flatMap((r, i) => (quick[i] === 'code' ? [] : [inQuotes(sql, r)]));
  }
  const tokens = scanSync(sub.out).tokens;
  const params = new Map(tokens.filter((t) => t.tokenName === 'PARAM').map((t) => [t.start, t]));
  const toBytes = byteOffsets(sub.out);
  const diagnostics: Diagnostic[] = [];
  const ours = new Set<number>();
  for (const r of sub.refs) {
    const at = toBytes(r.outStart);
    ours.add(at);
    if (!params.has(at)) diagnostics.push(inQuotes(sql, r));
  }
  for (const t of params.values()) {
    if (ours.has(t.start)) continue;
    const charStart = Buffer.from(sub.out, 'utf8').subarray(0, t.start).toString('utf8').length;
    diagnostics.push(
      authoring(
        'DBSPEC_SQL_RAW_PARAM',
        `write a variable as \${name}, not ${t.text}`,
        locateInSql(sql, toSource(sub.refs, charStart)),
        'declare the value under `vars:`',
      ),
    );
  }
  return diagnostics;
};

/** Renumbers the references inside one statement from $1, sharing a number per name except fresh built-ins. */
const bindStatement = (sub: Substituted, start: number, text: string): { sql: string; params: string[] } => {
  const end = start + text.length;
  const params: string[] = [];
  const numberOf = new Map<string, number>();
  let out = '';
  let last = start;
  for (const r of sub.refs) {
    if (r.outStart < start || r.outStart >= end) continue;
    let n = FRESH_BUILTINS.has(r.name) ? undefined : numberOf.get(r.name);
    if (n === undefined) {
      params.push(r.name);
      n = params.length;
      if (!FRESH_BUILTINS.has(r.name)) numberOf.set(r.name, n);
    }
    out += sub.out.slice(last, r.outStart) + `$${n}`;
    last = r.outEnd;
  }
  out += sub.out.slice(last, end);
  return { sql: out, params };
};

/** Placeholders in PostgreSQL's message are shown as the author wrote them. */
const restoreNames = (message: string, refs: readonly Reference[]): string =>
  message.replace(/"\$(\d+)"/g, (whole, n: string) => {
    const ref = refs[Number(n) - 1];
    return ref ? `"\${${ref.name}}"` : whole;
  });

const transactionControlField = (tree: unknown): { transactionControl?: string } => {
  const control = transactionControlOf(tree);
  return control === undefined ? {} : { transactionControl: control };
};

/** Requires `await ensureParser()` first. */
export const bindSql = (sql: SqlText): { statements: BoundStatement[]; diagnostics: Diagnostic[] } => {
  const sub = substitute(sql.text);
  const split = splitStatements(sub.out);
  if (!split.ok) {
    const offset = toSource(sub.refs, split.offset);
    return { statements: [], diagnostics: [authoring('DBSPEC_SQL_SYNTAX', restoreNames(split.message, sub.refs), locateInSql(sql, offset))] };
  }
  const diagnostics = checkTokens(sql, sub);
  // Statements come in order: the line of each one's start is counted on from the previous one's.
  let line = 0;
  let counted = 0;
  const lineOf = (offset: number): number => {
    for (; counted < offset; counted++) if (sql.text.charCodeAt(counted) === 10) line++;
    return line;
  };
  const statements = split.statements.map((s): BoundStatement => {
    const { sql: text, params } = bindStatement(sub, s.offset, s.text);
    const srcStart = toSource(sub.refs, s.offset);
    const srcEnd = toSource(sub.refs, s.offset + s.text.length - 1) + 1;
    const lastRef = sub.refs.findLast((r) => r.outStart < s.offset + s.text.length && r.outEnd === s.offset + s.text.length);
    const source = sql.text.slice(srcStart, lastRef ? lastRef.srcEnd : srcEnd);
    // The scalar's own line starts for the statement's later lines (the same objects, no new ones).
    const firstLine = lineOf(srcStart);
    const lines = sql.lineStarts.slice(firstLine + 1, firstLine + source.split('\n').length);
    return {
      sql: text,
      params,
      source,
      ...(lines.length > 0 && { lines }),
      loc: locateInSql(sql, srcStart),
      offset: srcStart,
      effects: effectsOfTree(s.tree),
      ...transactionControlField(s.tree),
    };
  });
  return { statements, diagnostics };
};

/**
 * Offset in a bound statement's `sql` (a server error's position, from 0) -> file location of what was
 * written there; the statement's start when the offset is outside it.
 */
export const locateInStatement = (statement: BoundStatement, sqlOffset: number): SourceLocation =>
  sqlOffset < 0 || sqlOffset >= statement.sql.length
    ? statement.loc
    : locateInSql({ text: statement.source, loc: statement.loc, lineStarts: [statement.loc, ...(statement.lines ?? [])] }, writtenOffset(statement, sqlOffset));

/** Comments, semicolons and blanks only? Naive about quotes on purpose: it may only err towards "not empty". */
const looksEmpty = (sql: string): boolean =>
  sql
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/[;\s]/g, '') === '';

/**
 * What validation needs of a SQL text, cheaper than bindSql: problems, and whether it holds no statement.
 * PostgreSQL's parser runs through `normalize`, which parses the same way but returns a short string instead
 * of the whole parse tree; only SQL that fails (or may be empty) goes through bindSql for locations.
 * Requires `await ensureParser()` first.
 */
export const checkSql = (sql: SqlText): { diagnostics: Diagnostic[]; empty: boolean } => {
  const sub = substitute(sql.text);
  let parses = true;
  try {
    normalizeSync(sub.out);
  } catch {
    parses = false;
  }
  if (!parses || looksEmpty(sub.out)) {
    const full = bindSql(sql);
    return { diagnostics: full.diagnostics, empty: full.diagnostics.length === 0 && full.statements.length === 0 };
  }
  return { diagnostics: checkTokens(sql, sub), empty: false };
};
