/**
 * The invalid-spec corpus: every file under test/invalid/ states in a header comment what `dbspec validate`
 * must report (`# expect: CODE LINE[:COL] message fragment`), and optionally further fragments of the same
 * diagnostic's text, frame or hint on the lines after it (`# and: fragment`). All spec files are checked in one CLI run as a
 * child process; config files, which need --config, one run each. Plus a 50 MB file made at test time.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { exitCodeFor } from '../../runner/diagnostics.ts';
import { loadSpec } from '../../runner/spec/validate.ts';
import { assertWithin } from '../support/timing.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const CORPUS = join(ROOT, 'test/invalid');

type Expectation = { file: string; code: string; line: number; column?: number; fragment: string; more?: string[] };

const HEADER = /^# expect: (DBSPEC_[A-Z_]+) (\d+)(?::(\d+))?(?: (.*))?$/;

const filesUnder = async (folder: string, suffix: string): Promise<string[]> =>
  (await readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();

const expectationsOf = async (file: string): Promise<Expectation[]> => {
  const bytes = await readFile(join(ROOT, file));
  const firstLine = bytes.subarray(0, bytes.indexOf(10)).toString('latin1');
  const m = HEADER.exec(firstLine);
  if (!m) return [];
  const more = bytes
    .toString('utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith('# and: '))
    .map((l) => l.slice('# and: '.length));
  return [{ file, code: m[1]!, line: Number(m[2]), ...(m[3] ? { column: Number(m[3]) } : {}), fragment: m[4] ?? '', more }];
};

/** Splits CLI output into diagnostics: a `file:line:col: message [CODE]` line and the frame and hint under it. */
const parseOutput = (stderr: string) =>
  stderr
    .split(/\n(?=\S+:\d+:\d+: )/)
    .map((block) => {
      const m = /^(\S+):(\d+):(\d+): (.*) \[(DBSPEC_[A-Z_]+)\]/.exec(block);
      return m ? { file: m[1]!, line: Number(m[2]), column: Number(m[3]), code: m[5]!, text: block } : undefined;
    })
    .filter((d) => d !== undefined);

const check = (expected: Expectation, found: ReturnType<typeof parseOutput>): void => {
  const match = found.find(
    (d) =>
      d.file === expected.file &&
      d.code === expected.code &&
      d.line === expected.line &&
      (expected.column === undefined || d.column === expected.column) &&
      d.text.includes(expected.fragment) &&
      (expected.more ?? []).every((f) => d.text.includes(f)),
  );
  assert.ok(
    match,
    `${expected.file}: expected ${expected.code} at ${expected.line}:${expected.column ?? '*'} with "${[expected.fragment, ...(expected.more ?? [])].join('", "')}"; got:\n  ${found
      .filter((d) => d.file === expected.file)
      .map((d) => d.text)
      .join('\n  ')}`,
  );
};

const assertNoStackTrace = (output: string): void => {
  assert.doesNotMatch(output, /\n\s+at .+:\d+:\d+\)?\n/, 'a stack trace was printed');
  assert.doesNotMatch(output, /TypeError|ReferenceError|RangeError/);
};

describe('invalid spec corpus', function () {
  this.timeout(60_000);
  let bigDir: string;
  let bigFile: string;

  before(async () => {
    bigDir = await mkdtemp(join(tmpdir(), 'dbspec-big-'));
    bigFile = join(bigDir, 'huge.spec.yaml');
    const handle = await open(bigFile, 'w');
    const chunk = Buffer.from('name: huge\nsteps:\n' + '  - { name: x, db: auth, sql: select 1 }\n'.repeat(25_000));
    for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length) await handle.write(chunk);
    await handle.close();
  });

  after(async () => {
    await rm(bigDir, { recursive: true, force: true });
  });

  it('has at least 35 cases, each with an expectation header', async () => {
    const files = await filesUnder(CORPUS, '.yaml');
    const expectations = (await Promise.all(files.map(expectationsOf))).flat();
    assert.ok(expectations.length >= 35, `only ${expectations.length} cases`);
    const without = files.filter((f) => !f.endsWith('/a.spec.yaml')).filter((f) => !expectations.some((e) => e.file === f));
    assert.deepEqual(without, [], 'files without an # expect: header');
  });

  it('reports each expected diagnostic through `dbspec validate` (exit 1, no stack trace), the 50 MB file too', async () => {
    const files = await filesUnder(CORPUS, '.spec.yaml');
    const expectations = (await Promise.all(files.map(expectationsOf))).flat();
    const bigDisplay = relative(ROOT, bigFile);
    const result = await run(process.execPath, ['runner/cli.ts', 'validate', ...files, bigFile], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).then(
      () => assert.fail('validate exited 0 on the invalid corpus'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal(result.code, 1, result.stderr);
    assertNoStackTrace(result.stderr + result.stdout);
    const found = parseOutput(result.stderr);
    for (const e of expectations) check(e, found);
    check({ file: bigDisplay, code: 'DBSPEC_FILE_TOO_LARGE', line: 1, column: 1, fragment: 'at most 5 MB' }, found);
    // Every file but duplicate-spec-name/a.spec.yaml (the first of the two) has an error.
    assert.match(result.stdout, new RegExp(`errors in ${files.length} of ${files.length + 1} files`));
  });

  it('gives each file on its own exit 1, each within a second', async () => {
    const files = await filesUnder(CORPUS, '.spec.yaml');
    for (const file of [...files.filter((f) => !f.includes('duplicate-spec-name')), bigFile]) {
      const started = performance.now();
      const { diagnostics } = await loadSpec(file, { databases: ['auth', 'backend'], cwd: ROOT });
      const ms = performance.now() - started;
      assertWithin(ms, 1000, file);
      assert.equal(exitCodeFor(diagnostics), 1, `${file}: ${diagnostics.map((d) => d.code).join(', ')}`);
    }
  });

  it('reports config errors located in the config file, with exit 2 and no password', async () => {
    const configs = await filesUnder(join(CORPUS, 'config'), '.config.yaml');
    assert.ok(configs.length >= 3);
    await Promise.all(
      configs.map(async (config) => {
        const [expected] = await expectationsOf(config);
        const result = await run(process.execPath, ['runner/cli.ts', 'validate', '--config', config, 'test/spec/fixtures/first.spec.yaml'], { cwd: ROOT }).then(
          () => assert.fail(`${config}: validate exited 0`),
          (error: { code: number; stdout: string; stderr: string }) => error,
        );
        assert.equal(result.code, 2, `${config}: ${result.stderr}`);
        assertNoStackTrace(result.stderr);
        assert.doesNotMatch(result.stderr, /hunter2/);
        check(expected!, parseOutput(result.stderr));
      }),
    );
  });
});
