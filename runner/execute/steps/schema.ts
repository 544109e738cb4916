/**
 * A schema step: the tables, their parts and the functions one database should have. Every difference is
 * reported in plain words, the first one located at its expectation.
 */
import { currentSchema, describeTable, existingFunctions, type TableCatalog } from '../../db/catalog.ts';
import type { SchemaStep } from '../../spec/types.ts';
import { databaseOf, where, type StepContext, type StepOutcome } from '../context.ts';
import { type SchemaProblem, tableProblems } from '../schema-match.ts';

export const runSchemaStep = async (step: SchemaStep, context: StepContext): Promise<StepOutcome> => {
  const db = databaseOf(context, step.db);
  const schema = step.schema ?? (await currentSchema(db));
  const problems: SchemaProblem[] = [];
  const observed: { name: string; catalog?: TableCatalog; held: boolean }[] = [];
  for (const table of step.tables) {
    const catalog = await describeTable(db, table.name, schema);
    const found = tableProblems(table, catalog, schema);
    problems.push(...found);
    observed.push({ name: table.name, ...(catalog ? { catalog } : {}), held: found.length === 0 });
  }
  context.onSchema?.({ step, tables: observed });
  const functions = await existingFunctions(
    db,
    step.functions.map((f) => f.name),
    schema,
  );
  for (const f of step.functions) if (!functions.has(f.name)) problems.push({ message: `there is no function ${f.name} in schema ${schema}`, loc: f.loc });
  if (problems.length === 0) return { status: 'passed' };
  const [first] = problems;
  return {
    status: 'failed',
    failure: {
      code: 'SCHEMA_MISMATCH',
      message: problems.length === 1 ? first!.message : `${problems.length} differences: ${problems.map((p) => p.message).join('; ')}`,
      location: where(first!.loc),
    },
  };
};
