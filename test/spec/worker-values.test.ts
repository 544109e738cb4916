/** Specs validated on worker threads (large suites) keep their exact YAML numbers, as on the main thread. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpecs } from '../../runner/spec/validate.ts';
import { YamlNumber } from '../../runner/spec/yaml-number.ts';

const spec = (i: number): string => `name: decimal ${i}
steps:
  - name: exact
    db: auth
    sql: select 12345678901234567.10::numeric as n
    expect: { rows: [ { n: 12345678901234567.10 } ] }
`;

describe('validation on worker threads', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-workers-'));
    // Enough files for validation to use worker threads (validate.ts: PARALLEL_FROM).
    await Promise.all(Array.from({ length: 240 }, (_, i) => writeFile(join(dir, `d${i}.spec.yaml`), spec(i))));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('every spec keeps its decimals as YamlNumber, whichever thread validated it', async () => {
    const { specs, diagnostics } = await loadSpecs([dir], { databases: ['auth'] });
    assert.deepEqual(diagnostics, []);
    assert.equal(specs.length, 240);
    for (const s of specs) {
      const step = s.steps[0] as unknown as { expect: { rows: { cells: Record<string, unknown> }[] } };
      const cell = JSON.stringify(step.expect);
      assert.ok(cell.includes('12345678901234567.10'), cell);
      const found: unknown[] = [];
      const walk = (v: unknown): void => {
        if (v instanceof YamlNumber) found.push(v);
        else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
      };
      walk(step.expect);
      assert.equal(found.length, 1, `${s.file}: ${cell}`);
    }
  });
});
