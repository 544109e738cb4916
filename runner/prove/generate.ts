/**
 * Every mutant of one database's migrations, in file and line order, and what could not be looked into.
 * Pure once the parser is loaded (ensureParser): parse trees in, data out.
 */
import { grantMutants } from './grant-mutants.ts';
import { parseMigration, type ParsedMigration } from './migration-tree.ts';
import type { MigrationSource, Mutant, ProveNote } from './mutant.ts';
import { finalNames, position } from './names.ts';
import { policyMutants, triggerMutants, uniqueIndexMutants } from './object-mutants.ts';
import type { StatementContext } from './statement-context.ts';
import { alterTableMutants, createTableMutants } from './table-mutants.ts';

const GENERATORS: Readonly<Record<string, (ctx: StatementContext) => Mutant[]>> = {
  CreateStmt: createTableMutants,
  AlterTableStmt: alterTableMutants,
  CreateTrigStmt: triggerMutants,
  CreatePolicyStmt: policyMutants,
  IndexStmt: uniqueIndexMutants,
  GrantStmt: grantMutants,
};

/** Statements that may create guarantees the parse tree does not show. */
const OPAQUE: Readonly<Record<string, string>> = {
  DoStmt: 'a DO block is not looked into: what it creates (through dynamic SQL, say) gets no mutants',
};

export type Generated = { readonly mutants: readonly Mutant[]; readonly notes: readonly ProveNote[] };

export const generateMutants = (database: string, sources: readonly MigrationSource[]): Generated => {
  const migrations: ParsedMigration[] = sources.map(parseMigration);
  const names = finalNames(migrations);
  const mutants: Mutant[] = [];
  const notes: ProveNote[] = [];
  for (const [m, migration] of migrations.entries())
    for (const [s, statement] of migration.statements.entries()) {
      const ctx: StatementContext = { database, migration, statement, at: position(m, s), names, migrations };
      const generate = GENERATORS[statement.type];
      if (generate) mutants.push(...generate(ctx));
      const opaque = OPAQUE[statement.type];
      if (opaque) notes.push({ file: migration.source.file, line: migration.statementLine(statement), message: opaque });
    }
  // Two mutants with one id (the same object twice on a line) would be indistinguishable in results.
  const seen = new Set<string>();
  return { mutants: mutants.filter((mutant) => !seen.has(mutant.id) && seen.add(mutant.id)), notes };
};
