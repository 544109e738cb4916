/**
 * YAML document -> Spec model. Runs after the schema check and tolerates any shape the schema already
 * reported (such parts are left out), so that every meaning problem of a file is found in the same pass.
 * Reports only what is local to a value: matchers, durations, expected-error combinations.
 */
import { isMap } from 'yaml';
import type { Diagnostic, SourceLocation } from '../diagnostics.ts';
import { parseDuration } from './duration.ts';
import { keyText } from './load.ts';
import { expectation } from './build-expectation.ts';
import { kindOfKey, STEP_KEYS, stepDatabases } from './step-kinds.ts';
import { type BuildHelpers, interleaveStep } from './build-interleave.ts';
import { schemaStep, upgradeStep } from './build-schema.ts';
import type {
  BenchmarkStep,
  CompareSide,
  CompareStep,
  ConcurrentStep,
  Eventually,
  Known,
  LatencyBound,
  QueryStep,
  Spec,
  SqlBlock,
  SqlText,
  Step,
  StepKind,
  TransactionStep,
  VarDecl,
} from './types.ts';
import { boolOf, has, intOf, itemsOf, locOf, numberOf, pairsOf, plainValue, sqlTextOf, stringOf, valueOf } from './yaml-nodes.ts';
import type { Source } from './yaml-nodes.ts';

/** A value the meaning check looks up later (a database name, a SQLSTATE), with where it is written. */
export type Reference = { readonly value: string; readonly loc: SourceLocation };

export type Ctx = { readonly src: Source; readonly out: Diagnostic[]; readonly dbRefs: Reference[]; readonly codeRefs: Reference[] };

/** Remembers a database name where it is written. */
export const dbAt = (c: Ctx, holder: unknown): string | undefined => {
  const node = valueOf(holder, 'db');
  const db = stringOf(node);
  if (db !== undefined) c.dbRefs.push({ value: db, loc: locOf(c.src, node) });
  return db;
};

const LATENCY_STATS = ['avg_ms', 'p50_ms', 'p95_ms', 'p99_ms', 'max_ms'] as const;

export const sqlBlock = (c: Ctx, node: unknown): SqlBlock | undefined => {
  const db = dbAt(c, node);
  const sql = sqlTextOf(c.src, valueOf(node, 'sql'));
  return db !== undefined && sql ? { db, sql, loc: locOf(c.src, node) } : undefined;
};

const columnMap = (c: Ctx, node: unknown) => {
  const out: Record<string, { column: string; loc: ReturnType<typeof locOf> }> = {};
  for (const pair of pairsOf(node)) {
    const name = keyText(pair.key);
    const column = stringOf(pair.value);
    if (name !== undefined && column !== undefined) out[name] = { column, loc: locOf(c.src, pair.key) };
  }
  return out;
};

const eventually = (c: Ctx, node: unknown, path: string): Eventually | undefined => {
  if (!isMap(node)) return undefined;
  const within = parseDuration(stringOf(valueOf(node, 'within')) ?? '');
  const every = has(node, 'every') ? parseDuration(stringOf(valueOf(node, 'every')) ?? '') : 100;
  if (within === undefined || every === undefined) return undefined;
  if (within === 0 || every === 0 || every > within) {
    c.out.push({
      kind: 'authoring',
      code: 'DBSPEC_BAD_DURATION',
      message: `\`${path}\`: \`within\` and \`every\` must be more than 0, and \`every\` at most \`within\``,
      location: locOf(c.src, node),
    });
    return undefined;
  }
  return { withinMs: within, everyMs: every, loc: locOf(c.src, node) };
};

/** `skip: reason` or `todo: reason` on a spec or step; skip wins when both are written (nothing runs). */
const knownOf = (c: Ctx, node: unknown): { known: Known } | Record<string, never> => {
  for (const kind of ['skip', 'todo'] as const) {
    const value = valueOf(node, kind);
    const reason = stringOf(value);
    if (reason !== undefined) return { known: { kind, reason, loc: locOf(c.src, value) } };
  }
  return {};
};

