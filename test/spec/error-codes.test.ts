/**
 * error-codes.ts lists every code dbspec gives a problem or a failure: each one the sources use is listed
 * there (also where the type check cannot see it: a code in a variable, a failure built as plain Failure),
 * and each one listed is used, so the list says what dbspec really emits.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAILURE_CODES, PROBLEM_CODES } from '../../runner/error-codes.ts';

const RUNNER = fileURLToPath(new URL('../../runner/', import.meta.url));

const sources = readdirSync(RUNNER, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && f !== 'error-codes.ts')
  .map((f) => ({ file: f, text: readFileSync(join(RUNNER, f), 'utf8') }));

const used = (pattern: RegExp): Map<string, string> => {
  const found = new Map<string, string>();
  for (const { file, text } of sources) for (const m of text.matchAll(pattern)) if (!found.has(m[1]!)) found.set(m[1]!, file);
  return found;
};

describe('error codes', () => {
  it('every DBSPEC_ code in the sources is in error-codes.ts, and every one there is used', () => {
    const inSources = used(/'(DBSPEC_[A-Z0-9_]+)'/g);
    const unlisted = [...inSources].filter(([code]) => !(code in PROBLEM_CODES)).map(([code, file]) => `${code} (${file})`);
    assert.deepEqual(unlisted, [], 'codes the sources use that error-codes.ts does not list');
    assert.deepEqual(
      Object.keys(PROBLEM_CODES).filter((code) => !inSources.has(code)),
      [],
      'codes error-codes.ts lists that nothing uses',
    );
  });

  it('every failure code execution gives is in error-codes.ts, and every one there is used', () => {
    const inSources = used(/code: '([A-Z][A-Z0-9_]+)'/g);
    for (const code of inSources.keys()) if (code.startsWith('DBSPEC_')) inSources.delete(code);
    const unlisted = [...inSources].filter(([code]) => !(code in FAILURE_CODES)).map(([code, file]) => `${code} (${file})`);
    assert.deepEqual(unlisted, [], 'failure codes the sources use that error-codes.ts does not list');
    const named = used(/'([A-Z][A-Z0-9_]+)'/g);
    assert.deepEqual(
      Object.keys(FAILURE_CODES).filter((code) => !named.has(code)),
      [],
      'failure codes error-codes.ts lists that nothing uses',
    );
  });

  it('says what each code means and how it ends the command', () => {
    for (const [code, entry] of [...Object.entries(PROBLEM_CODES), ...Object.entries(FAILURE_CODES)]) {
      assert.ok(entry.meaning.length > 10, `${code} has no meaning`);
      assert.ok(['authoring', 'config', 'connection', 'file', 1, 2, 130].includes(entry.class), `${code}: ${String(entry.class)}`);
    }
  });
});
