/**
 * `dbspec run` end to end: every step kind passing and failing, the isolation check, and an interrupted
 * run, against the machine's PostgreSQL 15 and an embedded PostgreSQL 18, through the CLI as a user runs it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults, SpecResult } from '../../runner/results/types.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';
import { cleanEnv, REPO, runCli, startCli } from './cli-process.ts';

const FIXTURES = join(REPO, 'test', 'run', 'fixtures');
const CONFIG = join(FIXTURES, 'dbspec.config.yaml');
const spec = (name: string) => join(FIXTURES, 'specs', `${name}.spec.yaml`);

const readResults = async (dir: string): Promise<RunResults> => JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
const specNamed = (results: RunResults, name: string): SpecResult => {
  const found = results.specs.find((s) => s.name === name);
  assert.ok(found, `no spec named ${name} in results`);
  return found;
};

/** What the failing fixture's steps must fail with, step by step. */
const EXPECTED_FAILURES: Record<string, string> = {
  'wrong rows': 'ROWS_MISMATCH',
  'wrong count': 'COUNT_MISMATCH',
  'an error that does not happen': 'ERROR_EXPECTED',
  'a different error': 'ERROR_MISMATCH',
  'an unexpected error': 'UNEXPECTED_ERROR',
  'a capture from no rows': 'CAPTURE_MISSING',
  'a step that needs the missing capture': 'CAPTURE_MISSING',
  'a transaction that should have failed': 'ERROR_EXPECTED',
  'concurrency that does not conflict': 'CONCURRENCY_MISMATCH',
  'databases that disagree': 'COMPARE_MISMATCH',
  'an impossible latency bound': 'LATENCY_BOUND',
  'data that never arrives': 'ROWS_MISMATCH',
  'a statement that hangs': 'TIMEOUT',
};

const servers = await testServers();

