/**
 * Interleave steps beyond the ported specs: sessions on two databases in one interleaving, a statement's
 * own expectation failing at its YAML line, an invalid permutation, validation of names, the order of
 * `permutations: all`, and result sets laid out as PQprint does.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allPermutations } from '../../runner/execute/interleave/permutations.ts';
import { formatResultSet } from '../../runner/execute/interleave/transcript.ts';
import { loadSpec } from '../../runner/spec/validate.ts';
import { loadValidSpec, openScratch, runOne, type OpenScratch } from '../support/run-in-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const TWO_DATABASES = `name: two services interleaved
steps:
  - name: a session on auth and one on backend
    interleave:
      setup:
        - { db: backend, sql: "create table t (id int primary key)" }
      teardown:
        - { db: backend, sql: "drop table t" }
      sessions:
        a:
          db: auth
          statements:
            a1: select 'auth' as side
        b:
          db: backend
          setup: begin
          statements:
            b1: insert into t values (1)
            b2: commit
        c:
          db: backend
          setup: begin
          statements:
            c1:
              sql: insert into t values (1)
              expect: { blocks: true, error: { code: "23505" } }
            c2: rollback
      permutations:
        - [b1, c1, a1, b2, c2]
`;

const EXPECTED_TWO = `Parsed test spec with 3 sessions

starting permutation: b1 c1 a1 b2 c2
step b1: insert into t values (1)
step c1: insert into t values (1) <waiting ...>
step a1: select 'auth' as side
side
----
auth
(1 row)

step b2: commit
step c1: <... completed>
ERROR:  duplicate key value violates unique constraint "t_pkey"
step c2: rollback
`;

describe('interleave steps', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-interleave-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));
  const write = async (name: string, text: string): Promise<string> => {
    await writeFile(join(dir, name), text);
    return name;
  };

  it('runs every order that keeps each session in sequence, in the isolation tester order', () => {
    assert.deepEqual(
      allPermutations([
        ['s1a', 's1b'],
        ['s2a', 's2b'],
      ]).map((p) => p.join(' ')),
      ['s1a s1b s2a s2b', 's1a s2a s1b s2b', 's1a s2a s2b s1b', 's2a s1a s1b s2b', 's2a s1a s2b s1b', 's2a s2b s1a s1b'],
    );
  });

  it('lays out result sets as PQprint: numbers right, text left, NULL empty', () => {
    const lines = formatResultSet({
      command: 'SELECT',
      rowCount: 2,
      columns: [
        { name: 'id', typeOid: 23 },
        { name: 'data', typeOid: 25 },
      ],
      rows: [
        ['1', 'x'],
        ['10', null],
      ],
    });
    assert.deepEqual(lines, ['id|data', '--+----', ' 1|x   ', '10|    ', '(2 rows)', '']);
  });

  it('refuses unknown and duplicate statement names, where they are written', async () => {
    const file = await write(
      'names.spec.yaml',
      `name: names
steps:
  - name: n
    interleave:
      sessions:
        s1: { db: backend, statements: { x1: select 1 } }
        s2: { db: backend, statements: { x1: select 2 } }
      permutations:
        - [x1, x2]
`,
    );
    const { diagnostics } = await loadSpec(file, { databases: ['backend'], cwd: dir });
    const found = diagnostics.map((d) => `${d.code}@${d.location?.line}`).sort();
    assert.deepEqual(found, ['DBSPEC_DUPLICATE_STATEMENT@7', 'DBSPEC_UNKNOWN_STATEMENT@9']);
  });

  describe('on PostgreSQL 15', () => {
    let scratch: ScratchDatabases;
    let open: OpenScratch;
    before(async () => {
      const [local] = await testServers();
      scratch = await scratchDatabases(local!, ['auth', 'backend'], { migrations: false });
      open = await openScratch(scratch.urls, dir);
    });
    after(async () => {
      await open?.close();
      await scratch?.drop();
    });

    it('holds sessions on auth and backend in one interleaving; a waiting statement completes later', async () => {
      const spec = await loadValidSpec(await write('two.spec.yaml', TWO_DATABASES), ['auth', 'backend'], dir);
      const step = (await runOne(spec, open.databases)).steps.find((s) => s.kind === 'interleave')!;
      assert.equal(step.status, 'passed', step.failure?.message);
      assert.equal(step.output, EXPECTED_TWO);
    });

    it("fails a statement's own expectation at its line, with the permutation's transcript", async () => {
      const wrong = TWO_DATABASES.replace('code: "23505"', 'code: "40P01"');
      const spec = await loadValidSpec(await write('wrong.spec.yaml', wrong), ['auth', 'backend'], dir);
      const step = (await runOne(spec, open.databases)).steps.find((s) => s.kind === 'interleave')!;
      assert.equal(step.failure?.code, 'ERROR_MISMATCH');
      assert.match(step.failure!.location!, /wrong\.spec\.yaml:26:/);
      assert.match(step.failure!.message, /^step c1: expected SQLSTATE 40P01, got SQLSTATE 23505/);
      assert.match(step.failure!.message, /step c1: <\.\.\. completed>/);
    });

    it('reports a statement that was expected to wait and did not', async () => {
      const spec = await loadValidSpec(
        await write('noblock.spec.yaml', TWO_DATABASES.replace('[b1, c1, a1, b2, c2]', '[b1, b2, c1, a1, c2]')),
        ['auth', 'backend'],
        dir,
      );
      const step = (await runOne(spec, open.databases)).steps.find((s) => s.kind === 'interleave')!;
      assert.equal(step.failure?.code, 'BLOCKING_MISMATCH');
      assert.match(step.failure!.message, /expected it to wait for another session, but it completed without waiting/);
      assert.match(step.failure!.location!, /noblock\.spec\.yaml:26:/);
    });

    it('stops an order in which a waiting session would have to run its next statement', async () => {
      const spec = await loadValidSpec(
        await write('invalid.spec.yaml', TWO_DATABASES.replace('[b1, c1, a1, b2, c2]', '[b1, c1, c2, b2]')),
        ['auth', 'backend'],
        dir,
      );
      const step = (await runOne(spec, open.databases)).steps.find((s) => s.kind === 'interleave')!;
      assert.equal(step.failure?.code, 'INVALID_PERMUTATION');
      assert.match(step.failure!.message, /step c2 cannot run: its session is still waiting in step c1/);
    });
  });
});
