/**
 * The package validates configs with ajv's standalone code for the config schema (built by
 * scripts/standalone-validators.ts), the sources with ajv compiling the schema: both must give the same
 * verdict and the same errors, which the messages are made from.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { writeStandaloneValidators } from '../../scripts/standalone-validators.ts';
import { compileSchema, PRECOMPILED_SCHEMAS } from '../../runner/spec/schema-check.ts';
import { REPO } from '../run/cli-process.ts';

const CONFIGS: readonly unknown[] = [
  { databases: { auth: { url_env: 'DBSPEC_AUTH_URL', migrations: 'db/auth', disposable: true } }, specs: 'specs', output: 'out', max_rows: 10 },
  { databases: { auth: null } },
  {},
  [],
  'databases',
  { databases: {} },
  { databases: { Auth: {}, 'two words': {} } },
  { databases: { auth: { url_env: 5, migrations: '', disposable: 'yes', extra: 1 } } },
  { databases: { auth: { url_env: 'postgres://x' } }, unknown: true },
  { databases: { auth: {} }, max_rows: 1.5 },
  { databases: { auth: {} }, max_rows: 0, specs: '', output: 7 },
  { databases: { auth: {} }, shared_targets: { allow: ['alter_system', 'alter_system', 'nuke'], extensions: ['', 'x', 'x', 3], other: 1 } },
  { databases: { auth: {} }, shared_targets: 'all' },
  { databases: { auth: 'url' } },
];

describe('standalone validators (the package) and ajv compiling the schema (the sources)', () => {
  // Inside node_modules, so the generated code finds ajv's runtime helpers as the build does.
  const folder = join(REPO, 'node_modules', '.cache', `dbspec-test-validators-${process.pid}`);
  let standalone: Readonly<Record<string, ValidateFunction>>;
  before(async () => {
    const index = writeStandaloneValidators(folder);
    standalone = ((await import(pathToFileURL(index).href)) as { validators: Record<string, ValidateFunction> }).validators;
  });
  after(() => rm(folder, { recursive: true, force: true }));

  for (const name of PRECOMPILED_SCHEMAS)
    it(`${name}: the same verdict and errors for every document`, () => {
      const compiled = compileSchema(name).validate;
      let invalid = 0;
      for (const doc of CONFIGS) {
        const verdict = compiled(doc);
        assert.equal(standalone[name]!(doc), verdict, JSON.stringify(doc));
        assert.deepEqual(standalone[name]!.errors, compiled.errors, JSON.stringify(doc));
        if (!verdict) invalid++;
      }
      assert.equal(invalid, CONFIGS.length - 2);
    });
});