for (const server of servers) {
  describe(`dbspec run against ${server.label}`, function () {
    let dbs: ScratchDatabases;
    let out: string;
    let results: RunResults;
    let code: number | null;
    let stdout: string;

    before(async function () {
      dbs = await scratchDatabases(server, ['auth', 'backend'], { migrationsRoot: join(FIXTURES, 'db') });
      out = await mkdtemp(join(tmpdir(), 'dbspec-run-test-'));
      const run = await runCli(
        ['run', spec('every-kind-passes'), spec('every-kind-fails'), spec('leaks'), '--config', CONFIG, '--out', out, '--reporter', 'spec'],
        cleanEnv(dbs.env),
      );
      ({ code, stdout } = run);
      if (!(await readdir(out)).includes('results.json')) assert.fail(`no results.json; output:\n${run.stdout}\n${run.stderr}`);
      results = await readResults(out);
    });
    after(async function () {
      await dbs?.drop();
      if (out) await rm(out, { recursive: true, force: true });
    });

    it('exits 1 because some specs fail', function () {
      assert.equal(code, 1, stdout);
    });

    it('passes every step kind that should pass', function () {
      const passing = specNamed(results, 'every step kind passes');
      const notPassed = passing.steps.filter((s) => s.status !== 'passed').map((s) => `${s.name}: ${s.failure?.message}`);
      assert.deepEqual(notPassed, []);
      assert.equal(passing.status, 'passed');
      assert.equal(passing.metrics.increments, 4);
      assert.ok((passing.metrics.lookup_avg_ms ?? -1) >= 0);
    });

    it('fails each failing step with its own code and location', function () {
      const failing = specNamed(results, 'every step kind fails');
      const codes = Object.fromEntries(failing.steps.filter((s) => s.phase === 'step').map((s) => [s.name, s.failure?.code ?? s.status]));
      assert.deepEqual(codes, EXPECTED_FAILURES);
      for (const step of failing.steps.filter((s) => s.phase === 'step')) {
        assert.match(step.failure?.location ?? '', /every-kind-fails\.spec\.yaml:\d+:\d+$/);
        // The same places as data, for the step and its failure.
        for (const item of [step, step.failure!]) {
          assert.ok(item.at, `${step.name}: no at`);
          assert.equal(`${item.at.file}:${item.at.line}:${item.at.col}`, item.location, step.name);
        }
      }
      const rows = failing.steps.find((s) => s.name === 'wrong rows')!.failure!;
      assert.ok(rows.expected && rows.actual && rows.mismatches && rows.mismatches.length > 0);
    });

    it('keeps the SQLSTATE of the error that happened', function () {
      const failing = specNamed(results, 'every step kind fails');
      assert.equal(failing.steps.find((s) => s.name === 'a different error')!.failure!.error?.code, '22012');
      assert.equal(failing.steps.find((s) => s.name === 'an unexpected error')!.failure!.error?.code, '22P02');
    });

    it('reports rows a spec leaves behind', function () {
      const leaks = specNamed(results, 'a spec that forgets its cleanup');
      assert.equal(leaks.status, 'failed');
      const isolation = leaks.steps.find((s) => s.phase === 'isolation')!;
      assert.match(isolation.failure!.message, /leaked 2 rows into backend\.items/);
    });

    it('shows progress and a readable failure in the console', function () {
      assert.match(stdout, /every step kind passes/);
      assert.match(stdout, /wrong rows/);
      // Rows count from 1 and the expected row sits above the actual row at the same position.
      assert.match(stdout, /\n {2}# {2}name {3}qty\n {2}1 {2}apple {2}3\n- 2 {2}plum {3}1\n\+ 2 {2}pear {3}1\n/);
      assert.doesNotMatch(stdout, /hook/, "mocha's hook wording never reaches the author");
      assert.doesNotMatch(stdout, /at .*\.ts:\d+:\d+/, 'no stack traces');
    });

    it('writes results.json and junit.xml', async function () {
      const files = await readdir(out);
      for (const f of ['results.json', 'junit.xml', 'report.html', 'report.md']) assert.ok(files.includes(f), `${f} missing`);
      assert.equal(results.databases.backend!.serverVersion.split('.')[0], server.label.startsWith('pg15') ? '15' : '18');
    });
  });
}

describe('dbspec run on the embedded default', function () {
  // Each run gets a private TMPDIR, so what it leaves there is its own, whatever else runs on the machine.
  // Readable by the postgres user the embedded server runs as (we run as root).
  const privateTmp = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbspec-tmpdir-'));
    await chmod(dir, 0o755);
    return dir;
  };
  const postgresUnder = (dir: string): string => {
    try {
      return execFileSync('pgrep', ['-af', dir]).toString();
    } catch {
      return '';
    }
  };

  it('starts its own PostgreSQL, passes, and leaves no process or temp folder', async function () {
    const tmp = await privateTmp();
    const out = await mkdtemp(join(tmpdir(), 'dbspec-run-test-'));
    try {
      const run = await runCli(['run', spec('every-kind-passes'), '--config', CONFIG, '--out', out], cleanEnv({ TMPDIR: tmp }));
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const results = await readResults(out);
      assert.equal(results.databases.auth!.embedded, true);
      assert.deepEqual(await readdir(tmp), []);
      assert.equal(postgresUnder(tmp), '');
    } finally {
      await rm(out, { recursive: true, force: true });
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('stops cleanly on SIGINT: cleanup runs, partial results are written, nothing is left', async function () {
    const tmp = await privateTmp();
    const out = await mkdtemp(join(tmpdir(), 'dbspec-run-test-'));
    try {
      const run = startCli(['run', spec('slow'), '--config', CONFIG, '--out', out], cleanEnv({ TMPDIR: tmp }));
      const deadline = Date.now() + 30_000;
      while (!run.output().includes('a slow spec to interrupt') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(postgresUnder(tmp) === '', false, 'the embedded server should be running under the private TMPDIR');
      await new Promise((r) => setTimeout(r, 500));
      run.child.kill('SIGINT');
      const done = await run.done;
      assert.equal(done.code, 130, done.stdout + done.stderr);
      const results = await readResults(out);
      assert.equal(results.interrupted, true);
      const slow = specNamed(results, 'a slow spec to interrupt');
      assert.equal(slow.steps.find((s) => s.phase === 'cleanup')?.status, 'passed');
      assert.deepEqual(await readdir(tmp), []);
      assert.equal(postgresUnder(tmp), '');
    } finally {
      await rm(out, { recursive: true, force: true });
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe('two runs of the same code', function () {
  it('diff to no changes (exit 0)', async function () {
    const [local] = servers;
    const dbs = await scratchDatabases(local!, ['auth', 'backend'], { migrationsRoot: join(FIXTURES, 'db') });
    const outs = [await mkdtemp(join(tmpdir(), 'dbspec-run-a-')), await mkdtemp(join(tmpdir(), 'dbspec-run-b-'))];
    try {
      for (const out of outs) {
        const run = await runCli(['run', spec('every-kind-passes'), '--config', CONFIG, '--out', out, '--reporter', 'dot'], cleanEnv(dbs.env));
        assert.equal(run.code, 0, run.stdout + run.stderr);
      }
      // Timings on a loaded CI machine are noise; everything else must be identical.
      const diff = await runCli(['diff', join(outs[0]!, 'results.json'), join(outs[1]!, 'results.json'), '--out', outs[1]!, '--min-ms', '2000']);
      assert.equal(diff.code, 0, diff.stdout + diff.stderr);
      assert.match(diff.stdout, /no changes/i);
    } finally {
      await dbs.drop();
      for (const out of outs) await rm(out, { recursive: true, force: true });
    }
  });
});

describe('npm start', function () {
  it('runs every spec in specs/ on the embedded default and exits 0', async function () {
    const out = await mkdtemp(join(tmpdir(), 'dbspec-npm-start-'));
    try {
      const child = spawnSync('npm', ['start', '--', '--out', out, '--reporter', 'dot'], { cwd: REPO, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });
      assert.equal(child.status, 0, child.stdout + child.stderr);
      const results = await readResults(out);
      assert.ok(results.specs.length >= 11, `only ${results.specs.length} specs ran`);
      assert.equal(results.summary.specs.passed, results.specs.length);
      assert.ok(Object.values(results.databases).every((d) => d.embedded));
      for (const f of ['results.json', 'junit.xml', 'report.html', 'report.md']) assert.ok((await readdir(out)).includes(f), `${f} missing`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('the authoring guide', function () {
  it("its complete example spec passes as written, against this repository's schemas", async function () {
    const guide = await readFile(join(REPO, 'specs', 'README.md'), 'utf8');
    const section = guide.slice(guide.indexOf('## A complete spec'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(example, 'no yaml block under "## A complete spec"');
    const dir = await mkdtemp(join(tmpdir(), 'dbspec-guide-'));
    try {
      await writeFile(join(dir, 'complete.spec.yaml'), example);
      const run = await runCli(['run', join(dir, 'complete.spec.yaml'), '--out', join(dir, 'out'), '--reporter', 'dot']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
