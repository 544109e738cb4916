/**
 * Nothing lost: results and reports are written through writeFileAtomic (temp file, fsync, rename). A
 * process SIGKILLed while writing a large file, again and again at different moments, always leaves the
 * previous complete file, which still parses.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../run/cli-process.ts';
import { sleep, waitFor } from './run-fixture.ts';

/** A child that rewrites results.json forever with ~8 MB of JSON, each version numbered. */
const WRITER = `
import { writeFileAtomic } from ${JSON.stringify(join(REPO, 'runner', 'results', 'atomic-write.ts'))};
const target = process.argv[1];
const rows = Array.from({ length: 60000 }, (_, i) => ({ i, text: 'x'.repeat(100) }));
for (let version = 1; ; version++) {
  await writeFileAtomic(target, JSON.stringify({ version, rows, end: 'complete' }));
  process.stdout.write(version + '\\n');
}
`;

describe('reliability: atomic writes', function () {
  this.timeout(60_000);

  it('a writer killed with SIGKILL mid-write leaves the previous file whole, every time', async function () {
    const dir = await mkdtemp(join(tmpdir(), 'dbspec-atomic-'));
    const target = join(dir, 'results.json');
    try {
      const seen: number[] = [];
      for (const delay of [0, 7, 23, 41, 60, 95, 130, 170]) {
        const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, target], { stdio: ['ignore', 'pipe', 'inherit'] });
        let written = '';
        child.stdout!.on('data', (d: Buffer) => (written += d.toString()));
        const exited = new Promise((resolve) => child.on('exit', resolve));
        // Wait for at least one complete version, then kill somewhere inside a later write.
        await waitFor('a first complete write', () => written.includes('\n'), 20_000);
        await sleep(delay);
        child.kill('SIGKILL');
        await exited;
        const parsed = JSON.parse(await readFile(target, 'utf8')) as { version: number; end: string; rows: unknown[] };
        assert.equal(parsed.end, 'complete');
        assert.equal(parsed.rows.length, 60000);
        seen.push(parsed.version);
      }
      assert.ok(seen.every((v) => v >= 1));
      // Temp files of killed writers may stay (dot-files beside the target); the target is never one of them.
      assert.ok((await readdir(dir)).includes('results.json'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every file dbspec run writes goes through writeFileAtomic', async function () {
    for (const file of ['runner/commands/run.ts', 'runner/report/render.ts']) {
      const source = await readFile(join(REPO, file), 'utf8');
      assert.doesNotMatch(source, /\bwriteFile(Sync)?\(/, `${file} writes a file without writeFileAtomic`);
    }
  });
});
