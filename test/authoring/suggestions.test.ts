/**
 * "Did you mean" in validation errors: misspelt keys, variables and database names each get the nearest
 * correct one, at the line where the typo is.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpec } from '../../runner/spec/validate.ts';

const SPEC = `name: typos
vars:
  user_id: \${uuid}
steps:
  - name: one
    db: bakend
    sql: select \${usr_id}::uuid as id
    expect:
      rowz: []
`;

describe('suggestions in validation errors', () => {
  it('keys, variables and database names each get a did-you-mean at their line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbspec-suggest-'));
    try {
      await writeFile(join(dir, 't.spec.yaml'), SPEC);
      const { diagnostics } = await loadSpec('t.spec.yaml', { databases: ['auth', 'backend'], cwd: dir });
      const seen = diagnostics.map((d) => `${d.location?.line} ${d.message}`);
      assert.ok(
        seen.some((s) => /^9 .*unknown key `rowz`; did you mean `rows`\?/.test(s)),
        seen.join('\n'),
      );
      assert.ok(
        seen.some((s) => /^6 .*`bakend`; did you mean `backend`\?/.test(s)),
        seen.join('\n'),
      );
      assert.ok(
        seen.some((s) => /^7 .*`\$\{usr_id\}` is not defined; did you mean `\$\{user_id\}`\?/.test(s)),
        seen.join('\n'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
