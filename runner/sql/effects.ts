/**
 * What a statement can do, read off PostgreSQL's parse tree: the tables it writes (targets of INSERT,
 * UPDATE, DELETE, MERGE, COPY FROM and TRUNCATE anywhere in it, data-modifying CTEs too), the relations it
 * names at all, the functions it calls (whose bodies may do more: the database layer follows those), and
 * whether the statement itself changes the session (SET, PREPARE, LISTEN, a cursor WITH HOLD, a temp table).
 * Anything whose effect cannot be read off the tree (DDL, DO, CALL, EXECUTE, SELECT INTO, TRUNCATE CASCADE,
 * dynamic SQL) makes the result `opaque`: then a caller must assume every table may have changed.
 * Over-approximation is the rule: a name that might be a table counts as written.
 */
import { parsePlPgSQLSync, parseSync } from 'libpg-query';

/** A name as written: schema only when the SQL qualified it. */
export type QualifiedName = { readonly schema?: string; readonly name: string };

export type SqlEffects = {
  /** Tables it may insert into, update, delete from or truncate. */
  readonly writes: readonly QualifiedName[];
  /** Every relation it names (views among them). */
  readonly reads: readonly QualifiedName[];
  readonly functions: readonly QualifiedName[];
  /** Why the effect of the SQL cannot be known from its text; absent when it can. */
  readonly opaque?: string;
  /** Why the statement itself leaves state in the session; absent when it does not. */
  readonly session?: string;
  /** The statement's parse-tree node (SelectStmt, InsertStmt...); absent for several statements merged. */
  readonly statement?: string;
};

export const NO_EFFECTS: SqlEffects = { writes: [], reads: [], functions: [] };

/** Statements that leave state in the session for the next statement on the connection. */
const SESSION_STATEMENTS: Readonly<Record<string, string>> = {
  VariableSetStmt: 'SET or RESET',
  PrepareStmt: 'PREPARE',
  DeallocateStmt: 'DEALLOCATE',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  DiscardStmt: 'DISCARD',
  DeclareCursorStmt: 'DECLARE (a cursor may outlive its transaction)',
  LoadStmt: 'LOAD',
};

/** Top-level statements that write only through the nodes this module follows. */
const ANALYSABLE = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'CopyStmt',
  'TruncateStmt',
  'ExplainStmt',
  'TransactionStmt',
  'VariableSetStmt',
  'VariableShowStmt',
  'LockStmt',
  'DeclareCursorStmt',
  'FetchStmt',
  'ClosePortalStmt',
  'DiscardStmt',
  'NotifyStmt',
  'ListenStmt',
  'UnlistenStmt',
  'CheckPointStmt',
  'ConstraintsSetStmt',
  'PrepareStmt',
  'DeallocateStmt',
]);

const WRITE_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

type Node = Record<string, unknown>;

const nameOf = (rangeVar: unknown): QualifiedName | undefined => {
  const rv = rangeVar as { relname?: string; schemaname?: string } | undefined;
  if (!rv?.relname) return undefined;
  return rv.schemaname ? { schema: rv.schemaname, name: rv.relname } : { name: rv.relname };
};

const functionName = (call: Node): QualifiedName | undefined => {
  const parts = ((call.funcname as { String?: { sval?: string } }[] | undefined) ?? []).map((p) => p.String?.sval ?? '');
  const name = parts.at(-1);
  if (!name) return undefined;
  return parts.length > 1 ? { schema: parts.at(-2)!, name } : { name };
};

type Found = { writes: QualifiedName[]; reads: QualifiedName[]; functions: QualifiedName[]; opaque?: string; session?: string; statement?: string };

