/**
 * Mutants of objects created by their own statement: each trigger, row level security policy and unique
 * index dropped. A compensating `drop ...` after the migrations is exact for all three: nothing else in a
 * schema refers to a trigger or a policy, and a key that needs the index makes the drop fail (reported as
 * failing to apply).
 */
import type { Mutant } from './mutant.ts';
import { qualified, type RangeVar } from './names.ts';
import { mutantAt, type StatementContext } from './statement-context.ts';
import { quoteIdent } from '../sql/quote.ts';

/** A trigger or a policy on a table, dropped after the migrations and created again after the mutant's run. */
const dropFromTable = (ctx: StatementContext, kind: 'trigger' | 'policy', name: string, relation: RangeVar, what: string): Mutant => {
  const table = ctx.names.table(relation.relname, ctx.at);
  return mutantAt(ctx, {
    kind: `drop-${kind}`,
    object: name,
    tables: [table],
    description: `drops ${what} \`${name}\` on \`${table}\``,
    change: {
      kind: 'compensate',
      sql: `drop ${kind} ${quoteIdent(name)} on ${qualified(relation, table)}`,
      restore: { kind, table: qualified(relation, table), name },
    },
  });
};

export const triggerMutants = (ctx: StatementContext): Mutant[] => {
  const node = ctx.statement.node as { trigname?: string; relation: RangeVar };
  return node.trigname ? [dropFromTable(ctx, 'trigger', node.trigname, node.relation, 'trigger')] : [];
};

export const policyMutants = (ctx: StatementContext): Mutant[] => {
  const node = ctx.statement.node as { policy_name: string; table: RangeVar };
  return [dropFromTable(ctx, 'policy', node.policy_name, node.table, 'row level security policy')];
};

export const uniqueIndexMutants = (ctx: StatementContext): Mutant[] => {
  const node = ctx.statement.node as { idxname?: string; relation: RangeVar; unique?: boolean };
  if (!node.unique || !node.idxname) return [];
  const table = ctx.names.table(node.relation.relname, ctx.at);
  const index = node.relation.schemaname ? `${quoteIdent(node.relation.schemaname)}.${quoteIdent(node.idxname)}` : quoteIdent(node.idxname);
  return [
    mutantAt(ctx, {
      kind: 'drop-unique-index',
      object: node.idxname,
      tables: [table],
      description: `drops unique index \`${node.idxname}\` on \`${table}\``,
      change: { kind: 'compensate', sql: `drop index ${index}`, restore: { kind: 'index', name: index } },
    }),
  ];
};
