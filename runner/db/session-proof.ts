/**
 * Can a statement leave state in its session for the next statement on the same pooled connection? The
 * connection is reset (DISCARD ALL) after every statement unless this proves it cannot: the statement's
 * parse tree (sql/effects.ts) and the catalog (write-graph.ts) together must show no SET, PREPARE, LISTEN,
 * cursor or temporary table; no call of a built-in that sets session state (set_config, session advisory
 * locks, setseed, dblink); no view read or written (a view may call anything); no write to anything but a
 * user table (`update pg_settings` is a write to a catalog view); and every user function it can reach —
 * called, or run by a trigger, a default, a check or a row level security policy of a table it touches,
 * also one named like a built-in (`public.lower`) — proven the same way from its body.
 * Not counted as session state, knowingly: a sequence's currval/lastval (every insert into a serial column
 * sets them, as in any application's pooled connections).
 */
import type { SqlEffects } from '../sql/effects.ts';
import { functionsNamed, tablesNamed, type Relation, type WriteGraph } from './write-graph.ts';

/** Built-ins whose effect outlives the statement in the session. */
const SESSION_BUILTINS = new Set([
  'set_config',
  'pg_advisory_lock',
  'pg_advisory_lock_shared',
  'pg_try_advisory_lock',
  'pg_try_advisory_lock_shared',
  'pg_advisory_unlock',
  'pg_advisory_unlock_shared',
  'pg_advisory_unlock_all',
  'setseed',
  'dblink_connect',
  'dblink_connect_u',
  'dblink_open',
]);

/** Why `effects` may change the session, or undefined when it provably cannot. */
export const sessionChange = (graph: WriteGraph, effects: SqlEffects): string | undefined => {
  const seenFunctions = new Set<string>();
  const seenTables = new Set<string>();
  const pending: SqlEffects[] = [effects];
  const touch = (relation: Relation, written: boolean): string | undefined => {
    if (relation.kind === 'v') return `uses the view ${relation.key}`;
    const key = `${relation.oid}:${written}`;
    if (seenTables.has(key)) return undefined;
    seenTables.add(key);
    const policies = graph.policies.get(relation.oid);
    if (policies) pending.push(policies);
    if (!written) return undefined;
    if (relation.hasRules) return `${relation.key} has rules`;
    const expressions = graph.expressions.get(relation.oid);
    if (expressions) pending.push(expressions);
    for (const fn of graph.triggers.get(relation.oid) ?? []) {
      const info = graph.functions.get(fn);
      if (!info) return `a trigger on ${relation.key} runs a function dbspec cannot read`;
      pending.push(info.effects());
    }
    for (const child of graph.cascades.get(relation.oid) ?? []) {
      const c = graph.relations.get(child);
      const why = c && touch(c, true);
      if (why) return why;
    }
    return undefined;
  };
  while (pending.length > 0) {
    const next = pending.pop()!;
    const why = next.session ?? next.opaque;
    if (why !== undefined) return why;
    for (const fn of next.functions) {
      if (SESSION_BUILTINS.has(fn.name)) return `calls ${fn.name}`;
      for (const info of functionsNamed(graph, fn)) {
        if (seenFunctions.has(info.oid)) continue;
        seenFunctions.add(info.oid);
        pending.push(info.effects());
      }
    }
    for (const name of next.writes) {
      const targets = tablesNamed(graph, name);
      // Not a user table: a catalog view such as pg_settings, or a temporary table.
      if (targets.length === 0) return `writes ${name.schema ? `${name.schema}.` : ''}${name.name}`;
      for (const relation of targets) {
        const why = touch(relation, true);
        if (why) return why;
      }
    }
    for (const name of next.reads) {
      for (const relation of tablesNamed(graph, name)) {
        const why = touch(relation, false);
        if (why) return why;
      }
    }
  }
  return undefined;
};
