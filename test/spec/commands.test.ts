/** `dbspec validate` and `dbspec list` end to end, and how paths become spec files. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findSpecFiles } from '../../runner/spec/discover.ts';

const CLI = new URL('../../runner/cli.ts', import.meta.url).pathname;
const exec = promisify(execFile);

const cli = async (cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const spec = (name: string, db: string, tags: string[] = []) =>
  `name: ${name}\ntags: [${tags.join(', ')}]\nsteps:\n  - name: one\n    db: ${db}\n    sql: select 1\n  - name: two\n    compare:\n      left: { db: auth, sql: select 1 }\n      right: { db: backend, sql: select 1 }\n`;

describe('dbspec validate and list', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-cli-'));
    await mkdir(join(dir, 'specs/nested/node_modules'), { recursive: true });
    await writeFile(join(dir, 'specs/b.spec.yaml'), spec('bee', 'backend', ['smoke']));
    await writeFile(join(dir, 'specs/nested/a.spec.yaml'), spec('ay', 'auth', ['billing']));
    await writeFile(join(dir, 'specs/nested/notes.yaml'), 'not a spec');
    await writeFile(join(dir, 'specs/nested/node_modules/x.spec.yaml'), 'ignored');
    await writeFile(join(dir, 'odd-name.yaml'), spec('odd', 'auth'));
    // Configs are found by walking up from the working directory; the defaults are relative to this one.
    await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  auth: {}\n  backend: {}\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds *.spec.yaml under folders, takes named files whatever their name, sorted and deduplicated', async () => {
    const { files, diagnostics } = await findSpecFiles(['specs', 'odd-name.yaml', 'specs/b.spec.yaml', 'missing'], dir);
    assert.deepEqual(files, ['odd-name.yaml', 'specs/b.spec.yaml', 'specs/nested/a.spec.yaml']);
    assert.deepEqual(
      diagnostics.map((d) => [d.kind, d.code]),
      [['config', 'DBSPEC_NO_SUCH_PATH']],
    );
  });

  it('validate: default path specs, summary on stdout, exit 0', async () => {
    const r = await cli(dir, 'validate');
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '2 specs valid\n', '']);
  });

  it('validate: diagnostics on stderr, "N errors in M of K files", exit 1; a missing path exits 2', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'name: bad\nsteps:\n  - name: one\n    db: nope\n    sql: selec 1\n');
    const r = await cli(dir, 'validate', 'specs', 'bad.yaml');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '2 errors in 1 of 3 files\n');
    assert.match(r.stderr, /^bad\.yaml:4:9: unknown database `nope`/m);
    assert.match(
      r.stderr,
      /^bad\.yaml:5:10: syntax error at or near "selec" \[DBSPEC_SQL_SYNTAX\]\n {2}4 \| {5}db: nope\n> 5 \| {5}sql: selec 1\n {4}\| {10}\^/m,
    );
    const missing = await cli(dir, 'validate', 'nowhere');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or folder: nowhere/);
  });

  it('list: specs with their steps as JSON, filtered by tag and grep', async () => {
    const all = JSON.parse((await cli(dir, 'list', '--json')).stdout) as {
      specs: { file: string; name: string; tags: string[]; steps: { name: string; kind: string; db: string }[] }[];
    };
    assert.deepEqual(
      all.specs.map((s) => [s.file, s.name, s.tags]),
      [
        ['specs/b.spec.yaml', 'bee', ['smoke']],
        ['specs/nested/a.spec.yaml', 'ay', ['billing']],
      ],
    );
    assert.deepEqual(
      all.specs[0]!.steps.map((s) => [s.name, s.kind, s.db]),
      [
        ['one', 'query', 'backend'],
        ['two', 'compare', 'auth,backend'],
      ],
    );
    const tagged = JSON.parse((await cli(dir, 'list', '--json', '--tag', 'billing')).stdout) as { specs: { name: string }[] };
    assert.deepEqual(
      tagged.specs.map((s) => s.name),
      ['ay'],
    );
    // `--tag a,b` means a or b, as in `dbspec run` (runner/commands/shared-options.ts).
    const either = JSON.parse((await cli(dir, 'list', '--json', '--tag', 'smoke,billing')).stdout) as { specs: { name: string }[] };
    assert.deepEqual(
      either.specs.map((s) => s.name),
      ['bee', 'ay'],
    );
    const text = await cli(dir, 'list', '--grep', '^be');
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^specs\/b\.spec\.yaml:1 {2}bee {2}\[smoke\]\n {2}query {7}backend {8}one\n/);
    assert.doesNotMatch(text.stdout, /ay/);
  });
});
