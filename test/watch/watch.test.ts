/**
 * `dbspec run --watch`: the first outcome, then a spec edited on disk is validated and run again and the
 * new outcome printed (after a rule: only the latest one counts); an invalid save shows the located problem
 * and watching goes on; Ctrl-C stops with exit 0. Timings are the bench's business (watch.bench.ts).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { passingSpec, startWatching, type WatchedProject } from './watch-support.ts';

describe('dbspec run --watch', function () {
  let project: WatchedProject;
  before(async () => {
    project = await startWatching();
  });
  after(async () => {
    await project?.stop();
  });

  it('runs the specs once at the start', async () => {
    const text = await project.waitFor((t) => t.includes('watching specs'), 0);
    assert.match(text, /dbspec watch · \d\d:\d\d:\d\d UTC · start · ran 1 spec in \d+ ms/);
    assert.match(text, /✔ a small probe {2}\(specs\/probe\.spec\.yaml, 1 step\)\n\n1 passed\n/);
  });

  it('runs a spec again when it is saved, and shows the new outcome', async () => {
    const from = project.output().length;
    await writeFile(project.spec, passingSpec(2));
    const text = await project.waitFor((t) => t.includes('watching specs'), from);
    assert.match(text, /^─{60}\ndbspec watch · [\d:]+ UTC · specs\/probe\.spec\.yaml saved · ran 1 spec/);
    assert.match(text, /✖ a small probe[^\n]*\n {4}✖ one is one\n {6}the row came back different: n expected 1 got 2/);
    assert.match(text, /\n0 passed, 1 failed\n/);
  });

  it('shows an invalid save as a located problem and keeps watching', async () => {
    const from = project.output().length;
    await writeFile(project.spec, passingSpec(1).replace('    expect:', '  expect:'));
    const text = await project.waitFor((t) => t.includes('watching specs'), from);
    assert.match(text, /specs\/probe\.spec\.yaml:6:3: `expect:` is not lined up with `sql:` above it/);
    const again = project.output().length;
    await writeFile(project.spec, passingSpec(1));
    assert.match(await project.waitFor((t) => t.includes('watching specs'), again), /\n1 passed\n/);
  });

  it('stops on Ctrl-C with exit 0', async () => {
    const code = await project.stop();
    assert.equal(code, 0);
    assert.match(project.output(), /dbspec watch: stopped\n$/);
    project = undefined as never;
  });
});
