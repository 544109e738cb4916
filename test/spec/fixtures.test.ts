/**
 * Fixtures: a spec includes shared setup with parameters; its variables, setup and cleanup merge into the
 * spec and run on a real database; every problem inside a fixture is reported with the include chain.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDiagnostic } from '../../runner/spec/format-diagnostic.ts';
import { loadSpec } from '../../runner/spec/validate.ts';
import { loadValidSpec, openScratch, runOne, type OpenScratch } from '../support/run-in-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const TENANT = `description: A tenant with N users in backend.
params:
  users: 1
vars:
  fixture_tenant: \${uuid}
setup:
  - db: backend
    sql: |
      insert into users (id, email, tenant_id)
      select gen_random_uuid(), 'u' || n || '-' || \${fixture_tenant}::text || '@example.test', \${fixture_tenant}::uuid
      from generate_series(1, \${users}::int) n
cleanup:
  - db: backend
    sql: |
      delete from users where tenant_id = \${fixture_tenant};
      delete from corpus_audit_logs where tenant_id = \${fixture_tenant};
`;

const SPEC = `name: a tenant of three
use:
  - fixture: ../fixtures/tenant.yaml
    with: { users: 3 }
steps:
  - name: the fixture made three users
    db: backend
    sql: select count(*) as n from users where tenant_id = \${fixture_tenant}
    expect:
      rows: [{ n: 3 }]
`;

describe('fixtures', function () {
  this.timeout(60_000);
  let dir: string;
  const write = async (path: string, text: string): Promise<void> => {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  };
  const diagnosticsOf = async (spec: string) => (await loadSpec(spec, { databases: ['backend'], cwd: dir })).diagnostics;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-fixtures-'));
    await write('fixtures/tenant.yaml', TENANT);
    await write('specs/three.spec.yaml', SPEC);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('merges parameters, variables, setup and cleanup into the spec and lists the files included', async () => {
    const spec = await loadValidSpec('specs/three.spec.yaml', ['backend'], dir);
    assert.deepEqual(spec.fixtures, ['fixtures/tenant.yaml']);
    assert.deepEqual(
      spec.vars.map((v) => [v.name, v.value]),
      [
        ['users', 3n],
        ['fixture_tenant', '${uuid}'],
      ],
    );
    assert.equal(spec.setup.length, 1);
    assert.equal(spec.setup[0]!.loc.file, 'fixtures/tenant.yaml');
    assert.deepEqual(spec.setup[0]!.loc.via, { file: 'specs/three.spec.yaml', line: 3, column: 5, endLine: 5, endColumn: 1 });
  });

  it('reports an error inside a fixture with the include chain, and the fixture line in the frame', async () => {
    await write('fixtures/broken.yaml', TENANT.replace('from generate_series', 'frm generate_series'));
    await write('specs/broken.spec.yaml', SPEC.replace('tenant.yaml', 'broken.yaml'));
    const [d, ...rest] = await diagnosticsOf('specs/broken.spec.yaml');
    assert.equal(rest.length, 0, rest.map((x) => x.message).join('; '));
    assert.equal(d?.code, 'DBSPEC_SQL_SYNTAX');
    const text = formatDiagnostic(d!, (f) => (f === 'fixtures/broken.yaml' ? TENANT.replace('from generate_series', 'frm generate_series') : undefined));
    assert.match(text, /^specs\/broken\.spec\.yaml:3:5 → fixtures\/broken\.yaml:11:\d+: /);
    assert.match(text, /> 11 \|\s+frm generate_series/);
  });

  it('refuses an unknown parameter, a missing value, a missing file and a cycle', async () => {
    await write('fixtures/required.yaml', TENANT.replace('users: 1', 'users:'));
    await write('fixtures/loop.yaml', 'use: [loop.yaml]\n');
    const cases: [string, string, RegExp][] = [
      ['unknown', SPEC.replace('users: 3', 'userz: 3'), /DBSPEC_UNKNOWN_PARAM@4 the fixture fixtures\/tenant.yaml has no parameter `userz`/],
      ['missing', SPEC.replace('tenant.yaml', 'required.yaml').replace('    with: { users: 3 }\n', ''), /DBSPEC_MISSING_PARAM@3 .*needs a value for `users`/],
      ['nofile', SPEC.replace('tenant.yaml', 'nope.yaml'), /DBSPEC_NO_SUCH_FIXTURE@3 there is no fixture file fixtures\/nope.yaml/],
      [
        'cycle',
        'name: c\nuse: [../fixtures/loop.yaml]\nsteps: [{ name: s, db: backend, sql: select 1 }]\n',
        /DBSPEC_FIXTURE_CYCLE@1 fixtures\/loop.yaml is already being included/,
      ],
    ];
    for (const [name, text, expected] of cases) {
      await write(`specs/${name}.spec.yaml`, text);
      const found = (await diagnosticsOf(`specs/${name}.spec.yaml`)).map((x) => `${x.code}@${x.location?.line} ${x.message}`);
      assert.ok(
        found.some((f) => expected.test(f)),
        `${name}: ${found.join('\n')}`,
      );
    }
  });

  describe('on PostgreSQL 15', () => {
    let scratch: ScratchDatabases;
    let open: OpenScratch;
    before(async () => {
      const [local] = await testServers();
      scratch = await scratchDatabases(local!, ['backend']);
      open = await openScratch(scratch.urls, dir);
    });
    after(async () => {
      await open?.close();
      await scratch?.drop();
    });

    it("runs the fixture's setup before the steps and its cleanup after them, leaving nothing behind", async () => {
      const result = await runOne(await loadValidSpec('specs/three.spec.yaml', ['backend'], dir), open.databases);
      assert.deepEqual(
        result.steps.map((s) => `${s.phase}:${s.status}`),
        ['setup:passed', 'step:passed', 'cleanup:passed', 'isolation:passed'],
        JSON.stringify(result.steps.map((s) => s.failure)),
      );
    });

    it('locates a failure of a fixture setup through the include chain', async () => {
      await write('fixtures/fails.yaml', TENANT.replace("'@example.test'", 'null'));
      await write('specs/fails.spec.yaml', SPEC.replace('tenant.yaml', 'fails.yaml'));
      const result = await runOne(await loadValidSpec('specs/fails.spec.yaml', ['backend'], dir), open.databases);
      const setup = result.steps.find((s) => s.phase === 'setup')!;
      assert.equal(setup.failure?.code, 'SETUP_FAILED');
      assert.match(setup.failure!.location!, /^specs\/fails\.spec\.yaml:3:5 → fixtures\/fails\.yaml:9:\d+$/);
      const col = Number(/:(\d+)$/.exec(setup.failure!.location!)![1]);
      assert.deepEqual(setup.failure?.at, { file: 'fixtures/fails.yaml', line: 9, col, via: { file: 'specs/fails.spec.yaml', line: 3, col: 5 } });
    });
  });
});
