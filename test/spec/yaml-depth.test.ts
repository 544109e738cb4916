/** The nesting guard counts YAML's own structure, never brackets that are text (SQL, strings, comments). */
import assert from 'node:assert/strict';
import { MAX_DEPTH, parseYamlText } from '../../runner/spec/load.ts';

const deep = `${'['.repeat(100)}1${']'.repeat(100)}`;
const codes = (text: string): string[] => parseYamlText(Buffer.from(text), 'deep.spec.yaml').diagnostics.map((d) => d.code);

describe('load: the depth guard counts YAML structure only', () => {
  it(`a ${100}-level array literal inside a SQL block scalar is valid`, () => {
    assert.deepEqual(codes(`name: deep literal\nsql: |\n  select '${deep}'::jsonb\n`), []);
  });
  it('inside a plain scalar, a quoted string and a comment too', () => {
    assert.deepEqual(codes(`sql: select '${deep}'\n`), []);
    assert.deepEqual(codes(`a: "${deep}"\nb: '${deep}'\n`), []);
    assert.deepEqual(codes(`# ${deep}\na: 1\n`), []);
  });
  it(`real flow nesting deeper than ${MAX_DEPTH} is refused, at the bracket one level too deep`, () => {
    const result = parseYamlText(Buffer.from(`a: x\nb: ${'['.repeat(MAX_DEPTH + 1)}${']'.repeat(MAX_DEPTH + 1)}\n`), 'deep.spec.yaml');
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.location?.line, d.location?.column]),
      [['DBSPEC_YAML_TOO_DEEP', 2, 4 + MAX_DEPTH]],
    );
  });
  it(`${MAX_DEPTH} levels are fine`, () => {
    assert.deepEqual(codes(`b: ${'['.repeat(MAX_DEPTH - 1)}${']'.repeat(MAX_DEPTH - 1)}\n`), []);
  });
});
