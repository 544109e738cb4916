/**
 * The validation cache: a second load of unchanged specs gives the same specs without validating them again;
 * an edited spec or an edited fixture it includes is validated afresh.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specKey } from '../../runner/plan/select.ts';
import { specSources } from '../../runner/plan/sources.ts';
import { loadSpecs } from '../../runner/spec/validate.ts';

const FIXTURE = `params:
  n: 1
setup:
  - db: auth
    sql: select \${n}::int
`;

const spec = (i: number): string => `name: cached ${i}
use:
  - fixture: ../fixtures/base.yaml
steps:
  - name: exact
    db: auth
    sql: select 1.50::numeric as n
    expect: { rows: [ { n: 1.50 } ] }
`;

describe('validation cache', () => {
  let dir: string;
  let cache: string;
  const saved = process.env.DBSPEC_CACHE_DIR;
  const load = () => loadSpecs(['specs'], { databases: ['auth'], cwd: dir });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-vcache-'));
    cache = join(dir, 'cache');
    process.env.DBSPEC_CACHE_DIR = cache;
    await mkdir(join(dir, 'specs'));
    await mkdir(join(dir, 'fixtures'));
    await writeFile(join(dir, 'fixtures', 'base.yaml'), FIXTURE);
    for (let i = 0; i < 3; i++) await writeFile(join(dir, 'specs', `s${i}.spec.yaml`), spec(i));
  });
  after(async () => {
    if (saved === undefined) delete process.env.DBSPEC_CACHE_DIR;
    else process.env.DBSPEC_CACHE_DIR = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('stores valid specs and gives them back unchanged, exact numbers and all', async () => {
    const first = await load();
    assert.deepEqual(first.diagnostics, []);
    assert.equal((await readdir(cache)).filter((f) => f.endsWith('.v8')).length, 1);
    assert.equal(first.fromCache, 0);
    const second = await load();
    assert.deepEqual(second.diagnostics, []);
    assert.equal(second.fromCache, 3);
    assert.deepEqual(second.specs, first.specs);
    assert.ok(
      second.specs.every((s, i) => s !== first.specs[i]),
      'the second load comes from the cache, not memory',
    );
  });

  it("gives the files' SHA-256 as read, which the run's spec sources take instead of reading them again", async () => {
    const { specs, fileHashes } = await load();
    const reread = await specSources(specs, dir);
    assert.deepEqual(await specSources(specs, dir, fileHashes), reread);
    // With the files gone, only hashes taken as they were loaded can still name their content.
    const texts = await Promise.all(specs.map((spec) => readFile(join(dir, spec.file))));
    await Promise.all(specs.map((spec) => rm(join(dir, spec.file))));
    try {
      const known = await specSources(specs, dir, fileHashes);
      assert.deepEqual(known, reread);
      for (const [i, spec] of specs.entries()) {
        const sha = createHash('sha256').update(texts[i]!).digest('hex');
        assert.equal(fileHashes.get(join(dir, spec.file)), sha, spec.file);
        assert.equal(known.get(specKey(spec))?.files[0]?.sha256, sha);
      }
      assert.notDeepEqual(await specSources(specs, dir), reread);
    } finally {
      await Promise.all(specs.map((spec, i) => writeFile(join(dir, spec.file), texts[i]!)));
    }
  });

  it('validates an edited spec afresh', async () => {
    await writeFile(join(dir, 'specs', 's1.spec.yaml'), spec(1).replace('db: auth\n    sql: select 1.50', 'db: nowhere\n    sql: select 1.50'));
    const { diagnostics, fromCache } = await load();
    assert.equal(fromCache, 2);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.location?.file]),
      [['DBSPEC_UNKNOWN_DB', 'specs/s1.spec.yaml']],
    );
  });

  it('validates a spec afresh when a fixture it includes changed', async () => {
    await writeFile(join(dir, 'fixtures', 'base.yaml'), FIXTURE.replace('db: auth', 'db: elsewhere'));
    const { diagnostics } = await load();
    assert.ok(diagnostics.length >= 2, JSON.stringify(diagnostics));
    assert.ok(
      diagnostics.every((d) => d.code === 'DBSPEC_UNKNOWN_DB'),
      JSON.stringify(diagnostics.map((d) => d.code)),
    );
  });

  it('is not used with DBSPEC_CACHE=off', async () => {
    await rm(cache, { recursive: true, force: true });
    process.env.DBSPEC_CACHE = 'off';
    try {
      await load();
      assert.equal(
        await readdir(cache).then(
          (f) => f.length,
          () => 0,
        ),
        0,
      );
    } finally {
      delete process.env.DBSPEC_CACHE;
    }
  });
});
