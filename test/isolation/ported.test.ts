/**
 * PostgreSQL's own isolation specs, ported to interleave steps (test/isolation/specs): on PostgreSQL 15 and
 * the embedded 18 each passes, its transcript equals PostgreSQL's expected output (test/isolation/expected,
 * or the `output` the spec holds), and a changed expected output makes it fail at the changed line.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InterleaveStep, Spec, SqlText } from '../../runner/spec/types.ts';
import { loadValidSpec, openScratch, runOne, type OpenScratch } from '../support/run-in-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const ROOT = new URL('./', import.meta.url).pathname;

/** Trailing blanks are not compared (PQprint pads the last column; editors strip it). */
const lines = (text: string): string[] =>
  text
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => l.trimEnd());

/** The expected output as a spec's `output` would hold it, located at line 1 of the .out file. */
const asOutput = (text: string, file: string): SqlText => ({
  text,
  loc: { file, line: 1, column: 1 },
  lineStarts: text.split('\n').map((_, i) => ({ file, line: i + 1, column: 1 })),
});

const withOutput = (spec: Spec, output: SqlText): Spec => ({
  ...spec,
  steps: spec.steps.map((s) => (s.kind === 'interleave' ? ({ ...s, output } satisfies InterleaveStep) : s)),
});

/** Changes one line of substance: a waiting marker dropped, else the first error or result cell altered. */
const mutate = (text: string): { text: string; line: number } => {
  const all = text.split('\n');
  let i = all.findIndex((l) => l.endsWith(' <waiting ...>'));
  if (i >= 0) all[i] = all[i]!.replace(' <waiting ...>', '');
  else {
    i = all.findIndex((l) => l.startsWith('ERROR:'));
    all[i] = `${all[i]}!`;
  }
  return { text: all.join('\n'), line: i + 1 };
};

describe('ported PostgreSQL isolation specs', function () {
  this.timeout(180_000);
  let files: string[] = [];
  before(async () => {
    files = (await readdir(join(ROOT, 'specs'))).filter((f) => f.endsWith('.spec.yaml')).sort();
  });

  it('are at least six', () => assert.ok(files.length >= 6, files.join(', ')));

  for (const label of ['pg15 local', 'pg18 embedded']) {
    describe(label, () => {
      let scratch: ScratchDatabases;
      let open: OpenScratch;
      before(async () => {
        const server = (await testServers()).find((s) => s.label === label)!;
        scratch = await scratchDatabases(server, ['backend'], { migrations: false });
        open = await openScratch(scratch.urls, ROOT);
      });
      after(async () => {
        await open?.close();
        await scratch?.drop();
      });

      it('each passes, prints what PostgreSQL expects, and fails when that expectation changes', async () => {
        for (const file of files) {
          const spec = await loadValidSpec(join('specs', file), ['backend'], ROOT);
          const outFile = join(ROOT, 'expected', file.replace('.spec.yaml', '.out'));
          const inline = spec.steps.find((s): s is InterleaveStep => s.kind === 'interleave')?.output;
          const expected = await readFile(outFile, 'utf8').catch(() => inline?.text);
          assert.ok(expected, `${file}: no expected output`);
          const passed = await runOne(withOutput(spec, asOutput(expected, outFile)), open.databases);
          const step = passed.steps.find((s) => s.kind === 'interleave')!;
          assert.equal(step.status, 'passed', `${file}: ${step.failure?.message}`);
          assert.deepEqual(lines(step.output!), lines(expected), file);

          const changed = mutate(expected);
          const failed = await runOne(withOutput(spec, asOutput(changed.text, outFile)), open.databases);
          const failure = failed.steps.find((s) => s.kind === 'interleave')!.failure;
          assert.equal(failure?.code, 'OUTPUT_MISMATCH', file);
          assert.equal(failure?.location, `${outFile}:${changed.line}:1`, file);
        }
      });
    });
  }
});