export const base = (c: Ctx, node: unknown) => {
  const timeout = stringOf(valueOf(node, 'timeout'));
  const timeoutMs = timeout === undefined ? undefined : parseDuration(timeout);
  if (timeoutMs === 0)
    c.out.push({ kind: 'authoring', code: 'DBSPEC_BAD_DURATION', message: 'a timeout must be more than 0', location: locOf(c.src, valueOf(node, 'timeout')) });
  return { name: stringOf(valueOf(node, 'name')) ?? '', loc: locOf(c.src, node), ...(timeoutMs ? { timeoutMs } : {}), ...knownOf(c, node) };
};

const queryStep = (c: Ctx, node: unknown, path: string): QueryStep | undefined => {
  const db = dbAt(c, node);
  const sql = sqlTextOf(c.src, valueOf(node, 'sql'));
  if (db === undefined || !sql) return undefined;
  const expect = expectation(c, valueOf(node, 'expect'), `${path}.expect`);
  const ev = eventually(c, valueOf(node, 'eventually'), `${path}.eventually`);
  return {
    ...base(c, node),
    kind: 'query',
    db,
    sql,
    ...(expect ? { expect } : {}),
    capture: columnMap(c, valueOf(node, 'capture')),
    metrics: columnMap(c, valueOf(node, 'metrics')),
    ...(ev ? { eventually: ev } : {}),
  };
};

const transactionStep = (c: Ctx, node: unknown, path: string): TransactionStep | undefined => {
  const db = dbAt(c, node);
  const statements = itemsOf(valueOf(node, 'transaction')).map((n) => sqlTextOf(c.src, n));
  if (db === undefined || statements.length === 0 || statements.some((s) => !s)) return undefined;
  const expect = expectation(c, valueOf(node, 'expect'), `${path}.expect`);
  return {
    ...base(c, node),
    kind: 'transaction',
    db,
    statements: statements as SqlText[],
    rollback: boolOf(valueOf(node, 'rollback')) ?? false,
    ...(expect ? { expect } : {}),
  };
};

const concurrentStep = (c: Ctx, node: unknown): ConcurrentStep | undefined => {
  const body = valueOf(node, 'concurrent');
  const db = dbAt(c, body);
  const sessions = intOf(valueOf(body, 'sessions'));
  const sql = sqlTextOf(c.src, valueOf(body, 'sql'));
  if (db === undefined || sessions === undefined || !sql) return undefined;
  const expectNode = valueOf(node, 'expect');
  const succeeded = intOf(valueOf(expectNode, 'succeeded'));
  const failedNode = valueOf(expectNode, 'failed');
  const failed: Record<string, number> = {};
  for (const pair of pairsOf(failedNode)) {
    const code = keyText(pair.key);
    const n = intOf(pair.value);
    if (code !== undefined) c.codeRefs.push({ value: code, loc: locOf(c.src, pair.key) });
    if (code !== undefined && n !== undefined) failed[code] = n;
  }
  return {
    ...base(c, node),
    kind: 'concurrent',
    db,
    sessions,
    sql,
    barrier: boolOf(valueOf(body, 'barrier')) ?? false,
    expect: { ...(succeeded !== undefined ? { succeeded } : {}), ...(isMap(failedNode) ? { failed } : {}), loc: locOf(c.src, expectNode ?? node) },
  };
};

const compareSide = (c: Ctx, node: unknown): CompareSide | undefined => sqlBlock(c, node);

const compareStep = (c: Ctx, node: unknown): CompareStep | undefined => {
  const body = valueOf(node, 'compare');
  const left = compareSide(c, valueOf(body, 'left'));
  const right = compareSide(c, valueOf(body, 'right'));
  if (!left || !right) return undefined;
  const relation = stringOf(valueOf(body, 'expect'));
  return {
    ...base(c, node),
    kind: 'compare',
    left,
    right,
    relation: relation === 'subset' || relation === 'superset' ? relation : 'equal',
    ordered: boolOf(valueOf(body, 'ordered')) ?? false,
  };
};

