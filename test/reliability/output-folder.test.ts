/**
 * The output folder: one that cannot be written to (a file size limit of 0, as on a full disk) is found
 * before the first spec, exit 2, nothing started; a write that fails midway leaves no temporary file; the
 * embedded server's log holds one run, not every run appended.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, cleanEnv, REPO, runCli, type CliRun } from '../run/cli-process.ts';
import { CONFIG, fixtureSpec, tempOut } from './run-fixture.ts';

/** Runs a command under `ulimit -f blocks` with SIGXFSZ ignored, so that writes past the limit fail with EFBIG. */
const withFileSizeLimit = (blocks: number, args: readonly string[]): Promise<CliRun> =>
  new Promise((resolve) => {
    const child = spawn('sh', ['-c', `trap '' XFSZ; ulimit -f ${blocks}; exec "$@"`, 'sh', process.execPath, ...args], { cwd: REPO, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

describe('reliability: the output folder', function () {
  this.timeout(90_000);
  let out: string;
  beforeEach(async () => {
    out = await tempOut();
  });
  afterEach(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('an unwritable folder is found before the first spec: exit 2, no spec ran, no file left', async function () {
    const done = await withFileSizeLimit(0, [CLI, 'run', fixtureSpec('b-after'), '--config', CONFIG, '--out', out]);
    assert.equal(done.code, 2, done.stdout + done.stderr);
    assert.match(done.stderr, /--out .*: cannot write results there \(EFBIG\) \[DBSPEC_OUTPUT\]/);
    assert.doesNotMatch(done.stdout, /passing|a later spec b/, 'no spec ran');
    assert.deepEqual(readdirSync(out), []);
  });

  it('a write that fails midway leaves the previous file whole and no temporary file', async function () {
    const target = join(out, 'results.json');
    const script = `import { writeFileAtomic } from ${JSON.stringify(join(REPO, 'runner/results/atomic-write.ts'))};
      await writeFileAtomic(${JSON.stringify(target)}, 'old');
      try { await writeFileAtomic(${JSON.stringify(target)}, 'x'.repeat(100_000)); } catch (e) { console.log(e.code); }`;
    const done = await withFileSizeLimit(8, ['--input-type=module', '-e', script]);
    assert.equal(done.stdout.trim(), 'EFBIG', done.stderr);
    assert.deepEqual(readdirSync(out), ['results.json'], 'no temporary file survives');
    assert.equal(readFileSync(target, 'utf8'), 'old');
  });

  it("the embedded server's log holds the last run only", async function () {
    const lines = (): number => readFileSync(join(out, 'postgres.log'), 'utf8').split('database system is ready to accept connections').length - 1;
    for (let i = 0; i < 2; i++) {
      const done = await runCli(['run', fixtureSpec('b-after'), '--config', CONFIG, '--out', out]);
      assert.equal(done.code, 0, done.stdout + done.stderr);
    }
    assert.equal(lines(), 1);
  });
});
