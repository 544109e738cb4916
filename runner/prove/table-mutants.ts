/**
 * Mutants of what `create table` and `alter table` declare: each key, foreign key and check dropped, each
 * not-null and default dropped, each foreign key's `on delete` changed, row level security disabled.
 *
 * Applied as a compensating statement after the original migrations (`alter table ... drop constraint`,
 * `... drop not null`, `... drop default`, `... disable row level security`): the schema that results is
 * exactly the one the migrations would give without the clause, and when a later migration depends on the
 * object (a foreign key on a unique key) PostgreSQL refuses the drop, so the mutant is reported as failing
 * to apply rather than silently becoming another one. The `on delete` change is the exception (see
 * on-delete.ts).
 */
import { constraintName } from './constraint-names.ts';
import type { Mutant } from './mutant.ts';
import { columnsOf, qualified, type RangeVar, strings } from './names.ts';
import { changeOnDelete } from './on-delete.ts';
import { mutantAt, type StatementContext } from './statement-context.ts';
import { quoteIdent } from '../sql/quote.ts';

type ConstraintNode = {
  readonly contype: string;
  readonly conname?: string;
  readonly keys?: unknown;
  readonly fk_attrs?: unknown;
  readonly pktable?: RangeVar;
  readonly fk_del_action?: string;
  readonly raw_expr?: unknown;
  readonly location?: number;
};
type ColumnDef = { readonly colname: string; readonly constraints?: readonly { Constraint: ConstraintNode }[] };

const KEY_KINDS = {
  CONSTR_PRIMARY: ['drop-primary-key', 'primary key'],
  CONSTR_UNIQUE: ['drop-unique', 'unique constraint'],
  CONSTR_FOREIGN: ['drop-foreign-key', 'foreign key'],
  CONSTR_CHECK: ['drop-check', 'check constraint'],
} as const;

/** Drop of a key, foreign key or check, plus the `on delete` change of a foreign key. */
const constraintMutants = (ctx: StatementContext, relation: RangeVar, c: ConstraintNode, column?: string): Mutant[] => {
  const known = KEY_KINDS[c.contype as keyof typeof KEY_KINDS];
  if (!known) return [];
  const keys = column !== undefined ? [column] : strings(c.contype === 'CONSTR_FOREIGN' ? c.fk_attrs : c.keys);
  const name = constraintName(relation.relname, { contype: c.contype, conname: c.conname, keys, checkColumns: columnsOf(c.raw_expr) });
  const table = ctx.names.table(relation.relname, ctx.at);
  const tables = c.pktable ? [...new Set([table, ctx.names.table(c.pktable.relname, ctx.at)])] : [table];
  const dropped = mutantAt(ctx, {
    kind: known[0],
    object: name,
    tables,
    offset: c.location,
    description: `drops ${known[1]} \`${name}\``,
    change: {
      kind: 'compensate',
      sql: `alter table ${qualified(relation, table)} drop constraint ${quoteIdent(name)}`,
      ...(c.contype !== 'CONSTR_FOREIGN' && { restore: { kind: 'constraint', table: qualified(relation, table), name } }),
    },
  });
  const changed =
    c.contype === 'CONSTR_FOREIGN' && c.pktable
      ? changeOnDelete(ctx, { name, tables, pktable: c.pktable, action: c.fk_del_action, offset: c.location })
      : undefined;
  return changed ? [dropped, changed] : [dropped];
};

const COLUMN_PROPERTIES = {
  'not-null': { sql: 'drop not null', description: (column: string) => `drops not null on \`${column}\`` },
  default: { sql: 'drop default', description: (column: string) => `drops the default of \`${column}\`` },
} as const;

/** A column's not null or default taken away after the migrations, and put back after the mutant's run. */
const dropColumnProperty = (ctx: StatementContext, relation: RangeVar, column: string, property: 'not-null' | 'default', offset?: number): Mutant => {
  const table = ctx.names.table(relation.relname, ctx.at);
  const final = ctx.names.column(relation.relname, column, ctx.at);
  return mutantAt(ctx, {
    kind: `drop-${property}`,
    object: `${table}.${final}`,
    tables: [table],
    offset,
    description: COLUMN_PROPERTIES[property].description(`${table}.${final}`),
    change: {
      kind: 'compensate',
      sql: `alter table ${qualified(relation, table)} alter column ${quoteIdent(final)} ${COLUMN_PROPERTIES[property].sql}`,
      restore: { kind: property, table: qualified(relation, table), column: final },
    },
  });
};

