/**
 * Which tables a spec's SQL names, per database: every RangeVar in PostgreSQL's parse tree of every statement
 * (setup, steps, cleanup), by its unqualified name. `dbspec prove` runs only the specs that name a mutated
 * table. Tables reached only indirectly (through a function, a trigger or a view's definition) are not seen.
 */
import { parseSync } from 'libpg-query';
import { stepSql } from '../spec/step-kinds.ts';
import type { Spec } from '../spec/types.ts';
import type { Plan } from './plan.ts';

/**
 * Every relation name a node (any part of a parse tree) holds, CTE names included (harmless extras). A
 * RangeVar comes wrapped (`{ RangeVar: {...} }`, in a FROM list) or bare (an INSERT's `relation`): both are
 * the object holding `relname`.
 */
const collectRelations = (node: unknown, into: Set<string>): void => {
  if (Array.isArray(node)) {
    for (const item of node) collectRelations(item, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const relname = (node as { relname?: unknown }).relname;
  if (typeof relname === 'string') into.add(relname);
  for (const value of Object.values(node)) collectRelations(value, into);
};

/** The tables one SQL text (bound, with $n placeholders) names; none when it does not parse. */
export const tablesOfStatement = (sql: string): readonly string[] => {
  const into = new Set<string>();
  try {
    collectRelations(parseSync(sql), into);
  } catch {
    // Bound SQL parsed at validation; a statement the parser now refuses names nothing we can know.
  }
  return [...into].sort();
};

/** Database name -> the tables the spec's SQL names there (sorted). */
export const tablesOfSpec = (spec: Spec, plan: Plan): ReadonlyMap<string, readonly string[]> => {
  const byDb = new Map<string, Set<string>>();
  const pieces = [...spec.setup, ...spec.steps.flatMap(stepSql), ...spec.cleanup];
  for (const { db, sql } of pieces) {
    const tables = byDb.get(db) ?? new Set<string>();
    byDb.set(db, tables);
    for (const statement of plan.statementsOf(sql)) for (const table of tablesOfStatement(statement.sql)) tables.add(table);
  }
  return new Map([...byDb].map(([db, tables]) => [db, [...tables].sort()]));
};

/** The same plan restricted to some of its specs (statements stay bound: nothing is parsed again). */
export const narrowPlan = (plan: Plan, specs: readonly Spec[]): Plan => ({ ...plan, specs });
