/**
 * `--jobs` workers past the first run in worker threads (execute/spec-threads.ts): a spec run there gives the
 * result it gives on the main thread, steps are heard as they finish, an interruption reaches a statement
 * the thread is waiting on, and a thread that cannot connect leaves its worker to the main thread. Against
 * the machine's PostgreSQL 15.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSpec } from '../../runner/execute/run-spec.ts';
import { startSpecThreads, type SpecThreads } from '../../runner/execute/spec-threads.ts';
import { planRun, type Plan } from '../../runner/plan/plan.ts';
import type { SpecResult, StepResult } from '../../runner/results/types.ts';
import { REPO } from '../run/cli-process.ts';
import { loadValidSpec, openScratch, type OpenScratch } from '../support/run-in-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';
import { assertWithin } from '../support/timing.ts';

const MIGRATIONS = join(REPO, 'test', 'run', 'fixtures', 'db');

const SPECS = {
  passes: `name: rows and an exact decimal
vars:
  a: \${uuid}
setup:
  - db: backend
    sql: insert into items (account_id, name, qty) values (\${a}, 'one', 1), (\${a}, 'two', 2)
steps:
  - name: both rows
    db: backend
    sql: select name, qty from items where account_id = \${a} order by qty
    expect:
      rows: [{ name: one, qty: 1 }, { name: two, qty: 2 }]
  - name: an exact decimal, expected wrong
    db: backend
    sql: select 12345678901234567.25::numeric as n
    expect:
      rows: [{ n: 12345678901234567.50 }]
cleanup:
  - db: backend
    sql: delete from items where account_id = \${a}
`,
  sleeps: `name: waits on the server
steps:
  - name: a long sleep
    db: backend
    sql: select pg_sleep(30)
`,
};

/** Results of two runs of a spec differ only in their clock and their random values. */
const comparable = (result: SpecResult): unknown =>
  JSON.parse(JSON.stringify(result, (key, value: unknown) => (key === 'durationMs' || key === 'waitedMs' ? undefined : value)));

describe('execute: --jobs workers in threads', function () {
  let dbs: ScratchDatabases;
  let open: OpenScratch;
  let dir: string;
  let plan: Plan;
  let threads: SpecThreads | undefined;
  const controller = new AbortController();

  /** One thread (for worker 2), connected to `url`; `threads[0]` stays undefined. */
  const unavailable: string[] = [];
  const start = (url: string, signal = controller.signal) => {
    threads = startSpecThreads(plan, 2, { timeoutMs: 60_000, signal, onUnavailable: (worker, reason) => unavailable.push(`${worker}: ${reason}`) });
    const sets = [
      { urls: new Map(), embedded: new Map() },
      { urls: new Map([['backend', url]]), embedded: new Map([['backend', false]]) },
    ];
    return threads.connect(sets, { connectTimeoutMs: 2_000 }, 'r-test');
  };

  before(async function () {
    const [local] = await testServers();
    dbs = await scratchDatabases(local!, ['backend'], { migrationsRoot: MIGRATIONS });
    open = await openScratch(dbs.urls, MIGRATIONS);
    dir = await mkdtemp(join(tmpdir(), 'dbspec-threads-'));
    const specs = [];
    for (const [name, text] of Object.entries(SPECS)) {
      await writeFile(join(dir, `${name}.spec.yaml`), text);
      specs.push(await loadValidSpec(join(dir, `${name}.spec.yaml`), ['backend'], dir));
    }
    plan = await planRun(specs);
  });
  afterEach(async function () {
    await threads?.close();
    threads = undefined;
  });
  after(async function () {
    await open?.close();
    await dbs?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs a spec as the main thread does, exact numbers and failures alike, and posts each step as it finishes', async function () {
    const connected = start(dbs.urls.backend!);
    const thread = await connected[1];
    assert.ok(thread, 'the thread started');
    const heard: StepResult[] = [];
    const inThread = await thread.run(0, (step) => heard.push(step));
    const here = await runSpec(plan.specs[0]!, {
      plan,
      databases: open.databases,
      runId: 'r-test',
      timeoutMs: 60_000,
      signal: controller.signal,
      isolation: {},
    });
    assert.equal(inThread.status, 'failed');
    assert.deepEqual(comparable(inThread), comparable(here.result));
    assert.deepEqual(
      heard.map((s) => [s.phase, s.name, s.status]),
      inThread.steps.map((s) => [s.phase, s.name, s.status]),
    );
    assert.equal(connected[0], undefined, 'the first worker stays on the main thread');
    assert.deepEqual(unavailable, []);
  });

  it('an interruption on the main thread stops the statement the thread waits on', async function () {
    const local = new AbortController();
    const thread = await start(dbs.urls.backend!, local.signal)[1];
    assert.ok(thread);
    const started = performance.now();
    const result = thread.run(1, () => undefined);
    setTimeout(() => local.abort(), 300);
    const finished = await result;
    // Not passed: the statement was cancelled, not left to sleep its 30 s. How fast is the bench's to say.
    assert.notEqual(finished.status, 'passed');
    assertWithin(performance.now() - started, 10_000, 'an interrupted thread');
  });

  it('a thread that cannot connect is not used: its worker runs on the main thread', async function () {
    const unreachable = new URL(dbs.urls.backend!);
    unreachable.port = '1';
    unavailable.length = 0;
    assert.equal(await start(unreachable.href)[1], undefined);
    assert.equal(unavailable.length, 1);
    assert.match(unavailable[0]!, /^2: cannot connect to database `backend`/);
  });
});
