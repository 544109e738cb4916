/**
 * The schemas dbspec ships compiled (PRECOMPILED_SCHEMAS): ajv's standalone code for each, in one folder,
 * and an index module exporting them as `validators` by schema name. scripts/build.ts bundles the index
 * into dist/validators.js; test/spec/standalone-validators.test.ts checks the code validates as ajv does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// CommonJS: Node's default import is module.exports, the function, which also carries itself as .default (its type).
import standalone from 'ajv/dist/standalone/index.js';
import { compileSchema, PRECOMPILED_SCHEMAS } from '../runner/spec/schema-check.ts';

/**
 * ajv's ES module output still require()s its runtime helpers (ucs2length, equal, ...) at top level: as
 * imports, the code runs in Node as it is and esbuild bundles the helpers (ajv is not installed with dbspec).
 */
const asModule = (code: string): string => {
  const text = code.replace(
    /const (\w+) = require\("([^"]+)"\)\.default;/g,
    (_all, name: string, path: string) => `import ${name}$ from "${path}.js";const ${name} = ${name}$.default;`,
  );
  if (text.includes('require(')) throw new Error('ajv standalone code has a require() this build does not know');
  return text;
};

/** Writes the modules into `folder` (which must resolve ajv's runtime from node_modules); returns the index's path. */
export const writeStandaloneValidators = (folder: string): string => {
  mkdirSync(folder, { recursive: true });
  const imports: string[] = [];
  for (const [i, name] of PRECOMPILED_SCHEMAS.entries()) {
    const { ajv, validate } = compileSchema(name, true);
    writeFileSync(join(folder, `schema-${i}.mjs`), asModule(standalone.default(ajv, validate)));
    imports.push(`import schema${i} from './schema-${i}.mjs';`);
  }
  const index = join(folder, 'validators.mjs');
  const entries = PRECOMPILED_SCHEMAS.map((name, i) => `  ${JSON.stringify(name)}: schema${i},`);
  writeFileSync(index, `${imports.join('\n')}\nexport const validators = {\n${entries.join('\n')}\n};\n`);
  return index;
};
