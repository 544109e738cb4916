import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbspecError } from '../../runner/diagnostics.ts';
import { readResults, resultsJsonChunks, serializeResults } from '../../runner/results/read.ts';
import { summarize } from '../../runner/results/summary.ts';
import type { RunResults } from '../../runner/results/types.ts';

const FIXTURES = new URL('../fixtures/results/', import.meta.url);
const fixture = (name: string) => readResults(new URL(`${name}.json`, FIXTURES).pathname);

/** Same data, keys inserted in reverse: what an executor filling objects in another order produces. */
const scrambled = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(scrambled);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, scrambled(v)]),
    );
  return value;
};

const rejectsAsConfig = async (promise: Promise<unknown>, file: string, pattern: RegExp) => {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DbspecError);
    const d = error.diagnostics[0]!;
    assert.equal(d.kind, 'config');
    assert.ok(d.message.includes(file), d.message);
    assert.match(d.message, pattern);
    return true;
  });
};

describe('results files: read, serialize, summarize', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-results-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads every fixture and writes it back byte for byte', async () => {
    for (const name of ['passing', 'passing-rerun', 'failing', 'interrupted']) {
      const text = await readFile(new URL(`${name}.json`, FIXTURES), 'utf8');
      assert.equal(serializeResults(await fixture(name)), text, name);
    }
  });

  it('serializes in a stable order whatever the key and spec order in memory', async () => {
    const results = await fixture('failing');
    const shuffled = scrambled(results) as RunResults;
    const reversed: RunResults = { ...shuffled, specs: [...shuffled.specs].reverse() };
    const text = serializeResults(reversed);
    assert.equal(text, serializeResults(results));
    assert.ok(text.endsWith('}\n'));
    assert.equal(text.split('\n')[1], '  "format": "dbspec-results",');
    const names = (JSON.parse(text) as RunResults).specs.map((s) => `${s.file} ${s.name}`);
    assert.deepEqual(names, [...names].sort());
  });

  it('writes results.json one spec at a time, in the bytes of one JSON.stringify with two spaces', async () => {
    const results = await fixture('failing');
    const chunks = [...resultsJsonChunks(results)];
    assert.ok(results.specs.length > 1);
    assert.equal(chunks.length, results.specs.length + 2);
    assert.equal(chunks.join(''), `${JSON.stringify(JSON.parse(chunks.join('')), null, 2)}\n`);
    const none = { ...results, specs: [] };
    assert.equal(serializeResults(none), `${JSON.stringify(JSON.parse(serializeResults(none)), null, 2)}\n`);
    assert.deepEqual((JSON.parse(serializeResults(none)) as RunResults).specs, []);
  });

  it('keeps fields it does not know, after the known ones', async () => {
    const results = await fixture('passing');
    const extended = { ...results, zeta: 1, alpha: 2 } as RunResults;
    const keys = Object.keys(JSON.parse(serializeResults(extended)) as object);
    assert.deepEqual(keys.slice(-3), ['specs', 'alpha', 'zeta']);
  });

  it('rejects a file that is not results JSON with a config diagnostic naming the file', async () => {
    const notJson = join(dir, 'not-json.json');
    await writeFile(notJson, '{ nope');
    await rejectsAsConfig(readResults(notJson), notJson, /not valid JSON/);

    const wrongShape = join(dir, 'wrong.json');
    const results = await fixture('failing');
    await writeFile(wrongShape, JSON.stringify({ ...results, specs: [{ ...results.specs[0], status: 'exploded' }] }));
    await rejectsAsConfig(readResults(wrongShape), wrongShape, /\/specs\/0\/status/);

    await rejectsAsConfig(readResults(join(dir, 'missing.json')), 'missing.json', /cannot read/);
  });

  it('summarizes specs and steps of every phase', async () => {
    const results = await fixture('failing');
    assert.deepEqual(summarize(results.specs), {
      specs: { passed: 1, failed: 2, errored: 1, skipped: 0, total: 4 },
      steps: { passed: 6, failed: 2, errored: 1, skipped: 1, total: 10 },
    });
    const none = { passed: 0, failed: 0, errored: 0, skipped: 0, total: 0 };
    assert.deepEqual(summarize([]), { specs: none, steps: none });
  });
});
