/**
 * Mutants of privileges: a `grant` gives one privilege less (each privilege in turn; a grant of a single
 * privilege disappears), a `revoke` disappears.
 *
 * Applied by rewriting the statement in the migration text: a compensating `revoke` would also take away the
 * same privilege given by another grant, and a compensating `grant` would give back more than the revoke
 * took when the role never had it; neither is exact.
 */
import { blankStatement, splice, type Token } from './migration-tree.ts';
import type { Mutant } from './mutant.ts';
import { mutantAt, rewrite, type StatementContext } from './statement-context.ts';

type GrantNode = {
  readonly is_grant?: boolean;
  readonly objtype?: string;
  readonly objects?: readonly Record<string, { relname?: string; sval?: string }>[];
  readonly privileges?: readonly { AccessPriv: { priv_name?: string } }[];
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
      change: rewrite(ctx, weakenedGrant(ctx, i, privileges)),
    }),
  );
};
