/**
 * SIGTERM mid-run (CI cancelling a job), next to the SIGINT case in test/run/run.test.ts: cleanup runs,
 * the embedded server stops and its folder is removed, partial results and every report are written and
 * marked interrupted, exit 130.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startCli } from '../run/cli-process.ts';
import { CONFIG, fixtureSpec, readResults, specNamed, tempOut, waitFor } from './run-fixture.ts';

const processesUnder = (dir: string): string => {
  try {
    return execFileSync('pgrep', ['-af', dir]).toString();
  } catch {
    return '';
  }
};

describe('reliability: signals', function () {
  this.timeout(60_000);

  it('SIGTERM: cleanup runs, the embedded server stops, results and reports are written and marked interrupted', async function () {
    const out = await tempOut();
    try {
      const run = startCli(['run', fixtureSpec('a-hangs'), fixtureSpec('b-after'), '--config', CONFIG, '--out', out]);
      await waitFor('the hanging step to start', () => run.output().includes('a hanging statement'));
      // The server's folder, from its command line (other runs on this machine may have folders of their own).
      const serverArgs = execFileSync('ps', ['-o', 'args=', '--ppid', String(run.child.pid)]).toString();
      const dataDir = /-D (\S+dbspec-pg-[^/\s]+)\/data/.exec(serverArgs)?.[1];
      assert.ok(dataDir, `no embedded server under dbspec: ${serverArgs}`);
      await new Promise((r) => setTimeout(r, 500));
      run.child.kill('SIGTERM');
      const done = await run.done;
      assert.equal(done.code, 130, done.stdout + done.stderr);
      assert.match(done.stderr, /SIGTERM: stopping after the running steps/);

      const results = await readResults(out);
      assert.equal(results.interrupted, true);
      const hangs = specNamed(results, 'a hanging statement');
      assert.equal(hangs.steps.find((s) => s.name === 'sleeps')?.failure?.code, 'INTERRUPTED');
      assert.equal(hangs.steps.find((s) => s.phase === 'cleanup')?.status, 'passed', 'cleanup ran');
      assert.equal(specNamed(results, 'a later spec b').status, 'skipped', 'the spec not reached is reported skipped');
      for (const file of ['junit.xml', 'report.html', 'report.md']) assert.ok((await readdir(out)).includes(file), `${file} missing`);
      assert.match(await readFile(join(out, 'report.html'), 'utf8'), /This run was interrupted/);
      assert.match(await readFile(join(out, 'report.md'), 'utf8'), /interrupted/i);

      assert.equal(existsSync(dataDir), false, 'the embedded server folder is removed');
      assert.equal(processesUnder(dataDir), '', 'the embedded server is stopped');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
