import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResults, serializeResults } from '../../runner/results/read.ts';
import { summarize } from '../../runner/results/summary.ts';
import { runCli } from '../run/cli-process.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/results/', import.meta.url));

describe('dbspec report, diff and merge on the command line', function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-cli-report-'));
    for (const name of ['passing', 'passing-rerun', 'failing']) {
      await mkdir(join(dir, name));
      await copyFile(join(FIXTURES, `${name}.json`), join(dir, name, 'results.json'));
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('report re-renders next to the results file by default', async () => {
    const run = await runCli(['report', join(dir, 'failing', 'results.json')]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((await readdir(join(dir, 'failing'))).sort(), ['junit.xml', 'report.html', 'report.md', 'results.json']);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"format":"dbspec-results","version":1}');
    const refused = await runCli(['report', bad, '--out', join(dir, 'nowhere')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /bad\.json: not a dbspec results file: \/ must have required property/);
  });

  it('diff exits 1 on a regression by default, 0 with --fail-on never, and writes diff.html and diff.md', async () => {
    const out = join(dir, 'diff');
    const run = await runCli(['diff', join(dir, 'passing', 'results.json'), join(dir, 'failing', 'results.json'), '--out', out]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^dbspec diff: v1\.4\.0 -> v1\.5\.0: Regression: 3 specs newly failing/);
    assert.deepEqual((await readdir(out)).sort(), ['diff.html', 'diff.md']);
    const never = await runCli(['diff', join(dir, 'passing', 'results.json'), join(dir, 'failing', 'results.json'), '--out', out, '--fail-on', 'never']);
    assert.equal(never.code, 0);
  });

  it('diff of two runs of the same code: no changes, exit 0 even with --fail-on change; a fix fails only --fail-on change', async () => {
    const same = await runCli(['diff', join(dir, 'passing', 'results.json'), join(dir, 'passing-rerun', 'results.json'), '--fail-on', 'change']);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /No changes/);
    assert.ok((await readdir(join(dir, 'passing-rerun'))).includes('diff.html'), "default --out is the new file's folder");
    const fixed = [join(dir, 'failing', 'results.json'), join(dir, 'passing', 'results.json')];
    assert.equal((await runCli(['diff', ...fixed, '--out', join(dir, 'fixed')])).code, 0);
    assert.equal((await runCli(['diff', ...fixed, '--out', join(dir, 'fixed'), '--fail-on', 'change'])).code, 1);
    const slower = await runCli(['diff', ...fixed, '--threshold', 'lots']);
    assert.equal(slower.code, 2);
    assert.match(slower.stderr, /--threshold must be a percentage/);
  });

  it('merge joins shards into results.json plus reports, and refuses overlapping shards', async () => {
    const whole = await readResults(join(FIXTURES, 'failing.json'));
    const parts = [0, 1].map((n) => {
      const specs = whole.specs.filter((_, i) => i % 2 === n);
      return { ...whole, specs, summary: summarize(specs) };
    });
    const files = await Promise.all(
      parts.map(async (part, n) => {
        const file = join(dir, `shard-${n}.json`);
        await writeFile(file, serializeResults(part));
        return file;
      }),
    );
    const out = join(dir, 'merged');
    const run = await runCli(['merge', ...files, '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /merged 2 parts: 4 specs \(1 passed, 2 failed, 1 errored, 0 skipped\)/);
    assert.deepEqual((await readdir(out)).sort(), ['junit.xml', 'report.html', 'report.md', 'results.json']);
    assert.equal(
      serializeResults(await readResults(join(out, 'results.json'))),
      serializeResults({ ...whole, durationMs: (await readResults(join(out, 'results.json'))).durationMs }),
    );
    const overlap = await runCli(['merge', files[0]!, files[0]!, '--out', join(dir, 'overlap')]);
    assert.equal(overlap.code, 2);
    assert.match(overlap.stderr, /is in two of the parts/);
    assert.equal((await runCli(['merge', ...files])).code, 2, '--out is required');
  });
});
