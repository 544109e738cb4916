/**
 * A leak explained and fixed: a spec whose cleanup forgets a child row (and the audit row its trigger
 * wrote) gets the rows listed by primary key, the statement or trigger that likely wrote them, and a
 * cleanup proposal in foreign-key order using the spec's variables; `run --update` adds that cleanup to the
 * spec, keeping the rest of the file byte for byte, and the next run passes.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults } from '../../runner/results/types.ts';
import { cleanEnv, REPO, runCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const FIXTURES = join(REPO, 'test', 'leak', 'fixtures');
const [server] = await testServers();

describe('a leak explained and fixed', function () {
  let dbs: ScratchDatabases;
  let dir: string;
  let specFile: string;
  const run = (...extra: string[]) =>
    runCli(['run', specFile, '--config', join(FIXTURES, 'dbspec.config.yaml'), '--out', join(dir, 'out'), '--reporter', 'dot', ...extra], cleanEnv(dbs.env));
  const results = async (): Promise<RunResults> => JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8')) as RunResults;

  before(async function () {
    dbs = await scratchDatabases(server!, ['shop'], { migrationsRoot: join(FIXTURES, 'db') });
    dir = await mkdtemp(join(tmpdir(), 'dbspec-leak-'));
    await mkdir(join(dir, 'specs'));
    specFile = join(dir, 'specs', 'forgets-child.spec.yaml');
    await copyFile(join(FIXTURES, 'specs', 'forgets-child.spec.yaml'), specFile);
  });
  after(async function () {
    await dbs?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists the leaked rows, who likely wrote them, and a cleanup in foreign-key order', async function () {
    const first = await run();
    assert.equal(first.code, 1, first.stdout + first.stderr);
    const isolation = (await results()).specs[0]!.steps.find((s) => s.phase === 'isolation')!;
    const failure = isolation.failure!;
    assert.equal(failure.code, 'ISOLATION_LEAK');
    const byTable = new Map(failure.leaks!.map((l) => [l.table, l]));
    assert.deepEqual([...byTable.keys()].sort(), ['public.audit_log', 'public.customers', 'public.orders']);
    const orders = byTable.get('public.orders')!;
    assert.equal(orders.rows!.columns[0], 'id', 'the primary key comes first');
    assert.ok(orders.rows!.columns.includes('item'));
    assert.equal(orders.rows!.rows[0]![orders.rows!.columns.indexOf('item')], 'lamp');
    assert.match(orders.likelyBy!, /^the insert in step "the customer orders a lamp" \(.*forgets-child\.spec\.yaml:13:\d+\)$/);
    assert.match(
      byTable.get('public.audit_log')!.likelyBy!,
      /^trigger orders_audit on orders \(function log_order\), fired by the insert in step "the customer orders a lamp"/,
    );
    assert.match(byTable.get('public.customers')!.likelyBy!, /^the insert in setup/);
    assert.deepEqual(failure.cleanup, [
      {
        db: 'shop',
        placement: 'first',
        sql: [
          'delete from audit_log where customer_id = ${customer}',
          'delete from orders where customer_id = ${customer}',
          'delete from customers where id = ${customer}',
        ].join(';\n'),
      },
    ]);
    // The failed cleanup says what to do about the foreign key.
    assert.match(first.stdout, /cleanup failed: .*violates foreign key constraint[^\n]*\nrows that reference it are still there: delete them first/);
    // The console says the same in words.
    assert.match(first.stdout, /1 row left behind in shop\.orders, likely by the insert in step "the customer orders a lamp"/);
    assert.match(first.stdout, /Proposed cleanup \(children first\); `dbspec run --update` adds it to the spec:/);
    // The reports show the rows and the proposal too.
    const md = await readFile(join(dir, 'out', 'report.md'), 'utf8');
    assert.match(md, /1 row left behind in shop\.orders, likely by the insert in step &quot;the customer orders a lamp&quot;/);
    assert.match(md, /\| 1 \| \d+ \| [0-9a-f-]{36} \| lamp \|/);
    assert.ok(md.includes('delete from orders where customer_id &#x3D; ${customer};'), 'the proposal is in report.md');
    const html = await readFile(join(dir, 'out', 'report.html'), 'utf8');
    assert.match(html, /1 row left behind in shop\.orders, likely by the insert in step &quot;the customer orders a lamp&quot;/);
    assert.ok(html.includes('delete from audit_log where customer_id = ${customer};'), 'the proposal is in report.html');
  });

  it('--update adds the cleanup before the one already there, and the next run passes', async function () {
    const before = await readFile(specFile, 'utf8');
    const updating = await run('--update');
    assert.equal(updating.code, 1, updating.stdout + updating.stderr);
    assert.match(
      updating.stdout,
      /cleanup added for leaked rows\n {2}updated {6}.*forgets-child\.spec\.yaml {2}"a cleanup that forgets the child rows": 3 cleanup statements added/,
    );
    const after = await readFile(specFile, 'utf8');
    const marker = 'cleanup:\n  # Forgets the order';
    const at = before.indexOf(marker) + marker.length;
    assert.equal(after.slice(0, before.indexOf(marker)), before.slice(0, before.indexOf(marker)), 'everything before cleanup is unchanged');
    assert.ok(after.endsWith(before.slice(before.indexOf('\n', at) + 1)), 'the existing cleanup item is kept as written');
    assert.match(
      after,
      /cleanup:\n {2}# Forgets the order[^\n]*\n {2}- db: shop\n {4}sql: \|\n {6}delete from audit_log where customer_id = \$\{customer\};\n {6}delete from orders where customer_id = \$\{customer\};\n {6}delete from customers where id = \$\{customer\}\n {2}- db: shop\n {4}sql: delete from customers where id = \$\{customer\}\n$/,
    );
    const next = await run();
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.equal((await results()).specs[0]!.status, 'passed');
  });
});
