/**
 * The authoring guide's examples are specs too: a complete example validates as it is, a list of steps
 * validates inside a spec that declares the variables it uses.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILTIN_VARS } from '../../runner/spec/types.ts';
import { loadSpec } from '../../runner/spec/validate.ts';
import { VAR_PATTERN } from '../../runner/spec/vars.ts';

const README = new URL('../../specs/README.md', import.meta.url);

/** Step examples become a spec: every variable they use is declared, captures excepted. */
const asSpec = (block: string, index: number): string => {
  const captured = new Set([...block.matchAll(/capture:\s*\n((?:\s+\w+: \w+.*\n)+)/g)].flatMap((m) => [...m[1]!.matchAll(/(\w+):/g)].map((c) => c[1]!)));
  const used = new Set([...block.matchAll(VAR_PATTERN)].map((m) => m[1]!).filter((n) => !(BUILTIN_VARS as readonly string[]).includes(n) && !captured.has(n)));
  const vars = used.size > 0 ? `vars:\n${[...used].map((n) => `  ${n}: \${uuid}`).join('\n')}\n` : '';
  const steps = block
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `name: readme example ${index}\n${vars}steps:\n${steps}\n`;
};

describe('specs/README.md examples', () => {
  it('validate: the complete spec as written, step examples inside a spec', async () => {
    const text = await readFile(README, 'utf8');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const dir = await mkdtemp(join(tmpdir(), 'dbspec-readme-'));
    try {
      let checked = 0;
      // A block whose first line names its file (`# specs/fixtures/tenant.yaml`) is written there first, so
      // that the examples using one another (a spec and its fixture) validate together.
      const named = blocks.flatMap((block) => {
        const path = /^# (specs\/\S+\.ya?ml)\n/.exec(block)?.[1];
        return path ? [{ path, block }] : [];
      });
      for (const { path, block } of named) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), block);
      }
      for (const { path } of named.filter((n) => n.path.endsWith('.spec.yaml'))) {
        const { diagnostics } = await loadSpec(path, { databases: ['auth', 'backend'], cwd: dir });
        assert.deepEqual(
          diagnostics.map((d) => `${d.code} ${d.message}`),
          [],
          `README example ${path}`,
        );
        checked++;
      }
      for (const [i, block] of blocks.entries()) {
        if (named.some((n) => n.block === block)) continue;
        const body = block.replace(/^#.*\n/, '');
        let spec: string;
        if (/^name: /m.test(body) && !body.startsWith('-')) spec = block;
        else if (body.startsWith('- name:')) spec = asSpec(body, i);
        else continue;
        await writeFile(join(dir, `r${i}.spec.yaml`), spec);
        const { diagnostics } = await loadSpec(`r${i}.spec.yaml`, { databases: ['auth', 'backend'], cwd: dir });
        assert.deepEqual(
          diagnostics.map((d) => `${d.code} ${d.message}`),
          [],
          `README example ${i}:\n${spec}`,
        );
        checked++;
      }
      assert.ok(checked >= 8, `only ${checked} examples checked`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
