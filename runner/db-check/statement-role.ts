/**
 * What `--db-check` does with one statement, decided by PostgreSQL's own parse tree (libpg-query):
 * data statements are PREPAREd (analysed, never executed); the spec's own DDL runs for real inside a
 * transaction that is always rolled back, so that later statements see the tables it creates; everything
 * else (transaction control, DO, CALL, COPY, most SET, ...) is skipped.
 */
import { parseSync } from 'libpg-query';

export type StatementRole =
  /** PREPARE it: SELECT, INSERT, UPDATE, DELETE, MERGE. */
  | 'analyse'
  /** Run it inside the rolled-back transaction: it defines something later statements use. */
  | 'define'
  | 'skip';

const ANALYSED = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** DDL that only adds new objects: no existing table is rewritten, scanned or locked exclusively. */
const CREATES_ONLY = new Set([
  'CreateStmt',
  'ViewStmt',
  'CreateFunctionStmt',
  'CreateSeqStmt',
  'CreateEnumStmt',
  'CompositeTypeStmt',
  'CreateDomainStmt',
  'CreateSchemaStmt',
  'DefineStmt',
]);

/**
 * DDL that may also change, scan or lock existing objects (ALTER TABLE, CREATE INDEX, DROP...). Run only
 * where writing is allowed anyway (embedded, disposable, --allow-shared). Cluster-wide statements (roles,
 * databases, tablespaces, subscriptions) are never run: a rollback would undo them, but they are not the
 * spec's schema.
 */
const CHANGES_EXISTING = new Set([
  'CreateTableAsStmt',
  'IndexStmt',
  'AlterTableStmt',
  'AlterSeqStmt',
  'AlterEnumStmt',
  'AlterDomainStmt',
  'AlterFunctionStmt',
  'RenameStmt',
  'DropStmt',
  'CreateTrigStmt',
  'RuleStmt',
  'CommentStmt',
  'CreatePolicyStmt',
  'AlterPolicyStmt',
  'GrantStmt',
  'CreateExtensionStmt',
  'CreateCastStmt',
]);

export type Classified = {
  readonly role: StatementRole;
  /** Every relation name the statement mentions (tables, views, CTE names), for "did you mean". */
  readonly relations: readonly string[];
};

const relationNames = (tree: unknown, into: Set<string>): Set<string> => {
  if (Array.isArray(tree)) for (const item of tree) relationNames(item, into);
  else if (tree !== null && typeof tree === 'object') {
    const node = tree as Record<string, unknown>;
    if (typeof node.relname === 'string') into.add(node.relname);
    for (const value of Object.values(node)) relationNames(value, into);
  }
  return into;
};

/** A search_path set by the spec decides which tables unqualified names mean; SET in a transaction is undone by its rollback. */
const setsSearchPath = (node: Record<string, unknown>): boolean => node.name === 'search_path';

/**
 * `sql` is one bound statement (validated, so it parses). `mayChangeExisting`: the database may be
 * written to, so DDL that touches existing objects runs too.
 * Requires `await ensureParser()` first.
 */
export const classifyStatement = (sql: string, mayChangeExisting: boolean): Classified => {
  const stmt = parseSync(sql).stmts?.[0]?.stmt as Record<string, Record<string, unknown>> | undefined;
  const type = stmt ? Object.keys(stmt)[0] : undefined;
  if (!stmt || type === undefined) return { role: 'skip', relations: [] };
  const relations = [...relationNames(stmt[type], new Set())];
  if (ANALYSED.has(type)) return { role: 'analyse', relations };
  if (CREATES_ONLY.has(type) || (mayChangeExisting && CHANGES_EXISTING.has(type))) return { role: 'define', relations };
  if (type === 'VariableSetStmt' && setsSearchPath(stmt[type]!)) return { role: 'define', relations };
  return { role: 'skip', relations };
};
