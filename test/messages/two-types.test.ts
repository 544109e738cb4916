/**
 * One variable used as two types in one statement (`${x}::text` here, bare against a uuid column there):
 * PostgreSQL's type error is explained with the variable's name, both places and the fix.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults } from '../../runner/results/types.ts';
import { cleanEnv, REPO, runCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const FIXTURES = join(REPO, 'test', 'run', 'fixtures');
const SPEC = 'test/messages/fixtures/two-types.spec.yaml';

describe('a variable used as two types', function () {
  let dbs: ScratchDatabases;
  let out: string;

  before(async function () {
    const [local] = await testServers();
    dbs = await scratchDatabases(local!, ['auth', 'backend'], { migrationsRoot: join(FIXTURES, 'db') });
    out = await mkdtemp(join(tmpdir(), 'dbspec-two-types-'));
  });
  after(async function () {
    await dbs?.drop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('names the variable, both places and the fix', async function () {
    const run = await runCli(['run', SPEC, '--config', join(FIXTURES, 'dbspec.config.yaml'), '--out', out, '--reporter', 'dot'], cleanEnv(dbs.env));
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResults;
    const failure = results.specs[0]!.steps[0]!.failure!;
    assert.equal(failure.code, 'UNEXPECTED_ERROR');
    // Where the server pointed: the `=` of the second use (the statement starts at 8:10).
    assert.equal(failure.location, `${SPEC}:8:86`);
    assert.match(
      failure.message,
      /\n`\$\{account\}` is used as two types in this statement: as text \(`\$\{account\}::text`\) at line 8:55 and without a cast at line 8:88\. PostgreSQL gives a variable one type per statement, taken from its first use; write the same cast at every place$/,
    );
    assert.match(run.stdout, /`\$\{account\}` is used as two types in this statement/);
  });
});
