/**
 * Which statement of a spec likely wrote rows into a table: one that inserts into (or updates) it, by
 * PostgreSQL's own parse tree; failing that, a trigger on a table the spec writes whose function mentions
 * the table. A guess for the reader ("likely"), never used to decide a verdict.
 */
import { parseSync } from 'libpg-query';
import type { TableShape } from '../db/written-rows.ts';
import type { Plan } from '../plan/plan.ts';
import { stepSql } from '../spec/step-kinds.ts';
import type { Spec } from '../spec/types.ts';
import { where } from './context.ts';

export type Write = { readonly verb: 'insert' | 'update' | 'delete' | 'merge'; readonly schema?: string; readonly table: string };

export type SpecStatement = { readonly label: string; readonly db: string; readonly location: string; readonly writes: readonly Write[] };

const VERBS: Readonly<Record<string, Write['verb']>> = { InsertStmt: 'insert', UpdateStmt: 'update', DeleteStmt: 'delete', MergeStmt: 'merge' };

/** Every data-changing statement in a parse tree, CTEs included (`with x as (insert ...)`). */
const writesIn = (tree: unknown, into: Write[] = []): Write[] => {
  if (Array.isArray(tree)) for (const item of tree) writesIn(item, into);
  else if (tree !== null && typeof tree === 'object') {
    for (const [key, value] of Object.entries(tree as Record<string, unknown>)) {
      const verb = VERBS[key];
      const relation = verb && (value as { relation?: { relname?: string; schemaname?: string } }).relation;
      if (verb && relation?.relname) into.push({ verb, table: relation.relname, ...(relation.schemaname ? { schema: relation.schemaname } : {}) });
      writesIn(value, into);
    }
  }
  return into;
};

const parsedWrites = (sql: string): Write[] => {
  try {
    return writesIn(parseSync(sql));
  } catch {
    return [];
  }
};

/** The spec's statements in running order, each with what it writes. Requires the parser (planRun loads it). */
export const specStatements = (spec: Spec, plan: Plan): SpecStatement[] => {
  const blocks = [
    ...spec.setup.map((b, i) => ({ label: `setup${spec.setup.length > 1 ? ` ${i + 1}` : ''}`, db: b.db, sql: b.sql })),
    ...spec.steps.flatMap((s) => stepSql(s).map((p) => ({ label: `step "${s.name}"`, db: p.db, sql: p.sql }))),
    ...spec.cleanup.map((b, i) => ({ label: `cleanup${spec.cleanup.length > 1 ? ` ${i + 1}` : ''}`, db: b.db, sql: b.sql })),
  ];
  return blocks.flatMap((block) =>
    plan
      .statementsOf(block.sql)
      .map((statement) => ({ label: block.label, db: block.db, location: where(statement.loc), writes: parsedWrites(statement.sql) })),
  );
};

/** Whether a written name (maybe unqualified) means the table 'schema.table'. */
export const names = (write: Write, table: string): boolean => {
  const [schema, name] = [table.slice(0, table.indexOf('.')), table.slice(table.indexOf('.') + 1)];
  return write.table === name && (write.schema === undefined || write.schema === schema);
};

const mentions = (source: string, table: string): boolean => {
  const name = table.slice(table.indexOf('.') + 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${name}($|[^A-Za-z0-9_])`, 'i').test(source);
};

/**
 * Who likely wrote rows into `table` of database `db`: "the insert in step "x" (file:line:col)", or
 * "trigger t on items (function f), fired by the insert in step "x" (file:line:col)".
 */
export const likelyWriter = (table: string, db: string, statements: readonly SpecStatement[], shapes: readonly TableShape[]): string | undefined => {
  const inDb = statements.filter((s) => s.db === db);
  const direct = inDb.find((s) => s.writes.some((w) => (w.verb === 'insert' || w.verb === 'merge') && names(w, table)));
  if (direct) return `the ${direct.writes.find((w) => names(w, table))!.verb} in ${direct.label} (${direct.location})`;
  for (const statement of inDb) {
    for (const write of statement.writes) {
      const shape = shapes.find((s) => names(write, s.table) && s.table !== table);
      const trigger = shape?.triggers.find((t) => mentions(t.source, table));
      if (shape && trigger) {
        const on = shape.table.replace(/^public\./, '');
        return `trigger ${trigger.name} on ${on} (function ${trigger.functionName}), fired by the ${write.verb} in ${statement.label} (${statement.location})`;
      }
    }
  }
  const updater = inDb.find((s) => s.writes.some((w) => w.verb === 'update' && names(w, table)));
  return updater ? `the update in ${updater.label} (${updater.location})` : undefined;
};
