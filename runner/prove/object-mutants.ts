/**
 * Mutants of objects created by their own statement: each trigger, row level security policy and unique
 * index dropped. A compensating `drop ...` after the migrations is exact for all three: nothing else in a
 * schema refers to a trigger or a policy, and a key that needs the index makes the drop fail (reported as
 * failing to apply).
 */
import type { Mutant } from './mutant.ts';
import { qualified, quoteIdent, type RangeVar } from './names.ts';
import { mutantAt, type StatementContext } from './statement-context.ts';

export const triggerMutants = (ctx: StatementContext): Mutant[] => {
  const node = ctx.statement.node as { trigname?: string; relation: RangeVar };
  if (!node.trigname) return [];
  const table = ctx.names.table(node.relation.relname, ctx.at);
  return [
    mutantAt(ctx, {
      kind: 'drop-trigger',
      object: node.trigname,
      tables: [table],
      description: `drops trigger \`${node.trigname}\` on \`${table}\``,
      change: {
        kind: 'compensate',
        sql: `drop trigger ${quoteIdent(node.trigname)} on ${qualified(node.relation, table)}`,
        restore: { kind: 'trigger', table: qualified(node.relation, table), name: node.trigname },
      },
    }),
  ];
};

export const policyMutants = (ctx: StatementContext): Mutant[] => {
  const node = ctx.statement.node as { policy_name: string; table: RangeVar };
  const table = ctx.names.table(node.table.relname, ctx.at);
  return [
    mutantAt(ctx, {
      kind: 'drop-policy',
      object: node.policy_name,
      tables: [table],
      description: `drops row level security policy \`${node.policy_name}\` on \`${table}\``,
      change: {
        kind: 'compensate',
        sql: `drop policy ${quoteIdent(node.policy_name)} on ${qualified(node.table, table)}`,
        restore: { kind: 'policy', table: qualified(node.table, table), name: node.policy_name },
      },
    }),
  ];
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
