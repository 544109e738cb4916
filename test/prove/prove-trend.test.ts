/** `dbspec trend` shows the mutation score across releases when `dbspec prove` wrote a prove.json beside the results. */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVE_FORMAT, PROVE_VERSION } from '../../runner/results/prove-results.ts';
import { cleanEnv, runCli } from '../run/cli-process.ts';

const PASSING = fileURLToPath(new URL('../fixtures/results/passing.json', import.meta.url));

describe('prove score in trend', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-prove-trend-'));
    for (const [release, score] of [
      ['r1', 80],
      ['r2', 90],
    ] as const) {
      await mkdir(join(dir, release));
      await copyFile(PASSING, join(dir, release, 'results.json'));
      await writeFile(join(dir, release, 'prove.json'), JSON.stringify({ format: PROVE_FORMAT, version: PROVE_VERSION, summary: { scorePct: score } }));
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('adds the mutation score as a series, release by release', async () => {
    const out = join(dir, 'out');
    const done = await runCli(['trend', join(dir, 'r1', 'results.json'), join(dir, 'r2', 'results.json'), '--out', out], cleanEnv({}));
    assert.equal(done.code, 0, done.stdout + done.stderr);
    const md = await readFile(join(out, 'trend.md'), 'utf8');
    assert.match(md, /mutation score %/);
    assert.match(md, /80/);
    assert.match(md, /90/);
  });
});
