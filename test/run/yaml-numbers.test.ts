/**
 * YAML numbers compare by the digits written, end to end through `dbspec run`: unquoted decimals in cells,
 * matcher bounds and tolerances, variables sent as parameters, captured values and compare steps. Each
 * passing step has a twin one digit off that must fail.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults } from '../../runner/results/read.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';
import { cleanEnv, runCli } from './cli-process.ts';

const SPEC = `name: yaml numbers are exact
vars:
  big: 12345678901234567.00
  small: 0.1000000000000000055511151231257827
steps:
  - name: pass cell decimal
    db: left
    sql: select 12345678901234567890.0123456789::numeric as num, 12345678901234567.00::numeric as credit
    expect:
      rows:
        - { num: 12345678901234567890.0123456789, credit: 12345678901234567.00 }
  - name: fail cell decimal
    db: left
    sql: select 12345678901234567890.0123456789::numeric as num
    expect:
      rows:
        - { num: 12345678901234567890.0123456788 }
  - name: pass matchers
    db: left
    sql: select 0.1000000000000000055511151231257827::numeric as n, 0.1000000000000000055511151231257827::numeric as m
    expect:
      rows:
        - { n: { approx: 0.1, tolerance: 0.0000000000000000055511151231257827 }, m: { gt: 0.1000000000000000055511151231257826 } }
  - name: fail approx
    db: left
    sql: select 0.1000000000000000055511151231257827::numeric as n
    expect:
      rows:
        - { n: { approx: 0.1, tolerance: 0.0000000000000000055511151231257826 } }
  - name: fail gt
    db: left
    sql: select 0.1000000000000000055511151231257827::numeric as n
    expect:
      rows:
        - { n: { gt: 0.1000000000000000055511151231257827 } }
  - name: pass parameter and variable
    db: left
    sql: select \${big}::numeric as b, \${small}::numeric as s
    capture:
      captured: b
    expect:
      rows:
        - { b: "\${big}", s: "\${small}" }
  - name: pass capture
    db: left
    sql: select 12345678901234567.000::numeric as c
    expect:
      rows:
        - { c: "\${captured}" }
  - name: fail capture
    db: left
    sql: select 12345678901234567.01::numeric as c
    expect:
      rows:
        - { c: "\${captured}" }
  - name: pass compare
    compare:
      left: { db: left, sql: "select 12345678901234567.10::numeric as v" }
      right: { db: right, sql: "select '12345678901234567.1'::numeric as v" }
      expect: equal
  - name: fail compare
    compare:
      left: { db: left, sql: "select 12345678901234567.10::numeric as v" }
      right: { db: right, sql: "select '12345678901234567.11'::numeric as v" }
      expect: equal
`;

const servers = await testServers();

for (const server of servers) {
  describe(`YAML numbers are exact decimals end to end (${server.label})`, function () {
    this.timeout(120_000);
    let dbs: ScratchDatabases;
    let dir: string;
    let steps: Map<string, string>;
    before(async () => {
      dbs = await scratchDatabases(server, ['left', 'right'], { migrations: false });
      dir = await mkdtemp(join(tmpdir(), 'dbspec-numbers-'));
      await writeFile(join(dir, 'numbers.spec.yaml'), SPEC);
      await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  left:\n    disposable: true\n  right:\n    disposable: true\n');
      const run = await runCli(['run', 'numbers.spec.yaml', '--config', 'dbspec.config.yaml', '--out', 'out'], cleanEnv(dbs.env), dir);
      const results = await readResults(join(dir, 'out', 'results.json')).catch(() => assert.fail(`no results; output:\n${run.stdout}\n${run.stderr}`));
      steps = new Map(results.specs.flatMap((s) => s.steps.map((step) => [step.name, step.status] as const)));
    });
    after(async () => {
      await dbs?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });
    for (const name of ['pass cell decimal', 'pass matchers', 'pass parameter and variable', 'pass capture', 'pass compare'])
      it(`${name}: passes`, () => assert.equal(steps.get(name), 'passed'));
    for (const name of ['fail cell decimal', 'fail approx', 'fail gt', 'fail capture', 'fail compare'])
      it(`${name}: fails`, () => assert.equal(steps.get(name), 'failed'));
  });
}
