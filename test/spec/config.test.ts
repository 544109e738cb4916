/** loadConfig: dbspec.config.yaml + environment -> Config, with defaults and located errors. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../runner/config.ts';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('without a config file here or above: an error that says to run dbspec init, no defaults', async () => {
    const { config, diagnostics } = await loadConfig({ cwd: dir, env: { DBSPEC_AUTH_URL: 'postgres://u@localhost/auth' } });
    assert.equal(config, undefined);
    assert.deepEqual(
      diagnostics.map((d) => [d.kind, d.code, d.message, d.hint]),
      [
        [
          'config',
          'DBSPEC_CONFIG_NOT_FOUND',
          `no dbspec.config.yaml in ${dir} or any folder above it`,
          'run `npx dbspec init` at the root of your project to create one (or pass --config FILE)',
        ],
      ],
    );
  });

  it('walks up from a subfolder to the config; its folder is the root, specs and output default from there', async () => {
    await writeFile(join(dir, 'dbspec.config.yaml'), 'output: build/dbspec\ndatabases:\n  auth: { migrations: db/auth }\n');
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    const { config, diagnostics } = await loadConfig({ cwd: join(dir, 'a', 'b'), env: {} });
    assert.deepEqual(diagnostics, []);
    assert.equal(config!.file, '../../dbspec.config.yaml');
    assert.equal(config!.root, dir);
    assert.equal(config!.specs, join(dir, 'specs'));
    assert.equal(config!.output, join(dir, 'build', 'dbspec'));
    assert.deepEqual(config!.databases[0]!.migrationsAt, { file: '../../dbspec.config.yaml', line: 3, column: 23, endLine: 3, endColumn: 30 });
  });

  it('reads dbspec.config.yaml from the working directory, filling defaults per database', async () => {
    await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  billing:\n    url_env: BILLING_DB\n    disposable: true\n  auth:\n');
    const { config, diagnostics } = await loadConfig({ cwd: dir, env: { BILLING_DB: 'postgresql://b@h:5433/billing', DBSPEC_AUTH_URL: '' } });
    assert.deepEqual(diagnostics, []);
    assert.equal(config!.file, 'dbspec.config.yaml');
    assert.deepEqual(config!.databases, [
      { name: 'billing', urlEnv: 'BILLING_DB', url: 'postgresql://b@h:5433/billing', migrations: 'specs/db/billing', disposable: true },
      { name: 'auth', urlEnv: 'DBSPEC_AUTH_URL', migrations: 'specs/db/auth', disposable: false },
    ]);
  });

  it("takes --config relative to the working directory; root is the config file's folder", async () => {
    await writeFile(join(dir, 'other.yaml'), 'databases:\n  auth: { migrations: db/auth }\n');
    const { config } = await loadConfig({ cwd: dir, file: 'other.yaml', env: {} });
    assert.equal(config!.root, dir);
    assert.equal(config!.databases[0]!.migrations, 'db/auth');
  });

  it('reports a missing --config file as a config error', async () => {
    const { config, diagnostics } = await loadConfig({ cwd: dir, file: 'nope.yaml', env: {} });
    assert.equal(config, undefined);
    assert.deepEqual(
      diagnostics.map((d) => [d.kind, d.code]),
      [['config', 'DBSPEC_CONFIG_NOT_FOUND']],
    );
  });

  it('locates schema errors in the config file, as config errors', async () => {
    await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  auth:\n    url_env: DBSPEC_AUTH_URL\n    migration: specs/db/auth\n');
    const { diagnostics } = await loadConfig({ cwd: dir, env: {} });
    assert.deepEqual(
      diagnostics.map((d) => [d.kind, d.code, d.location?.line, d.location?.column, d.message]),
      [['config', 'DBSPEC_SCHEMA_UNKNOWN_KEY', 4, 5, '`databases.auth`: unknown key `migration`; did you mean `migrations`?']],
    );
  });

  it('refuses a URL that is not PostgreSQL without echoing its password', async () => {
    await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  auth: {}\n');
    const { diagnostics } = await loadConfig({ cwd: dir, env: { DBSPEC_AUTH_URL: 'mysql://root:s3cret@db/auth' } });
    assert.equal(diagnostics[0]!.code, 'DBSPEC_BAD_URL');
    assert.equal(diagnostics[0]!.kind, 'config');
    assert.doesNotMatch(JSON.stringify(diagnostics), /s3cret/);
  });

  it('refuses unsafe YAML in the config as it does in specs', async () => {
    await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  auth: !!js/function x\n');
    const { diagnostics } = await loadConfig({ cwd: dir, env: {} });
    assert.deepEqual(
      diagnostics.map((d) => [d.kind, d.code, d.location?.line]),
      [['config', 'DBSPEC_YAML_TAG', 2]],
    );
  });
});
