/**
 * `dbspec diff` shows the mutation score between two releases when `dbspec prove` wrote a prove.json
 * beside each results.json: the scores and every guarantee no longer protected.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffProve } from '../../runner/results/prove-diff.ts';
import { assembleProve, type MutantResult, serializeProve } from '../../runner/results/prove-results.ts';
import { cleanEnv, REPO, runCli } from '../run/cli-process.ts';

const mutant = (object: string, status: MutantResult['status'], line: number): MutantResult => ({
  id: `app:db/app/001_x.sql:${line}:drop-unique:${object}`,
  database: 'app',
  kind: 'drop-unique',
  object,
  description: `drops unique constraint \`${object}\``,
  file: 'db/app/001_x.sql',
  line,
  change: 'compensate',
  tables: ['x'],
  status,
  specs: ['a spec'],
  durationMs: 1,
});

const proved = (mutants: MutantResult[]) =>
  assembleProve(mutants, {
    release: null,
    commit: null,
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:00:01.000Z',
    durationMs: 1000,
    interrupted: false,
    notes: [],
    servers: { app: { serverVersion: '18.1', embedded: true } },
  });

const OLD = proved([mutant('x_a_key', 'killed', 3), mutant('x_b_key', 'survived', 4)]);
const NEW = proved([mutant('x_a_key', 'survived', 3), mutant('x_b_key', 'killed', 4), mutant('x_c_key', 'survived', 5)]);

describe('prove: the score in dbspec diff', function () {
  this.timeout(60_000);
  it('lists guarantees no longer protected (killed before or new) and newly protected', () => {
    const change = diffProve(OLD, NEW);
    assert.equal(change.oldPct, 50);
    assert.equal(change.newPct, 33.3);
    assert.deepEqual(
      change.lost.map((m) => m.object),
      ['x_a_key', 'x_c_key'],
    );
    assert.deepEqual(
      change.gained.map((m) => m.object),
      ['x_b_key'],
    );
  });

  it('prints and writes the section when both runs have a prove.json beside their results', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbspec-prove-diff-'));
    try {
      for (const [name, proveResults] of [
        ['old', OLD],
        ['new', NEW],
      ] as const) {
        await mkdir(join(dir, name));
        await copyFile(join(REPO, 'test', 'fixtures', 'results', 'passing.json'), join(dir, name, 'results.json'));
        await writeFile(join(dir, name, 'prove.json'), serializeProve(proveResults));
      }
      const run = await runCli(['diff', join(dir, 'old', 'results.json'), join(dir, 'new', 'results.json'), '--fail-on', 'never'], cleanEnv(), dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /mutation score: 50\.0% -> 33\.3%: 2 guarantees no longer protected, 1 newly protected/);
      assert.match(run.stdout, /no longer protected: no spec fails when `x_a_key` \(db\/app\/001_x\.sql:3\) is dropped/);
      assert.match(await readFile(join(dir, 'new', 'diff.md'), 'utf8'), /Mutation score/);
      // Without a prove.json on one side there is no such section.
      await rm(join(dir, 'old', 'prove.json'));
      const without = await runCli(['diff', join(dir, 'old', 'results.json'), join(dir, 'new', 'results.json'), '--fail-on', 'never'], cleanEnv(), dir);
      assert.doesNotMatch(without.stdout, /mutation score/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
