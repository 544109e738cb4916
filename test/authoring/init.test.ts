/**
 * `dbspec init` in an existing project, and the config it writes being found from anywhere below it.
 */
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { workflowText } from '../../runner/commands/init-files.ts';
import { cleanEnv, runCli } from '../run/cli-process.ts';

const FILES = ['dbspec.config.yaml', 'specs/getting_started.spec.yaml', '.vscode/settings.json', '.gitignore', '.github/workflows/dbspec.yml'];

describe('dbspec init', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-init-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes config, a starter spec that validates, editor mapping, .gitignore line and CI workflow; prints the next commands', async () => {
    await mkdir(join(dir, 'db', 'migrations', 'app'), { recursive: true });
    await mkdir(join(dir, 'db', 'migrations', 'audit'), { recursive: true });
    const made = await runCli(['init', '--db', 'app,audit', '--migrations', 'db/migrations'], cleanEnv(), dir);
    assert.equal(made.code, 0, made.stderr);
    for (const file of FILES) await access(join(dir, file));
    assert.match(made.stdout, /next:\n {2}npx dbspec run specs\/getting_started\.spec\.yaml.*\n {2}npx dbspec new .*--db app.*\n {2}npx dbspec run /);
    const config = parse(await readFile(join(dir, 'dbspec.config.yaml'), 'utf8'));
    assert.deepEqual(config, {
      specs: 'specs',
      output: 'reports/out',
      databases: {
        app: { url_env: 'DBSPEC_APP_URL', migrations: 'db/migrations/app' },
        audit: { url_env: 'DBSPEC_AUDIT_URL', migrations: 'db/migrations/audit' },
      },
    });
    const spec = await readFile(join(dir, FILES[1]!), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(spec)?.[1];
    await access(resolve(dir, 'specs', schema!));
    assert.match(spec, /db: audit/);
    const valid = await runCli(['validate'], cleanEnv(), dir);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /1 spec valid/);
    const settings = JSON.parse(await readFile(join(dir, '.vscode/settings.json'), 'utf8'));
    for (const path of Object.keys(settings['yaml.schemas'])) await access(resolve(dir, path));
    assert.match(await readFile(join(dir, '.gitignore'), 'utf8'), /^reports\/out\/$/m);
    const workflow = parse(await readFile(join(dir, FILES[4]!), 'utf8'));
    assert.deepEqual(workflow.jobs.specs.strategy.matrix.shard, [1, 2]);
    assert.equal(workflow.jobs.specs.services.postgres.image.split(':')[0], 'postgres');
    assert.equal(workflow.jobs.specs.env.DBSPEC_AUDIT_URL, 'postgres://postgres:postgres@localhost:5432/audit_test');
    assert.deepEqual(workflow.jobs.report.needs, 'specs');
    const runs = workflow.jobs.specs.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    assert.match(runs, /npx dbspec run --migrate --allow-shared --shard \$\{\{ matrix\.shard \}\}\/2/);
    assert.match(workflow.jobs.report.steps.map((s: { run?: string }) => s.run ?? '').join('\n'), /npx dbspec merge shards\/\*\/results\.json/);
  });

  it('never overwrites: a second init keeps every file; existing settings and .gitignore are merged into, not replaced', async () => {
    await mkdir(join(dir, '.vscode'));
    await writeFile(join(dir, '.vscode/settings.json'), '{\n    "editor.tabSize": 4,\n    "yaml.schemas": { "other.json": ["x.yaml"] }\n}\n');
    await writeFile(join(dir, '.gitignore'), 'node_modules');
    assert.equal((await runCli(['init'], cleanEnv(), dir)).code, 0);
    const settings = JSON.parse(await readFile(join(dir, '.vscode/settings.json'), 'utf8'));
    assert.equal(settings['editor.tabSize'], 4);
    assert.deepEqual(Object.keys(settings['yaml.schemas']).length, 3);
    assert.equal(await readFile(join(dir, '.gitignore'), 'utf8'), 'node_modules\n# dbspec results and reports\nreports/out/\n');
    const before = await Promise.all(FILES.map(async (f) => [f, await readFile(join(dir, f), 'utf8'), (await stat(join(dir, f))).mtimeMs]));
    await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  mine: {}\n');
    const again = await runCli(['init', '--db', 'other'], cleanEnv(), dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /kept {5}dbspec\.config\.yaml {2}\(exists, left as it is\)/);
    assert.equal(await readFile(join(dir, 'dbspec.config.yaml'), 'utf8'), 'databases:\n  mine: {}\n');
    for (const [file, text] of before.slice(1)) assert.equal(await readFile(join(dir, file as string), 'utf8'), text, `${file} unchanged`);
  });

  it('refuses a migrations folder that does not exist and a bad database name, exit 2, writing nothing', async () => {
    const missing = await runCli(['init', '--migrations', 'db/nope'], cleanEnv(), dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--migrations db\/nope: no such folder/);
    const bad = await runCli(['init', '--db', 'App-DB'], cleanEnv(), dir);
    assert.equal(bad.code, 2);
    await assert.rejects(access(join(dir, 'dbspec.config.yaml')));
  });
});

describe("the README's CI example", () => {
  it('is the workflow `dbspec init --db app` writes', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('### In CI')))?.[1];
    const choices = { databases: ['app'], migrations: new Map(), specs: 'specs', output: 'reports/out', schemaDir: 'node_modules/dbspec/schema' };
    assert.equal(block, workflowText(choices));
  });
});

describe('config discovery', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-discovery-'));
    await mkdir(join(dir, 'specs', 'deep', 'er'), { recursive: true });
    await writeFile(join(dir, 'dbspec.config.yaml'), 'specs: specs\ndatabases:\n  app: {}\n');
    await writeFile(join(dir, 'specs', 'deep', 'one.spec.yaml'), 'name: one\nsteps:\n  - name: s\n    db: app\n    sql: select 1\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('from a subfolder: finds the config above, and its specs folder is the default, shown relative to where you are', async () => {
    const sub = join(dir, 'specs', 'deep', 'er');
    const listed = await runCli(['list', '--json'], cleanEnv(), sub);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /"\.\.\/one\.spec\.yaml"/);
    const valid = await runCli(['validate'], cleanEnv(), sub);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /1 spec valid/);
  });

  it('with no config in the folder or above: says to run dbspec init, exit 2', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'dbspec-noconfig-'));
    try {
      const result = await runCli(['validate'], cleanEnv(), empty);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /no dbspec\.config\.yaml in .* or any folder above it/);
      assert.match(result.stderr, /npx dbspec init/);
      assert.equal(dirname(empty), tmpdir());
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
