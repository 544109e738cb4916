/**
 * Mutants of privileges: a `grant` gives one privilege less (each privilege in turn; a grant of a single
 * privilege disappears), a `revoke` disappears.
 *
 * A weakened grant is a compensating `revoke` of the privilege when that is exact (no other grant gives the
 * same privilege on the same object to the same role: the revoke would take that one away too); else, like
 * a removed revoke (a compensating `grant` would give back more than the revoke took when the role never
 * had it), the statement is rewritten in the migration text.
 */
import { blankStatement, splice, type Token } from './migration-tree.ts';
import type { Mutant, MutantChange } from './mutant.ts';
import { qualified, type RangeVar } from './names.ts';
import { mutantAt, rewrite, type StatementContext } from './statement-context.ts';
import { quoteIdent } from '../sql/quote.ts';

type GrantNode = {
  readonly is_grant?: boolean;
  readonly objtype?: string;
  readonly objects?: readonly Record<string, { relname?: string; schemaname?: string; sval?: string }>[];
  readonly privileges?: readonly { AccessPriv: { priv_name?: string; cols?: unknown } }[];
  readonly grantees?: readonly { RoleSpec: { rolename?: string; roletype?: string } }[];
};

const objectNames = (node: GrantNode): string[] => (node.objects ?? []).map((o) => Object.values(o)[0]?.relname ?? Object.values(o)[0]?.sval ?? '?');

const granteeNames = (node: GrantNode): string =>
  (node.grantees ?? []).map((g) => g.RoleSpec.rolename ?? (g.RoleSpec.roletype === 'ROLESPEC_PUBLIC' ? 'public' : g.RoleSpec.roletype)).join(', ');

/** Tables whose access changes; a privilege on a schema (or anything else) concerns every table: `*`. */
const affectedTables = (node: GrantNode): string[] => (node.objtype === 'OBJECT_TABLE' ? objectNames(node) : ['*']);

/** Byte ranges of each privilege between `grant` and `on` (split at top-level commas). */
const privilegeRanges = (tokens: readonly Token[], from: number): { start: number; end: number }[] => {
  const ranges: { start: number; end: number }[] = [];
  let depth = 0;
  let current: { start: number; end: number } | undefined;
  for (let i = from + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (depth === 0 && t.text.toLowerCase() === 'on') break;
    if (depth === 0 && t.text === ',') {
      if (current) ranges.push(current);
      current = undefined;
      continue;
    }
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    current = current ? { start: current.start, end: t.end } : { start: t.start, end: t.end };
  }
  if (current) ranges.push(current);
  return ranges;
};

const weakenedGrant = (ctx: StatementContext, privilege: number, privileges: readonly string[]): string => {
  if (privileges.length === 1) return blankStatement(ctx.migration, ctx.statement);
  const tokens = ctx.migration.tokens.filter((t) => !t.comment);
  const grant = tokens.findIndex((t) => t.start >= ctx.statement.start);
  const ranges = privilegeRanges(tokens, grant);
  const bytes = ctx.migration.bytes;
  const kept = ranges.filter((_, i) => i !== privilege).map((r) => bytes.subarray(r.start, r.end).toString('utf8'));
  return splice(ctx.migration, ranges[0]!.start, ranges.at(-1)!.end, kept.join(', '));
};

/** Grantees as SQL: quoted role names, or the keyword public. */
const granteesSql = (node: GrantNode): string =>
  (node.grantees ?? []).map((g) => (g.RoleSpec.rolename !== undefined ? quoteIdent(g.RoleSpec.rolename) : 'public')).join(', ');

/** The objects as SQL, with their kind: `"users", "threads"` or `schema "public"`. */
const objectsSql = (node: GrantNode): string | undefined => {
  const objects = node.objects ?? [];
  if (node.objtype === 'OBJECT_TABLE')
    return objects
      .map((o) => o.RangeVar)
      .map((rv) => (rv?.relname ? qualified(rv as RangeVar) : '?'))
      .join(', ');
  if (node.objtype === 'OBJECT_SCHEMA') return `schema ${objects.map((o) => quoteIdent(o.String?.sval ?? '?')).join(', ')}`;
  return undefined;
};

/** Whether another grant in the migrations gives `privilege` (or all) on one of these objects to one of these grantees. */
const grantedElsewhere = (ctx: StatementContext, node: GrantNode, privilege: string): boolean => {
  const objects = new Set(objectNames(node));
  const grantees = new Set(granteeNames(node).split(', '));
  return ctx.migrations.some((migration) =>
    migration.statements.some((statement) => {
      if (statement === ctx.statement || statement.type !== 'GrantStmt') return false;
      const other = statement.node as GrantNode;
      if (other.is_grant !== true || other.objtype !== node.objtype) return false;
      const privileges = (other.privileges ?? []).map((p) => p.AccessPriv.priv_name ?? 'all');
      return (
        (privileges.length === 0 || privileges.includes(privilege) || privileges.includes('all')) &&
        objectNames(other).some((o) => objects.has(o)) &&
        granteeNames(other)
          .split(', ')
          .some((g) => grantees.has(g))
      );
    }),
  );
};

/**
 * A revoke after the migrations, undone by the grant, when that is exact: a table or schema privilege (not
 * per column) that no other grant gives to the same role on the same object. Else a rewrite.
 */
const weakenedChange = (ctx: StatementContext, node: GrantNode, index: number, privileges: readonly string[]): MutantChange => {
  const privilege = privileges[index]!;
  const objects = objectsSql(node);
  const perColumn = node.privileges?.[index]?.AccessPriv.cols !== undefined;
  if (objects === undefined || perColumn || privilege === 'all' || grantedElsewhere(ctx, node, privilege))
    return rewrite(ctx, weakenedGrant(ctx, index, privileges));
  const grantees = granteesSql(node);
  return {
    kind: 'compensate',
    sql: `revoke ${privilege} on ${objects} from ${grantees}`,
    restore: { kind: 'statement', sql: `grant ${privilege} on ${objects} to ${grantees}` },
  };
};

export const grantMutants = (ctx: StatementContext): Mutant[] => {
  const node = ctx.statement.node as GrantNode;
  const on = `${objectNames(node).join(', ')}`;
  if (node.is_grant !== true) {
    const what = (node.privileges ?? []).map((p) => p.AccessPriv.priv_name ?? 'all').join(', ') || 'all';
    return [
      mutantAt(ctx, {
        kind: 'weaken-revoke',
        object: `revoke ${what} on ${on} from ${granteeNames(node)}`,
        tables: affectedTables(node),
        description: `removes \`revoke ${what} on ${on} from ${granteeNames(node)}\``,
        change: rewrite(ctx, blankStatement(ctx.migration, ctx.statement)),
      }),
    ];
  }
  // `grant all` has no list to take one from.
  const privileges = (node.privileges ?? []).map((p) => p.AccessPriv.priv_name ?? 'all');
  return privileges.map((privilege, i) =>
    mutantAt(ctx, {
      kind: 'weaken-grant',
      object: `${privilege} on ${on} to ${granteeNames(node)}`,
      tables: affectedTables(node),
      description: `no longer grants \`${privilege}\` on ${on} to ${granteeNames(node)}`,
      change: weakenedChange(ctx, node, i, privileges),
    }),
  );
};
