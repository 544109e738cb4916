/**
 * Expected cell values: a map whose keys are all matcher keys is a matcher, anything else is a plain value.
 * Checks each matcher's shape (one kind per matcher, known types, regexes that compile).
 */
import { isMap } from 'yaml';
import { authoring as problem, type Diagnostic, type ProblemCode, type SourceLocation } from '../diagnostics.ts';
import { closest } from './suggest.ts';
import type { ExpectedValue, Matcher } from './types.ts';
import { keysOf } from './schema-check.ts';
import { locOf, numberOf, numberTextOf, plainValue, stringOf, valueOf, boolOf } from './yaml-nodes.ts';
import type { Source } from './yaml-nodes.ts';

export const MATCHER_KEYS: ReadonlySet<string> = new Set(['any', 'null', 'not_null', 'regex', 'type', 'approx', 'tolerance', 'gt', 'gte', 'lt', 'lte', 'json']);
export const MATCHER_TYPES = ['uuid', 'integer', 'number', 'string', 'boolean', 'timestamp', 'date', 'json', 'array'] as const;
const COMPARE_OPS = ['gt', 'gte', 'lt', 'lte'] as const;

/** A JavaScript regular expression compiles, or the reason it does not. */
export const regexProblem = (pattern: string): string | undefined => {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
};

/** A bound: a number, a `${var}`, or (for date and timestamp columns) a date or timestamp such as "2026-01-01". */
const isBoundText = (s: string): boolean => /^-?[0-9]+(\.[0-9]+)?$/.test(s) || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(s) || /\d|^[+-]?infinity$/i.test(s);

/** One matcher being built: its kind's argument and where both are, and where problems go. */
type MatcherAt = {
  readonly src: Source;
  readonly node: unknown;
  readonly kind: string;
  readonly arg: unknown;
  readonly loc: SourceLocation;
  readonly argLoc: SourceLocation;
  readonly path: string;
  readonly out: Diagnostic[];
};

/** Records the problem; the matcher is then left out. */
const refused = (m: MatcherAt, code: ProblemCode, message: string, loc = m.argLoc): undefined => {
  m.out.push(problem(code, message, loc));
  return undefined;
};

/** `{ any: true }`, `{ null: true }`, `{ not_null: true }`. */
const flagMatcher = (m: MatcherAt): Matcher | undefined =>
  boolOf(m.arg) === true ? { matcher: m.kind as 'any' | 'null' | 'not_null' } : refused(m, 'DBSPEC_MATCHER', `\`${m.path}\`: write { ${m.kind}: true }`);

const regexMatcher = (m: MatcherAt): Matcher | undefined => {
  const pattern = stringOf(m.arg);
  if (pattern === undefined) return refused(m, 'DBSPEC_MATCHER', `\`${m.path}.regex\` must be text: a regular expression`);
  const why = regexProblem(pattern);
  if (why) return refused(m, 'DBSPEC_BAD_REGEX', `\`${m.path}.regex\`: the regular expression does not compile: ${why}`);
  return { matcher: 'regex', pattern };
};

const typeMatcher = (m: MatcherAt): Matcher | undefined => {
  const type = stringOf(m.arg);
  if (type !== undefined && (MATCHER_TYPES as readonly string[]).includes(type)) return { matcher: 'type', type };
  const suggestion = type === undefined ? undefined : closest(type, MATCHER_TYPES);
  m.out.push(
    problem(
      'DBSPEC_UNKNOWN_MATCHER_TYPE',
      `\`${m.path}\`: unknown matcher type \`${String(type ?? plainValue(m.arg))}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
      m.argLoc,
      `types: ${MATCHER_TYPES.join(', ')}`,
    ),
  );
  return undefined;
};

const approxMatcher = (m: MatcherAt): Matcher | undefined => {
  // Kept as written: `approx: 0.1, tolerance: 0.05` compares exactly, not through doubles.
  const value = numberTextOf(m.arg);
  const tolerance = numberTextOf(valueOf(m.node, 'tolerance'));
  if (value === undefined || tolerance === undefined || (numberOf(valueOf(m.node, 'tolerance')) ?? -1) < 0)
    return refused(m, 'DBSPEC_MATCHER', `\`${m.path}\`: approx needs a number and a tolerance of 0 or more: { approx: 1.5, tolerance: 0.01 }`, m.loc);
  return { matcher: 'approx', value, tolerance };
};

/** `gt`, `gte`, `lt`, `lte`. */
const compareMatcher = (m: MatcherAt): Matcher | undefined => {
  const op = m.kind as (typeof COMPARE_OPS)[number];
  const n = numberTextOf(m.arg);
  const s = stringOf(m.arg);
  if (n === undefined && (s === undefined || !isBoundText(s)))
    return refused(m, 'DBSPEC_MATCHER', `\`${m.path}.${op}\` must be a number (or, for a date or timestamp column, a date such as "2026-01-01")`);
  return { matcher: 'compare', op, value: n ?? s! };
};

const BUILDERS: Readonly<Record<string, (m: MatcherAt) => Matcher | undefined>> = {
  any: flagMatcher,
  null: flagMatcher,
  not_null: flagMatcher,
  regex: regexMatcher,
  type: typeMatcher,
  approx: approxMatcher,
  json: (m) => ({ matcher: 'json', value: plainValue(m.arg) }),
  ...Object.fromEntries(COMPARE_OPS.map((op) => [op, compareMatcher])),
};

const buildMatcher = (src: Source, node: unknown, keys: string[], path: string, out: Diagnostic[]): Matcher | undefined => {
  const loc = locOf(src, node);
  const main = keys.filter((k) => k !== 'tolerance');
  if (main.length !== 1) {
    const message =
      main.length === 0 ? `\`${path}\`: \`tolerance\` only goes with \`approx\`` : `\`${path}\`: a matcher has one kind; this one has ${main.join(' and ')}`;
    out.push(problem('DBSPEC_MATCHER', message, loc, 'to compare a JSON value that looks like a matcher, write { json: ... }'));
    return undefined;
  }
  const kind = main[0]!;
  if (kind !== 'approx' && keys.includes('tolerance')) {
    out.push(problem('DBSPEC_MATCHER', `\`${path}\`: \`tolerance\` only goes with \`approx\``, loc));
    return undefined;
  }
  const arg = valueOf(node, kind);
  return BUILDERS[kind]!({ src, node, kind, arg, loc, argLoc: locOf(src, arg, loc), path, out });
};

/** One expected cell. */
export const buildExpectedValue = (src: Source, node: unknown, path: string, out: Diagnostic[]): ExpectedValue | undefined => {
  const loc = locOf(src, node);
  if (isMap(node)) {
    const keys = keysOf(node);
    if (keys.length > 0 && keys.every((k) => MATCHER_KEYS.has(k))) {
      const m = buildMatcher(src, node, keys, path, out);
      return m ? { ...m, loc } : undefined;
    }
  }
  return { value: plainValue(node), loc };
};