/** Depth-first over every object and array of the tree. */
const walk = (node: unknown, found: Found): void => {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Node)) {
    if (WRITE_NODES.has(key)) {
      const target = nameOf((value as Node).relation);
      if (target) found.writes.push(target);
    } else if (key === 'CopyStmt' && (value as Node).is_from === true) {
      const target = nameOf((value as Node).relation);
      if (target) found.writes.push(target);
    } else if (key === 'TruncateStmt') {
      if ((value as Node).behavior === 'DROP_CASCADE') found.opaque ??= 'TRUNCATE ... CASCADE';
      for (const rv of ((value as Node).relations as { RangeVar?: unknown }[] | undefined) ?? []) {
        const target = nameOf(rv.RangeVar);
        if (target) found.writes.push(target);
      }
    } else if (key === 'RangeVar' || key === 'relation') {
      const named = nameOf(value);
      if (named) found.reads.push(named);
      if ((value as Node).relpersistence === 't') found.session ??= 'a temporary table';
    } else if (key === 'FuncCall') {
      const fn = functionName(value as Node);
      if (fn) found.functions.push(fn);
    } else if (key === 'intoClause') {
      found.opaque ??= 'SELECT INTO creates a table';
    }
    walk(value, found);
  }
};

/** The writes of one statement's parse tree (`{ SelectStmt: {...} }`, as libpg-query gives `stmts[i].stmt`). */
export const effectsOfTree = (stmt: unknown): SqlEffects => {
  const kind = stmt && typeof stmt === 'object' ? Object.keys(stmt)[0] : undefined;
  const found: Found = { writes: [], reads: [], functions: [], ...(kind !== undefined && { statement: kind }) };
  if (kind === undefined || !ANALYSABLE.has(kind)) found.opaque = `${kind ?? 'an empty statement'} is not analysed`;
  const session = kind && (SESSION_STATEMENTS[kind] ?? (found.opaque ? kind : undefined));
  if (session) found.session = session;
  walk(stmt, found);
  return found;
};

/** Several statements' writes as one. */
export const mergeEffects = (all: readonly SqlEffects[]): SqlEffects => {
  const opaque = all.find((w) => w.opaque !== undefined)?.opaque;
  const session = all.find((w) => w.session !== undefined)?.session;
  return {
    writes: all.flatMap((w) => w.writes),
    reads: all.flatMap((w) => w.reads),
    functions: all.flatMap((w) => w.functions),
    ...(opaque !== undefined && { opaque }),
    ...(session !== undefined && { session }),
  };
};

/** The effects of SQL text (a function body); text the parser refuses is opaque. Requires the parser loaded. */
export const effectsOfSql = (sql: string): SqlEffects => {
  try {
    return mergeEffects((parseSync(sql).stmts ?? []).map((s: { stmt?: unknown }) => effectsOfTree(s.stmt)));
  } catch {
    return { ...NO_EFFECTS, opaque: 'SQL the parser does not read', session: 'SQL the parser does not read' };
  }
};

type PlExpr = { readonly query?: string; readonly parseMode?: number };

/** PL/pgSQL: every embedded SQL statement or expression, and whether the body runs dynamic SQL. */
const plpgsqlPieces = (node: unknown, pieces: string[], dynamic: string[]): void => {
  if (Array.isArray(node)) {
    for (const item of node) plpgsqlPieces(item, pieces, dynamic);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Node)) {
    if (key === 'PLpgSQL_stmt_dynexecute' || key === 'PLpgSQL_stmt_dynfors' || key === 'PLpgSQL_stmt_open') dynamic.push(key);
    if (key === 'PLpgSQL_expr') {
      const expr = value as PlExpr;
      // parseMode 0 is a whole statement; the others are expressions, which parse inside a SELECT.
      if (expr.query) pieces.push(expr.parseMode === 0 || expr.parseMode === undefined ? expr.query : `select ${expr.query}`);
    }
    plpgsqlPieces(value, pieces, dynamic);
  }
};

/** The effects of a PL/pgSQL function from its whole `CREATE FUNCTION` text (pg_get_functiondef). */
export const effectsOfPlpgsql = (definition: string): SqlEffects => {
  let tree: unknown;
  try {
    tree = parsePlPgSQLSync(definition);
  } catch {
    return { ...NO_EFFECTS, opaque: 'a PL/pgSQL body the parser does not read', session: 'a PL/pgSQL body the parser does not read' };
  }
  const pieces: string[] = [];
  const dynamic: string[] = [];
  plpgsqlPieces(tree, pieces, dynamic);
  const merged = mergeEffects(pieces.map(effectsOfSql));
  // Dynamic SQL may do anything, to the tables and to the session.
  return dynamic.length > 0 ? { ...merged, opaque: 'dynamic SQL (EXECUTE) in a PL/pgSQL function', session: 'dynamic SQL' } : merged;
};
