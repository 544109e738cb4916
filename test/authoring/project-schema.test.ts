/**
 * Editor help from the config: `dbspec schema` (and `dbspec init`, `dbspec new`) write the project's spec schema with the
 * configured databases as the values `db:` takes; the step schema lists db, sql and expect so an editor
 * offers them right after `- name:`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { cleanEnv, REPO, runCli } from '../run/cli-process.ts';

type Schema = { $defs: Record<string, { enum?: string[]; properties?: Record<string, unknown> }> };

const spec = (db: string) => ({ name: 'probe', steps: [{ name: 'one', db, sql: 'select 1' }] });

describe('the project schema', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-schema-'));
    await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  billing: {}\n  ledger: {}\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('dbspec schema lists the configured databases as the values of db', async () => {
    const run = await runCli(['schema'], cleanEnv(), dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^wrote \.dbspec\/spec\.schema\.json \(databases: billing, ledger\)$/m);
    const schema = JSON.parse(await readFile(join(dir, '.dbspec', 'spec.schema.json'), 'utf8')) as Schema;
    assert.deepEqual(schema.$defs.db!.enum, ['billing', 'ledger']);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    assert.equal(validate(spec('ledger')), true, JSON.stringify(validate.errors));
    assert.equal(validate(spec('ledgr')), false, 'a database not in the config is flagged in the editor');
  });

  it('dbspec new points the starter at it', async () => {
    const run = await runCli(['new', 'a first probe', '--db', 'ledger'], cleanEnv(), dir);
    assert.equal(run.code, 0, run.stderr);
    const text = await readFile(join(dir, 'specs', 'a_first_probe.spec.yaml'), 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\.\/\.dbspec\/spec\.schema\.json$/m);
  });

  it('dbspec init writes it for the databases it is given, and the starter spec uses it', async () => {
    const project = await mkdtemp(join(tmpdir(), 'dbspec-schema-init-'));
    try {
      const run = await runCli(['init', '--db', 'orders,stock'], cleanEnv(), project);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^wrote {4}\.dbspec\/spec\.schema\.json$/m);
      const schema = JSON.parse(await readFile(join(project, '.dbspec', 'spec.schema.json'), 'utf8')) as Schema;
      assert.deepEqual(schema.$defs.db!.enum, ['orders', 'stock']);
      const starter = (await readdir(join(project, 'specs'))).find((f) => f.endsWith('.spec.yaml'))!;
      assert.match(await readFile(join(project, 'specs', starter), 'utf8'), /^# yaml-language-server: \$schema=\.\.\/\.dbspec\/spec\.schema\.json$/m);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it('the step schema offers db, sql and expect after `- name:` as well as the snippets', async () => {
    const base = JSON.parse(await readFile(join(REPO, 'schema', 'spec.schema.json'), 'utf8')) as Schema & {
      $defs: { step: { properties: Record<string, unknown>; defaultSnippets: unknown[] } };
    };
    const keys = Object.keys(base.$defs.step.properties);
    for (const key of ['name', 'db', 'sql', 'expect', 'transaction', 'concurrent', 'compare', 'benchmark']) assert.ok(keys.includes(key), key);
    assert.ok(base.$defs.step.defaultSnippets.length > 0);
  });
});
