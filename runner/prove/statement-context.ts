/** What every mutant generator gets: the statement, where it is, and the names objects end up with. */
import type { ParsedMigration, ParsedStatement } from './migration-tree.ts';
import type { Mutant, MutantChange, MutantKind } from './mutant.ts';
import type { FinalNames } from './names.ts';

export type StatementContext = {
  readonly database: string;
  readonly migration: ParsedMigration;
  readonly statement: ParsedStatement;
  /** Position of the statement among all the database's migrations (see names.ts). */
  readonly at: number;
  readonly names: FinalNames;
  /** Every migration of the database, for a question about other statements (a grant of the same privilege). */
  readonly migrations: readonly ParsedMigration[];
};

export type MutantFields = {
  readonly kind: MutantKind;
  readonly object: string;
  readonly tables: readonly string[];
  /** Byte offset the mutant points at (a constraint's own location); default: the statement's first line. */
  readonly offset?: number;
  readonly description: string;
  readonly change: MutantChange;
};

export const mutantAt = (ctx: StatementContext, fields: MutantFields): Mutant => {
  const line = fields.offset !== undefined ? ctx.migration.lineAt(fields.offset) : ctx.migration.statementLine(ctx.statement);
  const file = ctx.migration.source.file;
  return {
    id: `${ctx.database}:${file}:${line}:${fields.kind}:${fields.object}`,
    database: ctx.database,
    kind: fields.kind,
    object: fields.object,
    tables: fields.tables,
    file,
    line,
    description: fields.description,
    change: fields.change,
  };
};

/** The changed migration file, for a rewrite. */
export const rewrite = (ctx: StatementContext, text: string): MutantChange => ({ kind: 'rewrite', migration: ctx.migration.source.name, text });
