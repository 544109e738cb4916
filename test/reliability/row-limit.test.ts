/**
 * A statement returning millions of rows fails its step at the row limit (--max-rows) with ROW_LIMIT,
 * instead of growing the heap until V8 aborts: the run goes on, results are written, cleanup ran, and the
 * embedded server is gone afterwards.
 */
import assert from 'node:assert/strict';
import { cleanEnv, runCli } from '../run/cli-process.ts';
import { adminQuery, CONFIG, fixtureSpec, readResults, specNamed, scratchRun } from './run-fixture.ts';

describe('reliability: a statement returning millions of rows', function () {
  this.timeout(60_000);
  const run = scratchRun();

  it('fails that step with ROW_LIMIT; the next step, cleanup and the results are fine', async function () {
    const done = await runCli(['run', fixtureSpec('many-rows'), '--config', CONFIG, '--out', run.out, '--max-rows', '1000'], cleanEnv(run.dbs.env));
    assert.equal(done.code, 1, done.stdout + done.stderr);
    assert.doesNotMatch(done.stderr, /FATAL|heap|\n\s+at /);
    const spec = specNamed(await readResults(run.out), 'a statement returning millions of rows');
    const big = spec.steps.find((s) => s.name === 'five million rows')!;
    assert.equal(big.failure?.code, 'ROW_LIMIT');
    assert.match(big.failure!.message, /more than 1,000 rows.*--max-rows/);
    assert.equal(spec.steps.find((s) => s.name === 'the next step runs on the same databases')?.status, 'passed');
    assert.equal(spec.steps.find((s) => s.phase === 'cleanup')?.status, 'passed');
    assert.deepEqual(await adminQuery(run.dbs.urls.backend!, 'select count(*)::int as n from items'), [{ n: 0 }]);
  });

  it('--max-rows must be a whole number', async function () {
    const done = await runCli(['run', fixtureSpec('many-rows'), '--config', CONFIG, '--max-rows', 'lots']);
    assert.equal(done.code, 2);
    assert.match(done.stderr, /--max-rows takes a whole number/);
  });
});
