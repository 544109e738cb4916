/**
 * `dbspec new`: the starter spec validates as written, points its editor schema line at the real schema,
 * and never overwrites a file.
 */
import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileSlug } from '../../runner/commands/new.ts';
import { cleanEnv, runCli } from '../run/cli-process.ts';

const CONFIG = 'databases:\n  auth: {}\n  backend: {}\n';

describe('dbspec new', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-new-'));
    await writeFile(join(dir, 'dbspec.config.yaml'), CONFIG);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes a commented starter that validates, with a schema line that resolves', async () => {
    const made = await runCli(['new', 'Users can log in!', '--db', 'auth,backend'], cleanEnv(), dir);
    assert.equal(made.code, 0, made.stderr);
    const file = join(dir, 'specs', 'users_can_log_in.spec.yaml');
    const text = await readFile(file, 'utf8');
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text.split('\n')[0]!)?.[1];
    assert.ok(schema, 'first line is the schema line');
    await access(resolve(dirname(file), schema));
    assert.match(text, /^name: "?Users can log in!"? {2}/m);
    assert.match(text, /db: backend/);
    assert.ok(text.split('\n').filter((l) => l.includes('#')).length >= 10, 'the starter is commented');
    const valid = await runCli(['validate', 'specs'], cleanEnv(), dir);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /1 spec valid/);
  });

  it('refuses to overwrite, and suggests a configured database for a typo', async () => {
    assert.equal((await runCli(['new', 'x'], cleanEnv(), dir)).code, 0);
    const again = await runCli(['new', 'x'], cleanEnv(), dir);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    const typo = await runCli(['new', 'y', '--db', 'bakend'], cleanEnv(), dir);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /did you mean `backend`/);
  });

  it('takes a path as a path: its folder, and its last part as the name', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'dbspec-new-path-'));
    try {
      const absolute = await runCli(['new', join(outside, 'some', 'dir', 'probe')], cleanEnv(), dir);
      assert.equal(absolute.code, 0, absolute.stderr);
      const text = await readFile(join(outside, 'some', 'dir', 'probe.spec.yaml'), 'utf8');
      assert.match(text, /^name: probe {2}/m);
      const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
      await access(resolve(join(outside, 'some', 'dir'), schema!));
      const relativePath = await runCli(['new', 'specs/auth/login.spec.yaml'], cleanEnv(), dir);
      assert.equal(relativePath.code, 0, relativePath.stderr);
      assert.match(relativePath.stdout, /^wrote specs\/auth\/login\.spec\.yaml$/m);
      assert.equal((await readdir(join(dir, 'specs'))).join(','), 'auth', 'nothing written under specs/ but the path given');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('names files the way the seed specs are named', () => {
    assert.equal(fileSlug('Users can log in!'), 'users_can_log_in');
    assert.equal(fileSlug('tenant-isolation / RLS'), 'tenant_isolation_rls');
  });
});
