/**
 * Benchmark: validate 1,000 realistic generated specs (about ten steps each, both databases) with loadSpecs.
 * Standalone: `npx node test/bench/validate.bench.ts`. Target: under 2 s.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureParser } from '../../runner/sql/split.ts';
import { loadSpecs } from '../../runner/spec/validate.ts';

const SPECS = 1000;
const TARGET_SECONDS = 2;

const specText = (i: number): string => `# yaml-language-server: $schema=../schema/spec.schema.json
name: generated spec ${i}
description: A user created in auth gets a profile, a thread and messages in backend.
tags: [bench, cross-service]
vars:
  user_id: \${uuid}
  email: user-${i}-\${uuid}@example.test
setup:
  - db: auth
    sql: |
      insert into auth_users (id, email, password_hash)
      values (\${user_id}, \${email}, 'x');
  - db: backend
    sql: insert into users (id, email, full_name) values (\${user_id}, \${email}, 'Bench ${i}')
steps:
  - name: auth has the user
    db: auth
    sql: select email, is_active from auth_users where id = \${user_id}
    expect:
      rows:
        - { email: "\${email}", is_active: true }
  - name: backend has the user
    db: backend
    sql: select id, email from users where id = \${user_id}
    expect:
      rows:
        - { id: { type: uuid }, email: { regex: "^user-" } }
  - name: create a thread
    db: backend
    sql: insert into threads (user_id, title) values (\${user_id}, 'plan') returning id
    capture:
      thread_id: id
  - name: add messages
    db: backend
    transaction:
      - insert into messages (thread_id, role, content) values (\${thread_id}, 'user', 'hello')
      - insert into messages (thread_id, role, content) values (\${thread_id}, 'assistant', 'hi')
  - name: messages in order
    db: backend
    sql: |
      select role, content
        from messages
       where thread_id = \${thread_id}
       order by created_at
    expect:
      rows:
        - { role: user, content: hello }
        - { role: assistant, content: hi }
      ordered: true
  - name: duplicate email refused
    db: auth
    sql: insert into auth_users (id, email, password_hash) values (gen_random_uuid(), \${email}, 'x')
    expect:
      error: { code: "23505" }
  - name: ids agree
    compare:
      left: { db: auth, sql: "select id from auth_users where id = \${user_id}" }
      right: { db: backend, sql: "select id from users where id = \${user_id}" }
      expect: equal
  - name: concurrent updates
    concurrent:
      db: backend
      sessions: 4
      barrier: true
      sql: update users set full_name = 'session ' || \${session}::text where id = \${user_id}
    expect:
      succeeded: 4
  - name: lookups stay fast
    benchmark:
      db: backend
      sql: select id from users where email = \${email}
      iterations: 50
      concurrency: 2
    expect:
      p95_ms: 50
  - name: counted
    db: backend
    sql: select count(*) as n from messages where thread_id = \${thread_id}
    expect: { rows: [ { n: 2 } ] }
    metrics:
      messages_created: n
    eventually: { within: 2s, every: 100ms }
cleanup:
  - db: backend
    sql: |
      delete from messages where thread_id in (select id from threads where user_id = \${user_id});
      delete from threads where user_id = \${user_id};
      delete from users where id = \${user_id};
  - db: auth
    sql: delete from auth_users where id = \${user_id}
`;

const dir = await mkdtemp(join(tmpdir(), 'dbspec-bench-'));
try {
  await Promise.all(Array.from({ length: SPECS }, (_, i) => writeFile(join(dir, `spec-${String(i).padStart(4, '0')}.spec.yaml`), specText(i))));
  await ensureParser();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { specs, diagnostics } = await loadSpecs([dir], { databases: ['auth', 'backend'], cwd: dir });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (diagnostics.length > 0 || specs.length !== SPECS) {
    process.stderr.write(
      `validate bench: expected ${SPECS} valid specs, got ${specs.length} and ${diagnostics.length} problems, e.g. ${diagnostics[0]?.message}\n`,
    );
    process.exitCode = 1;
  }
  const met = seconds < TARGET_SECONDS;
  // CPU time (all threads) and the load average tell a slow machine from a slow validator.
  const context = `cpu ${cpuSeconds.toFixed(2)} s, load ${loadavg()[0]!.toFixed(1)}`;
  process.stdout.write(`validate ${SPECS} specs: ${seconds.toFixed(2)} s (target < ${TARGET_SECONDS} s: ${met ? 'met' : 'NOT met'}; ${context})\n`);
  if (!met) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
