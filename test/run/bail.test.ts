/**
 * `--bail`: the run stops starting specs after the first failing one and says so in plain words, and the
 * console counts the same failing steps as results.json (mocha is not told to bail: the engine is).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults } from '../../runner/results/types.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';
import { cleanEnv, REPO, runCli, type CliRun } from './cli-process.ts';

const FIXTURES = join(REPO, 'test', 'run', 'fixtures');
const spec = (name: string) => join(FIXTURES, 'specs', `${name}.spec.yaml`);

describe('--bail', function () {
  let dbs: ScratchDatabases;
  let out: string;
  let run: CliRun;
  let results: RunResults;

  before(async function () {
    const [local] = await testServers();
    dbs = await scratchDatabases(local!, ['auth', 'backend'], { migrationsRoot: join(FIXTURES, 'db') });
    out = await mkdtemp(join(tmpdir(), 'dbspec-bail-'));
    run = await runCli(
      ['run', spec('every-kind-fails'), spec('leaks'), '--bail', '--config', join(FIXTURES, 'dbspec.config.yaml'), '--out', out, '--timeout', '2s'],
      cleanEnv(dbs.env),
    );
    results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResults;
  });
  after(async function () {
    await dbs?.drop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('says it stopped after the first failure, not that it was interrupted', function () {
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /dbspec: 2 specs: 0 passed, 1 failed, 1 skipped in [\d.]+ s \(stopped after the first failure: --bail\)/);
    assert.doesNotMatch(run.stdout, /interrupted/);
    assert.equal(results.interrupted, false);
    assert.equal(results.stoppedAfterFailure, true);
  });

  it('counts the same failing steps in the console as in results.json', function () {
    const failing = Number(/(\d+) failing/.exec(run.stdout)?.[1]);
    assert.equal(failing, results.summary.steps.failed + results.summary.steps.errored);
    assert.ok(failing > 1, 'every failing step of the first spec is shown, not only the first');
    assert.equal(results.specs.find((s) => s.name === 'a spec that forgets its cleanup')?.status, 'skipped');
  });
});
