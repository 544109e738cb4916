/**
 * dbspec compiles its schemas without checking them against the JSON Schema 2020-12 meta-schema (that
 * check compiled the meta-schema in every process: see spec/schema-check.ts); this test does it once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'chai';

const dir = new URL('../../schema/', import.meta.url);
const checker = (): Ajv2020 => {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, validateSchema: true });
  ajv.addVocabulary(['defaultSnippets', 'errorMessage', 'markdownDescription']);
  return ajv;
};

describe('schema/*.json against the JSON Schema 2020-12 meta-schema', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json'));

  it('there are schemas to check', () => {
    expect(files).to.include('spec.schema.json');
  });

  for (const file of files) {
    it(file, () => {
      const schema = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as object;
      const ajv = checker();
      expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).to.equal(true);
    });
  }

  it('a schema the meta-schema refuses is caught', () => {
    const ajv = checker();
    expect(ajv.validateSchema({ type: 'strin' })).to.equal(false);
  });
});
