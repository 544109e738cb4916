/**
 * The JSON Schemas themselves: complete descriptions for editors, closed objects, and every example they embed
 * (examples, defaultSnippets) valid, as is every spec under specs/.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadSpec, loadSpecs } from '../../runner/spec/validate.ts';
import { validatorFor } from '../../runner/spec/schema-check.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';

const ROOT = new URL('../../', import.meta.url).pathname;
type Schema = Record<string, unknown>;

const readSchema = async (name: string): Promise<Schema> => JSON.parse(await readFile(join(ROOT, 'schema', name), 'utf8')) as Schema;

/** Every sub-schema with the JSON path to it. */
const walk = (node: unknown, path: string, visit: (s: Schema, path: string) => void): void => {
  if (Array.isArray(node)) for (const [i, n] of node.entries()) walk(n, `${path}[${i}]`, visit);
  else if (node !== null && typeof node === 'object') {
    visit(node as Schema, path);
    for (const [k, v] of Object.entries(node)) if (k !== 'examples' && k !== 'defaultSnippets' && k !== 'default') walk(v, `${path}.${k}`, visit);
  }
};

/** Snippet bodies hold ${1:default} placeholders and \\$ escapes; expand them into the text a user would get. */
const expandSnippet = (value: unknown): unknown => {
  if (typeof value === 'string') {
    let s = value.replace(/\\\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '\u0000$1\u0001');
    for (let previous = ''; previous !== s; ) {
      previous = s;
      s = s.replace(/\$\{\d+:([^{}]*)\}/g, '$1');
    }
    return s.replace(/\u0000/g, '${').replace(/\u0001/g, '}');
  }
  if (Array.isArray(value)) return value.map(expandSnippet);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandSnippet(v)]));
  return value;
};

describe('schema/spec.schema.json and schema/config.schema.json', () => {
  for (const name of ['spec.schema.json', 'config.schema.json', 'fixture.schema.json']) {
    it(`${name}: every property has a description and examples; every object is closed`, async () => {
      const problems: string[] = [];
      walk(await readSchema(name), '$', (s, path) => {
        if (s.properties) {
          if (s.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`);
          for (const [key, prop] of Object.entries(s.properties as Record<string, Schema>)) {
            if (typeof prop.description !== 'string') problems.push(`${path}.properties.${key}: no description`);
            if (!Array.isArray(prop.examples) || prop.examples.length === 0) problems.push(`${path}.properties.${key}: no examples`);
          }
        }
      });
      assert.deepEqual(problems, []);
    });
  }

  for (const name of ['spec.schema.json', 'config.schema.json', 'fixture.schema.json']) {
    it(`${name}: every embedded example validates against the schema it is written in`, async () => {
      const schema = await readSchema(name);
      const ajv = new Ajv2020({ strict: false });
      if (name === 'fixture.schema.json') ajv.addSchema(await readSchema('spec.schema.json'));
      ajv.addSchema(schema);
      const failures: string[] = [];
      let checked = 0;
      const visit = (node: unknown, pointer: string): void => {
        if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
        const s = node as Schema;
        if (Array.isArray(s.examples) && pointer !== '') {
          const validate = ajv.compile({ $ref: `${String(schema.$id)}#${pointer}` });
          for (const example of s.examples) {
            checked++;
            if (!validate(example)) failures.push(`${pointer}: ${JSON.stringify(example)}: ${ajv.errorsText(validate.errors)}`);
          }
        }
        for (const [k, v] of Object.entries(s)) {
          if (k === 'examples' || k === 'defaultSnippets' || k === 'default' || k === 'enum') continue;
          if (Array.isArray(v)) for (const [i, item] of v.entries()) visit(item, `${pointer}/${k}/${i}`);
          else visit(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        }
      };
      visit(schema, '');
      assert.deepEqual(failures, []);
      assert.ok(checked >= (name === 'spec.schema.json' ? 50 : 4), `only ${checked} examples checked`);
    });
  }

  it('every example of a top-level property or a step validates inside a whole spec', async () => {
    const schema = await readSchema('spec.schema.json');
    const validate = validatorFor('spec.schema.json');
    // Wrap each example of a top-level property into a minimal spec.
    const base = { name: 'x', steps: [{ name: 's', db: 'auth', sql: 'select 1' }] };
    for (const [key, prop] of Object.entries(schema.properties as Record<string, Schema>)) {
      for (const example of prop.examples as unknown[]) {
        assert.ok(validate({ ...base, [key]: example }), `${key}: ${JSON.stringify(example)} -> ${JSON.stringify(validate.errors)}`);
      }
    }
    const defs = schema.$defs as Record<string, Schema>;
    for (const stepKind of ['queryStep', 'transactionStep', 'concurrentStep', 'compareStep', 'benchmarkStep', 'step']) {
      for (const example of defs[stepKind]!.examples as unknown[]) {
        assert.ok(validate({ name: 'x', steps: [example] }), `${stepKind}: ${JSON.stringify(validate.errors)}`);
      }
    }
  });

  it('the defaultSnippets make specs that pass full validation', async () => {
    const schema = await readSchema('spec.schema.json');
    const dir = await mkdtemp(join(tmpdir(), 'dbspec-snippets-'));
    try {
      const skeleton = expandSnippet((schema.defaultSnippets as { body: unknown }[])[0]!.body);
      const stepSnippets = ((schema.$defs as Record<string, Schema>).step!.defaultSnippets as { label: string; body: unknown }[]).map((s) =>
        expandSnippet(s.body),
      );
      const specs = [skeleton, ...stepSnippets.map((step, i) => ({ name: `snippet ${i}`, steps: [step] }))];
      for (const [i, spec] of specs.entries()) {
        await writeFile(join(dir, `s${i}.spec.yaml`), stringify(spec));
        const { diagnostics } = await loadSpec(`s${i}.spec.yaml`, { databases: ['auth', 'backend'], cwd: dir });
        assert.deepEqual(diagnostics, [], stringify(spec));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the config schema accepts the example config and its own snippet', async () => {
    const schema = await readSchema('config.schema.json');
    const validate = validatorFor('config.schema.json');
    assert.ok(validate((schema.defaultSnippets as { body: unknown }[])[0]!.body), JSON.stringify(validate.errors));
    assert.ok(validate({ databases: { auth: null } }));
  });

  it('every spec under specs/ and the test fixtures validates', async () => {
    const { specs, files, diagnostics } = await loadSpecs(['specs', 'test/spec/fixtures'], { databases: ['auth', 'backend'], cwd: ROOT });
    assert.deepEqual(
      diagnostics.map((d) => `${d.location?.file}:${d.location?.line}: ${d.message}`),
      [],
    );
    assert.equal(specs.length, files.length);
  });
});
