/**
 * Release gates on real runs: five releases of a small project run by the CLI against PostgreSQL 15, each in
 * fresh databases with that release's migrations, then diffed, trended and merged as a release manager does.
 *
 * r1  base schema, weather ok          r2  same schema, weather bad (data only: a flake)
 * r3  email key dropped + lowercasing  r4  lookups 3x slower (function body), weather ok
 * r5  same as r4, weather bad          r1-rerun: r1 again (same code, fresh noise)
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResults } from '../../runner/results/types.ts';
import { createProject, type Project, type Release } from './project.ts';

const BASE = { auth: 1, backend: 1 };
const FIXED = { auth: 3, backend: 1 };
const SLOW = { auth: 4, backend: 1 };
const results = (label: string) => join('releases', label, 'results.json');

describe('release gates on real runs', function () {
  this.timeout(600_000);
  let project: Project;
  const run: Record<string, { code: number | null; stdout: string; results: RunResults }> = {};
  const release = async (r: Release) => {
    run[r.label] = await project.run(r);
  };

  before(async () => {
    project = await createProject();
    await release({ label: 'r1', migrations: BASE, weather: true, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(project.dir, 'summary.md') } });
    await release({ label: 'r1-rerun', migrations: BASE, weather: true });
    await release({ label: 'r2', migrations: BASE, weather: false });
    await release({ label: 'r3', migrations: FIXED, weather: true });
    await release({ label: 'r4', migrations: SLOW, weather: true });
    await release({ label: 'r5', migrations: SLOW, weather: false });
  });
  after(() => project?.remove());

  it('two runs of the same code with jittered latencies diff to "no change", even with --fail-on change', async () => {
    const [a, b] = [run.r1!.results, run['r1-rerun']!.results];
    const samples = (r: RunResults) => r.specs.flatMap((s) => s.steps.flatMap((st) => st.samples ?? []));
    assert.equal(samples(a).length, 100);
    assert.notDeepEqual(samples(a), samples(b), 'the noise is real: no two samples sets alike');
    const diff = await project.cli(['diff', results('r1'), results('r1-rerun'), '--fail-on', 'change', '--out', 'diff-same']);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr + (await readFile(join(project.dir, 'diff-same', 'diff.md'), 'utf8')));
    assert.match(diff.stdout, /: No changes \(1 benchmark step compared by samples\)/);
  });

  it('a benchmark made slower is judged from its samples, with how sure the diff is', async () => {
    const diff = await project.cli(['diff', results('r3'), results('r4'), '--out', 'diff-slow']);
    assert.equal(diff.code, 1, diff.stdout);
    assert.match(
      diff.stdout,
      /slower: one account per email › lookups stay fast p50 [\d.]+ ms -> [\d.]+ ms \(p50 \+\d+% \[\+\d+%, \+\d+%\], 100 samples each\)/,
    );
    assert.match(diff.stdout, /schema changes: function `lookup_delay\(\)` changed \(auth\)/);
  });

  it('a removed constraint reads "behaviour changed", named beside the steps it broke', async () => {
    const diff = await project.cli(['diff', results('r2'), results('r3'), '--out', 'diff-constraint'], { GITHUB_ACTIONS: 'true' });
    assert.equal(diff.code, 1, diff.stdout);
    assert.match(diff.stdout, /behaviour changed: constraint `auth_users_email_key` on auth_users removed \(auth\) → 2 steps newly failing/);
    assert.match(
      diff.stdout,
      /newly failing: one account per email › the same email cannot register twice .*\[behaviour changed: constraint `auth_users_email_key`/,
    );
    assert.match(diff.stdout, /fixed: emails are stored lower case › a mixed-case email comes back lower case/);
    assert.match(
      diff.stdout,
      /^::error file=specs\/accounts\.spec\.yaml,line=\d+,col=\d+,title=dbspec diff%3A newly failing \(behaviour changed\)::one account per email › the same email cannot register twice/m,
    );
    const md = await readFile(join(project.dir, 'diff-constraint', 'diff.md'), 'utf8');
    assert.match(md, /### Schema changes/);
    assert.match(md, /trigger &#x60;auth\\_users\\_lowercase&#x60; on auth\\_users added \(auth\)/);
    assert.doesNotMatch(md, /index &#x60;auth\\_users\\_email\\_key/, "a unique constraint's own index is not listed apart");
  });

  it('a trend over five releases tells the flaky step, the regression and the fix apart', async () => {
    const files = ['r1', 'r2', 'r3', 'r4', 'r5'].map(results);
    const trend = await project.cli(['trend', ...files, '--out', 'trend']);
    assert.equal(trend.code, 0, trend.stdout + trend.stderr);
    const lines = trend.stdout.split('\n');
    assert.match(lines[0]!, /^dbspec trend: r1 -> r5: 5 releases: 2 regressions, 1 flaky step, 1 fixed, 0 failing throughout$/);
    assert.ok(lines.includes('  regression: one account per email › the same email cannot register twice (since r3) ✅✅❌❌❌'), trend.stdout);
    assert.ok(lines.includes('  regression: one account per email › a sign-up race keeps one account (since r3) ✅✅❌❌❌'), trend.stdout);
    assert.ok(lines.includes('  flaky: the weather flag holds › the weather is fine ✅❌✅✅❌'), trend.stdout);
    assert.ok(lines.includes('  fixed: emails are stored lower case › a mixed-case email comes back lower case (since r3) ❌❌✅✅✅'), trend.stdout);
    const html = await readFile(join(project.dir, 'trend', 'trend.html'), 'utf8');
    assert.match(html, /<svg class="spark" [^>]*aria-label="p95_ms">/);
    assert.match(html, /<h3>r3<\/h3><ul>[\s\S]*?constraint &#x60;auth_users_email_key&#x60; on auth_users removed/);
    assert.equal((await project.cli(['trend', ...files, '--out', 'trend', '--fail-on', 'flaky'])).code, 1);
    assert.equal((await project.cli(['trend', ...files, '--out', 'trend', '--fail-on', 'regression'])).code, 0, 'the regression came in r3, not r5');
  });

  it('an edited expectation reads "spec edited", not "behaviour changed"', async () => {
    await project.edit('weather.spec.yaml', (t) => t.replace('{ ok: true }', '{ ok: false }'));
    try {
      await release({ label: 'r6', migrations: SLOW, weather: true });
    } finally {
      await project.edit('weather.spec.yaml', (t) => t.replace('{ ok: false }', '{ ok: true }'));
    }
    const diff = await project.cli(['diff', results('r4'), results('r6'), '--out', 'diff-edited']);
    assert.equal(diff.code, 1, diff.stdout);
    assert.match(diff.stdout, /Regression: 1 spec newly failing \(1 step\), .*spec edited: 1 step$/m);
    assert.match(diff.stdout, /newly failing: the weather flag holds › the weather is fine .*\[spec edited\]/);
    assert.match(diff.stdout, /specs edited: the weather flag holds/);
    assert.doesNotMatch(diff.stdout, /behaviour changed/);
  });

  it('todo and skip: shown with their reasons, a failing todo does not fail the run, a passing one says to remove it', async () => {
    await release({ label: 'known', migrations: BASE, args: ['specs/known.spec.yaml'] });
    const known = run.known!;
    assert.equal(known.code, 0, known.stdout);
    const steps = known.results.specs[0]!.steps.filter((s) => s.phase === 'step');
    assert.deepEqual(
      steps.map((s) => [s.name, s.status, s.known?.kind, s.known?.fixed ?? false]),
      [
        ['a todo that still fails', 'skipped', 'todo', false],
        ['a todo that passes now', 'passed', 'todo', true],
        ['a skipped step', 'skipped', 'skip', false],
        ['a plain step still runs', 'passed', undefined, false],
      ],
    );
    const md = await readFile(join(project.dir, 'releases', 'known', 'report.md'), 'utf8');
    assert.match(md, /a todo that passes now: fixed: remove the todo \(was broken in 1\.2\)/);
    assert.match(md, /a todo that still fails: todo: arithmetic is not fixed yet, see TICKET-42 \(fails: the row came back different: n expected 3 got 2\)/);
    const junit = await readFile(join(project.dir, 'releases', 'known', 'junit.xml'), 'utf8');
    assert.match(junit, /<skipped message="todo: arithmetic is not fixed yet, see TICKET-42 \(fails: /);
    assert.match(junit, /<skipped message="skip: needs PostgreSQL 19"\/>/);
    assert.match(junit, /<system-out>fixed: remove the todo \(was broken in 1\.2\)<\/system-out>/);
  });

  it('in GitHub Actions: annotations at the spec line, the summary appended, JUnit with the attributes Jenkins wants', async () => {
    const r1 = run.r1!;
    assert.match(
      r1.stdout,
      /^::error file=specs\/lowercase\.spec\.yaml,line=\d+,col=\d+,title=dbspec%3A emails are stored lower case › a mixed-case email comes back lower case::the row came back different/m,
    );
    assert.match(await readFile(join(project.dir, 'summary.md'), 'utf8'), /^## ❌ dbspec · r1: /);
    const junit = await readFile(join(project.dir, 'releases', 'r1', 'junit.xml'), 'utf8');
    assert.match(
      junit,
      /<testsuite name="emails are stored lower case" id="\d+" package="dbspec" timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" hostname="[^"]+" /,
    );
    assert.match(
      junit,
      /<testcase classname="emails are stored lower case" name="a mixed-case email comes back lower case" file="specs\/lowercase\.spec\.yaml" line="\d+" /,
    );
    assert.doesNotMatch(run['r1-rerun']!.stdout, /^::error/m, 'no annotations outside GitHub Actions');
  });

  it('merge refuses 3 of 4 shards naming the missing one, unless --allow-partial; a mixed set is refused too', async () => {
    for (const i of [1, 2, 3, 4]) await release({ label: `s${i}`, release: 'r1', migrations: BASE, weather: true, args: ['specs', '--shard', `${i}/4`] });
    const three = ['s1', 's2', 's3'].map(results);
    const refused = await project.cli(['merge', ...three, '--out', 'merged']);
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(refused.stderr, /incomplete set: missing shard 4\/4 \(have 1, 2, 3 of 4\)/);
    const partial = await project.cli(['merge', ...three, '--out', 'merged', '--allow-partial']);
    assert.equal(partial.code, 0, partial.stderr);
    assert.match(partial.stdout, /PARTIAL: missing shards 4/);
    const whole = await project.cli(['merge', ...three, results('s4'), '--out', 'merged']);
    assert.equal(whole.code, 0, whole.stderr);
    assert.match(whole.stdout, /merged 4 parts: 4 specs/);
    const mixed = await project.cli(['merge', results('s1'), results('r1'), '--out', 'mixed']);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /shards of different selections/);
  });
});