/** A column's own constraints. A not null on a primary key column is implied by the key: no mutant. */
const columnMutants = (ctx: StatementContext, relation: RangeVar, column: ColumnDef, primaryKeyColumns: ReadonlySet<string>): Mutant[] =>
  (column.constraints ?? []).flatMap(({ Constraint: c }) => {
    if (c.contype === 'CONSTR_NOTNULL')
      return primaryKeyColumns.has(column.colname) || (column.constraints ?? []).some((o) => o.Constraint.contype === 'CONSTR_PRIMARY')
        ? []
        : [dropColumnProperty(ctx, relation, column.colname, 'not-null', c.location)];
    if (c.contype === 'CONSTR_DEFAULT') return [dropColumnProperty(ctx, relation, column.colname, 'default', c.location)];
    return constraintMutants(ctx, relation, c, column.colname);
  });

type TableElement = { ColumnDef?: ColumnDef; Constraint?: ConstraintNode };

export const createTableMutants = (ctx: StatementContext): Mutant[] => {
  const node = ctx.statement.node as { relation: RangeVar; tableElts?: readonly TableElement[] };
  const elements = node.tableElts ?? [];
  const primaryKeyColumns = new Set(elements.flatMap((e) => (e.Constraint?.contype === 'CONSTR_PRIMARY' ? strings(e.Constraint.keys) : [])));
  return elements.flatMap((element) =>
    element.ColumnDef
      ? columnMutants(ctx, node.relation, element.ColumnDef, primaryKeyColumns)
      : element.Constraint
        ? constraintMutants(ctx, node.relation, element.Constraint)
        : [],
  );
};

type AlterCmd = {
  readonly subtype: string;
  readonly name?: string;
  readonly def?: { Constraint?: ConstraintNode; ColumnDef?: ColumnDef } & Record<string, unknown>;
};

const disableRls = (ctx: StatementContext, relation: RangeVar): Mutant => {
  const table = ctx.names.table(relation.relname, ctx.at);
  return mutantAt(ctx, {
    kind: 'disable-rls',
    object: table,
    tables: [table],
    description: `disables row level security on \`${table}\``,
    change: {
      kind: 'compensate',
      sql: `alter table ${qualified(relation, table)} disable row level security`,
      restore: { kind: 'row-security', table: qualified(relation, table) },
    },
  });
};

const alterCommandMutants = (ctx: StatementContext, relation: RangeVar, cmd: AlterCmd): Mutant[] => {
  switch (cmd.subtype) {
    case 'AT_AddConstraint':
      return cmd.def?.Constraint ? constraintMutants(ctx, relation, cmd.def.Constraint) : [];
    case 'AT_AddColumn':
      return cmd.def?.ColumnDef ? columnMutants(ctx, relation, cmd.def.ColumnDef, new Set()) : [];
    case 'AT_ColumnDefault':
      return cmd.def && cmd.name ? [dropColumnProperty(ctx, relation, cmd.name, 'default')] : [];
    case 'AT_SetNotNull':
      return cmd.name ? [dropColumnProperty(ctx, relation, cmd.name, 'not-null')] : [];
    case 'AT_EnableRowSecurity':
      return [disableRls(ctx, relation)];
    default:
      return [];
  }
};

export const alterTableMutants = (ctx: StatementContext): Mutant[] => {
  const node = ctx.statement.node as { relation: RangeVar; objtype?: string; cmds?: readonly { AlterTableCmd: AlterCmd }[] };
  if (node.objtype !== undefined && node.objtype !== 'OBJECT_TABLE') return [];
  return (node.cmds ?? []).flatMap(({ AlterTableCmd: cmd }) => alterCommandMutants(ctx, node.relation, cmd));
};
