/** loadConfig: dbspec.config.yaml + environment -> Config, with defaults and located errors. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

  it('without a config file: databases auth and backend with default env names and migrations', async () => {
    const { config, diagnostics } = await loadConfig({ cwd: dir, env: { DBSPEC_AUTH_URL: 'postgres://u@localhost/auth' } });
    assert.deepEqual(diagnostics, []);
    assert.equal(config!.file, undefined);
    assert.equal(config!.root, dir);
    assert.deepEqual(config!.databases, [
      { name: 'auth', urlEnv: 'DBSPEC_AUTH_URL', url: 'postgres://u@localhost/auth', migrations: 'specs/db/auth', disposable: false },
      { name: 'backend', urlEnv: 'DBSPEC_BACKEND_URL', migrations: 'specs/db/backend', disposable: false },
    ]);
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