const benchmarkStep = (c: Ctx, node: unknown): BenchmarkStep | undefined => {
  const body = valueOf(node, 'benchmark');
  const db = dbAt(c, body);
  const sql = sqlTextOf(c.src, valueOf(body, 'sql'));
  const iterations = intOf(valueOf(body, 'iterations'));
  if (db === undefined || !sql || iterations === undefined) return undefined;
  const expectNode = valueOf(node, 'expect');
  const bounds: LatencyBound[] = [];
  for (const pair of pairsOf(expectNode)) {
    const stat = keyText(pair.key) as LatencyBound['stat'];
    const maxMs = numberOf(pair.value);
    if (LATENCY_STATS.includes(stat) && maxMs !== undefined) bounds.push({ stat, maxMs, loc: locOf(c.src, pair.key) });
  }
  const metrics: Record<string, { stat: LatencyBound['stat']; loc: ReturnType<typeof locOf> }> = {};
  for (const pair of pairsOf(valueOf(node, 'metrics'))) {
    const name = keyText(pair.key);
    const stat = stringOf(pair.value) as LatencyBound['stat'];
    if (name !== undefined && LATENCY_STATS.includes(stat)) metrics[name] = { stat, loc: locOf(c.src, pair.key) };
  }
  return {
    ...base(c, node),
    kind: 'benchmark',
    db,
    sql,
    iterations,
    concurrency: intOf(valueOf(body, 'concurrency')) ?? 1,
    warmup: intOf(valueOf(body, 'warmup')) ?? 0,
    bounds,
    metrics,
  };
};

/** The parts of this module the builders of other files use (passed in, so that they do not import it). */
const helpersFor = (c: Ctx): BuildHelpers => ({
  src: c.src,
  out: c.out,
  dbAt: (holder) => dbAt(c, holder),
  sqlBlock: (node) => sqlBlock(c, node),
  expectation: (node, path) => expectation(c, node, path),
  base: (node) => base(c, node),
});

/** One builder per step kind; `undefined` when the schema already reported what is missing. */
const BUILDERS: { readonly [K in StepKind]: (c: Ctx, node: unknown, path: string) => Extract<Step, { kind: K }> | undefined } = {
  query: queryStep,
  transaction: transactionStep,
  concurrent: concurrentStep,
  compare: compareStep,
  benchmark: benchmarkStep,
  interleave: (c, node, path) => interleaveStep(helpersFor(c), node, path),
  upgrade: (c, node) => upgradeStep(helpersFor(c), node),
  schema: (c, node, path) => schemaStep(helpersFor(c), node, path),
};

const step = (c: Ctx, node: unknown, i: number): Step | undefined => {
  const kinds = STEP_KEYS.filter((k) => has(node, k));
  const kind = kinds.length === 1 ? kindOfKey(kinds[0]!) : undefined;
  if (!isMap(node) || kind === undefined) return undefined;
  return BUILDERS[kind](c, node, `steps[${i}]`);
};

export type Built = { spec: Spec; diagnostics: Diagnostic[]; dbRefs: Reference[]; codeRefs: Reference[] };

export const buildSpec = (src: Source, root: unknown): Built => {
  const c: Ctx = { src, out: [], dbRefs: [], codeRefs: [] };
  const vars: VarDecl[] = pairsOf(valueOf(root, 'vars')).flatMap((pair) => {
    const name = keyText(pair.key);
    // A name the schema refused is left out rather than reported twice (e.g. also as unused).
    return name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? [] : [{ name, value: plainValue(pair.value), loc: locOf(src, pair.key) }];
  });
  const setup = itemsOf(valueOf(root, 'setup')).flatMap((n) => sqlBlock(c, n) ?? []);
  const steps = itemsOf(valueOf(root, 'steps')).flatMap((n, i) => step(c, n, i) ?? []);
  const cleanup = itemsOf(valueOf(root, 'cleanup')).flatMap((n) => sqlBlock(c, n) ?? []);
  const databases = [...new Set([...setup.map((b) => b.db), ...steps.flatMap(stepDatabases), ...cleanup.map((b) => b.db)])];
  const description = stringOf(valueOf(root, 'description'));
  const spec: Spec = {
    file: src.file,
    name: stringOf(valueOf(root, 'name')) ?? '',
    ...(description !== undefined ? { description } : {}),
    tags: itemsOf(valueOf(root, 'tags')).flatMap((n) => stringOf(n) ?? []),
    vars,
    setup,
    steps,
    cleanup,
    databases,
    fixtures: [],
    // The spec is where its name is written: duplicate-name reports and result locations point there.
    loc: locOf(src, valueOf(root, 'name') ?? root),
    ...knownOf(c, root),
  };
  return { spec, diagnostics: c.out, dbRefs: c.dbRefs, codeRefs: c.codeRefs };
};
