/**
 * The `interleave` step kind, YAML -> model: named sessions with named statements, the permutations, the
 * per-permutation setup and teardown, and the expected output. Reports what is local to the step: unknown
 * or duplicate statement names, and more orders than anyone could wait for.
 */
import { isMap, isSeq } from 'yaml';
import { authoring as problem, type Diagnostic, type SourceLocation } from '../diagnostics.ts';
import { keyText } from './load.ts';
import { closest } from './suggest.ts';
import type { Expectation, InterleaveSession, InterleaveStep, Permutation, SessionStatement, SqlBlock, StatementExpect } from './types.ts';
import { boolOf, has, itemsOf, locOf, pairsOf, sqlTextOf, stringOf, valueOf, type Source } from './yaml-nodes.ts';
import { permutationCount } from './permutation-count.ts';

/** What build.ts lends this module (passed in, so that the two do not import each other). */
export type BuildHelpers = {
  readonly src: Source;
  readonly out: Diagnostic[];
  readonly dbAt: (holder: unknown) => string | undefined;
  readonly sqlBlock: (node: unknown) => SqlBlock | undefined;
  readonly expectation: (node: unknown, path: string) => Expectation | undefined;
  readonly base: (node: unknown) => { name: string; loc: SourceLocation; timeoutMs?: number };
};

/** Beyond this many orders `permutations: all` takes longer than any spec run should. */
export const MAX_PERMUTATIONS = 500;

const RESULT_KEYS = ['rows', 'includes', 'excludes', 'count', 'error'];

/** `blocks`, or a map with `blocks` and/or rows/count/error. */
const statementExpect = (h: BuildHelpers, node: unknown, path: string): StatementExpect | undefined => {
  if (node === undefined || node === null) return undefined;
  const loc = locOf(h.src, node);
  if (stringOf(node) === 'blocks') return { blocks: true, loc };
  if (!isMap(node)) return undefined;
  const blocks = boolOf(valueOf(node, 'blocks'));
  const result = RESULT_KEYS.some((k) => has(node, k)) ? h.expectation(node, path) : undefined;
  return { ...(blocks !== undefined ? { blocks } : {}), ...(result ? { result } : {}), loc };
};

const statementOf = (h: BuildHelpers, session: string, key: unknown, node: unknown, path: string): SessionStatement | undefined => {
  const name = keyText(key);
  const sql = sqlTextOf(h.src, isMap(node) ? valueOf(node, 'sql') : node);
  if (name === undefined || !sql) return undefined;
  const expect = isMap(node) ? statementExpect(h, valueOf(node, 'expect'), `${path}.${name}.expect`) : undefined;
  return { name, session, sql, ...(expect ? { expect } : {}), loc: locOf(h.src, key) };
};

const sessionOf = (h: BuildHelpers, key: unknown, node: unknown, path: string): InterleaveSession | undefined => {
  const name = keyText(key);
  const db = h.dbAt(node);
  if (name === undefined || db === undefined) return undefined;
  const setup = sqlTextOf(h.src, valueOf(node, 'setup'));
  const statements = pairsOf(valueOf(node, 'statements')).flatMap((pair) => statementOf(h, name, pair.key, pair.value, `${path}.${name}.statements`) ?? []);
  return { name, db, ...(setup ? { setup } : {}), statements, loc: locOf(h.src, key) };
};

const permutationOf = (h: BuildHelpers, node: unknown, path: string): Permutation => ({
  entries: itemsOf(node).flatMap((item, i) => {
    const name = stringOf(item);
    if (name !== undefined) return [{ statement: name, loc: locOf(h.src, item) }];
    const pair = pairsOf(item)[0];
    const statement = pair && keyText(pair.key);
    if (statement === undefined) return [];
    const expect = statementExpect(h, pair!.value, `${path}[${i}].${statement}`);
    return [{ statement, ...(expect ? { expect } : {}), loc: locOf(h.src, pair!.key) }];
  }),
  loc: locOf(h.src, node),
});

/** Statement names are unique across sessions; permutations name only statements that exist. */
const checkNames = (h: BuildHelpers, step: InterleaveStep): void => {
  const seen = new Map<string, SessionStatement>();
  for (const s of step.sessions.flatMap((x) => x.statements)) {
    const first = seen.get(s.name);
    if (first)
      h.out.push(
        problem(
          'DBSPEC_DUPLICATE_STATEMENT',
          `two statements are named \`${s.name}\` (in sessions ${first.session} and ${s.session})`,
          s.loc,
          'statement names are unique within an interleaving',
        ),
      );
    else seen.set(s.name, s);
  }
  if (step.permutations === 'all') {
    const count = permutationCount(step.sessions.map((s) => s.statements.length));
    if (count > MAX_PERMUTATIONS)
      h.out.push(
        problem(
          'DBSPEC_TOO_MANY_PERMUTATIONS',
          `\`permutations: all\` would run ${count.toLocaleString('en')} orders; at most ${MAX_PERMUTATIONS} are allowed`,
          step.loc,
          'list the orders that matter under `permutations:`',
        ),
      );
    return;
  }
  for (const p of step.permutations) {
    for (const e of p.entries) {
      if (seen.has(e.statement)) continue;
      const guess = closest(e.statement, seen.keys());
      h.out.push(
        problem(
          'DBSPEC_UNKNOWN_STATEMENT',
          `no session has a statement named \`${e.statement}\`${guess ? `; did you mean \`${guess}\`?` : ''}`,
          e.loc,
          `statements: ${[...seen.keys()].join(', ')}`,
        ),
      );
    }
  }
};

export const interleaveStep = (h: BuildHelpers, node: unknown, path: string): InterleaveStep | undefined => {
  const body = valueOf(node, 'interleave');
  if (!isMap(body)) return undefined;
  const sessions = pairsOf(valueOf(body, 'sessions')).flatMap((pair) => sessionOf(h, pair.key, pair.value, `${path}.interleave.sessions`) ?? []);
  const permutationsNode = valueOf(body, 'permutations');
  const permutations =
    permutationsNode === undefined || stringOf(permutationsNode) === 'all'
      ? 'all'
      : itemsOf(permutationsNode).map((p, i) => permutationOf(h, p, `${path}.interleave.permutations[${i}]`));
  const blocks = (key: string): SqlBlock[] => itemsOf(valueOf(body, key)).flatMap((n) => h.sqlBlock(n) ?? []);
  const output = sqlTextOf(h.src, valueOf(valueOf(node, 'expect'), 'output'));
  const step: InterleaveStep = {
    ...h.base(node),
    kind: 'interleave',
    sessions,
    permutations: isSeq(permutationsNode) || permutations === 'all' ? permutations : 'all',
    setup: blocks('setup'),
    teardown: blocks('teardown'),
    ...(output ? { output } : {}),
  };
  checkNames(h, step);
  return step;
};
