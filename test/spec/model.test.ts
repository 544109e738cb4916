/** loadSpec builds the typed Spec model: kinds, matchers, durations, databases, locations. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Spec } from '../../runner/spec/types.ts';
import { loadSpec } from '../../runner/spec/validate.ts';
import { assertWithin } from '../support/timing.ts';

const SPEC = `name: model
tags: [a, b]
vars:
  user_id: \${uuid}
  big: 9007199254740993
setup:
  - db: backend
    sql: select \${user_id}::uuid
steps:
  - name: query
    db: auth
    sql: |
      select 1 as n,
             \${big}::bigint as big
    expect:
      rows:
        - { n: { gte: 1 }, big: 9007199254740993, id: { type: uuid }, t: { any: true }, e: { regex: "^u" }, x: { approx: 1.5, tolerance: 0.1 }, j: { json: { type: x } }, m: { plan: pro } }
      ordered: true
      columns: exact
    capture: { got: n }
    metrics: { n_metric: n }
    eventually: { within: 2s, every: 250ms }
    timeout: 1m
  - name: tx
    db: backend
    transaction:
      - select \${got}
      - select 2
    rollback: true
    expect: { error: { code: "23505", constraint: c, message: "dup.*" } }
  - name: conc
    concurrent: { db: backend, sessions: 3, barrier: true, sql: "select \${session}" }
    expect: { succeeded: 1, failed: { "40001": 2 } }
  - name: cmp
    compare:
      left: { db: auth, sql: select 1 }
      right: { db: backend, sql: select 1 }
      expect: subset
  - name: bench
    benchmark: { db: backend, sql: "select \${iteration}", iterations: 20, concurrency: 2 }
    expect: { p95_ms: 50, max_ms: 200 }
    metrics: { avg_latency: avg_ms }
cleanup:
  - db: auth
    sql: select \${got}
`;

describe('loadSpec: the Spec model', () => {
  let dir: string;
  let spec: Spec;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-model-'));
    await writeFile(join(dir, 'm.spec.yaml'), SPEC);
    const result = await loadSpec('m.spec.yaml', { databases: ['auth', 'backend'], cwd: dir });
    assert.deepEqual(result.diagnostics, []);
    spec = result.spec!;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the top level, databases in first-use order, and where the name is written', () => {
    assert.equal(spec.file, 'm.spec.yaml');
    assert.deepEqual([spec.name, spec.tags, spec.databases], ['model', ['a', 'b'], ['backend', 'auth']]);
    assert.deepEqual([spec.loc.line, spec.loc.column], [1, 7]);
    assert.deepEqual(
      spec.vars.map((v) => [v.name, v.value]),
      [
        ['user_id', '${uuid}'],
        ['big', 9007199254740993n],
      ],
    );
  });

  it('decides step kinds by key and reads each kind', () => {
    assert.deepEqual(
      spec.steps.map((s) => s.kind),
      ['query', 'transaction', 'concurrent', 'compare', 'benchmark'],
    );
    const [q, t, c, cmp, b] = spec.steps;
    assert.ok(q?.kind === 'query' && t?.kind === 'transaction' && c?.kind === 'concurrent' && cmp?.kind === 'compare' && b?.kind === 'benchmark');
    assert.equal(q.timeoutMs, 60_000);
    assert.deepEqual([q.eventually?.withinMs, q.eventually?.everyMs], [2000, 250]);
    assert.ok(q.expect?.kind === 'result' && t.expect?.kind === 'error');
    assert.deepEqual([q.expect.ordered, q.expect.columns], [true, 'exact']);
    assert.equal(q.capture.got?.column, 'n');
    assert.equal(q.metrics.n_metric?.column, 'n');
    assert.deepEqual(
      [t.rollback, t.statements.length, t.expect.error.code, t.expect.error.constraint, t.expect.error.message],
      [true, 2, '23505', 'c', 'dup.*'],
    );
    assert.deepEqual([c.sessions, c.barrier, c.expect.succeeded, c.expect.failed], [3, true, 1, { '40001': 2 }]);
    assert.deepEqual([cmp.relation, cmp.left.db, cmp.right.db, cmp.ordered], ['subset', 'auth', 'backend', false]);
    assert.deepEqual(
      [b.iterations, b.concurrency, b.warmup, b.bounds.map((x) => [x.stat, x.maxMs]), b.metrics.avg_latency?.stat],
      [
        20,
        2,
        0,
        [
          ['p95_ms', 50],
          ['max_ms', 200],
        ],
        'avg_ms',
      ],
    );
  });

  it('reads matchers in expected cells and keeps other maps as plain values, big integers exact', () => {
    const q = spec.steps[0]!;
    assert.ok(q.kind === 'query' && q.expect?.kind === 'result');
    const cells = q.expect.rows![0]!.cells;
    const strip = (v: object) => Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'loc'));
    // Matcher numbers keep the text written, for exact comparison.
    assert.deepEqual(strip(cells.n!), { matcher: 'compare', op: 'gte', value: '1' });
    assert.deepEqual(strip(cells.big!), { value: 9007199254740993n });
    assert.deepEqual(strip(cells.id!), { matcher: 'type', type: 'uuid' });
    assert.deepEqual(strip(cells.t!), { matcher: 'any' });
    assert.deepEqual(strip(cells.e!), { matcher: 'regex', pattern: '^u' });
    assert.deepEqual(strip(cells.x!), { matcher: 'approx', value: '1.5', tolerance: '0.1' });
    assert.deepEqual(strip(cells.j!), { matcher: 'json', value: { type: 'x' } });
    assert.deepEqual(strip(cells.m!), { value: { plan: 'pro' } });
  });

  it('maps each line of a block scalar to its line and column in the file', () => {
    const q = spec.steps[0]!;
    assert.ok(q.kind === 'query');
    assert.equal(q.sql.text, 'select 1 as n,\n       ${big}::bigint as big\n');
    assert.deepEqual(
      q.sql.lineStarts.slice(0, 2).map((l) => [l.line, l.column]),
      [
        [13, 7],
        [14, 7],
      ],
    );
  });
});

describe('loadSpec: unsafe input stays fast', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-unsafe-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: Record<string, [string, string]> = {
    'a 3 MB map': ['name: x\nsteps: []\n' + Array.from({ length: 100_000 }, (_, i) => `k${i}: [1, 2, "abc"]\n`).join(''), 'DBSPEC_YAML_TOO_LARGE'],
    'a 4 MB flow list': ['name: x\nsteps: [' + '1,'.repeat(2_000_000) + '1]\n', 'DBSPEC_YAML_TOO_LARGE'],
    'two million empty lists': ['name: x\nsteps: ' + '[]'.repeat(2_000_000) + '\n', 'DBSPEC_YAML_TOO_LARGE'],
    'a million nested brackets': ['name: x\nsteps: ' + '['.repeat(1_000_000) + '\n', 'DBSPEC_YAML_TOO_DEEP'],
    'a 4 MB SQL block': ['name: x\nsteps:\n  - name: s\n    db: auth\n    sql: |\n' + '      select 1;\n'.repeat(300_000), 'DBSPEC_SQL_TOO_LONG'],
  };
  for (const [what, [text, code]] of Object.entries(cases)) {
    it(`refuses ${what} within a second`, async () => {
      await writeFile(join(dir, 'u.spec.yaml'), text);
      const started = performance.now();
      const { diagnostics } = await loadSpec('u.spec.yaml', { databases: ['auth'], cwd: dir });
      const ms = performance.now() - started;
      assert.deepEqual(
        diagnostics.map((d) => d.code),
        [code],
      );
      assertWithin(ms, 1000, what);
    });
  }
});
