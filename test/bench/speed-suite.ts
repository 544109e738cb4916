/**
 * The run-speed bench's suite, in the three forms it is timed in: dbspec YAML specs, the same statements
 * for a bare pg client with the comparisons in plain code (the floor), and pgTAP files for pg_prove. One
 * description per spec feeds all three, so they stay equivalent: setup in both databases, six steps (five
 * expectations), cleanup; twelve statements.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';

export const SCHEMA = {
  auth: `create table users (id uuid primary key, email text not null unique, active boolean not null default true);`,
  backend: `create table profiles (user_id uuid primary key, name text not null);
create table orders (id bigserial primary key, user_id uuid not null, amount integer not null);
create index orders_user on orders (user_id);`,
};

const CONFIG = `databases:
  auth: { url_env: DBSPEC_AUTH_URL, migrations: db/auth, disposable: true }
  backend: { url_env: DBSPEC_BACKEND_URL, migrations: db/backend, disposable: true }
`;

const pad = (i: number): string => String(i).padStart(5, '0');
const amountOf = (i: number): number => (i % 50) + 1;

const specYaml = (i: number): string => {
  const total = amountOf(i) + 10;
  return `name: speed spec ${pad(i)}
tags: [bench]
vars:
  uid: \${uuid}
  email: u${i}-\${uuid}@example.test
setup:
  - db: auth
    sql: insert into users (id, email) values (\${uid}, \${email})
  - db: backend
    sql: |
      insert into profiles (user_id, name) values (\${uid}, 'User ${i}');
      insert into orders (user_id, amount) values (\${uid}, ${amountOf(i)}), (\${uid}, 10)
steps:
  - name: the user is active
    db: auth
    sql: select email, active from users where id = \${uid}
    expect: { rows: [ { email: "\${email}", active: true } ] }
  - name: the profile exists
    db: backend
    sql: select name from profiles where user_id = \${uid}
    expect: { rows: [ { name: User ${i} } ] }
  - name: two orders
    db: backend
    sql: select count(*) as n, sum(amount) as total from orders where user_id = \${uid}
    expect: { rows: [ { n: 2, total: ${total} } ] }
  - name: raise the orders
    db: backend
    sql: update orders set amount = amount + 1 where user_id = \${uid}
  - name: the new total
    db: backend
    sql: select sum(amount) as total from orders where user_id = \${uid}
    expect: { rows: [ { total: ${total + 2} } ] }
  - name: a duplicate email is refused
    db: auth
    sql: insert into users (id, email) values (gen_random_uuid(), \${email})
    expect: { error: { code: "23505" } }
cleanup:
  - db: backend
    sql: |
      delete from orders where user_id = \${uid};
      delete from profiles where user_id = \${uid}
  - db: auth
    sql: delete from users where id = \${uid}
`;
};

const tinyYaml = (i: number): string => `name: tiny spec ${pad(i)}
steps:
  - name: one
    db: auth
    sql: select ${i} as n
    expect: { rows: [ { n: ${i} } ] }
`;

/** One spec whose query returns `count` rows, of which it checks the number and two. */
const bigReadYaml = (count: number): string => `name: a query returning ${count} rows
steps:
  - name: every row comes back
    db: auth
    sql: select g as n, md5(g::text) as h from generate_series(1, ${count}) g
    expect:
      count: ${count}
      includes: [ { n: 1 }, { n: ${count} } ]
`;

/** A suite folder: dbspec.config.yaml, the schema as migrations, and `count` specs (or one spec reading `count` rows). */
export const writeSuite = async (dir: string, count: number, kind: 'speed' | 'tiny' | 'big-read' = 'speed'): Promise<void> => {
  await mkdir(join(dir, 'specs'), { recursive: true });
  await writeFile(join(dir, 'dbspec.config.yaml'), CONFIG);
  for (const db of ['auth', 'backend'] as const) {
    await mkdir(join(dir, 'db', db), { recursive: true });
    await writeFile(join(dir, 'db', db, '001_schema.sql'), SCHEMA[db] + '\n');
  }
  if (kind === 'big-read') {
    await writeFile(join(dir, 'specs', 'big-read.spec.yaml'), bigReadYaml(count));
    return;
  }
  const text = kind === 'speed' ? specYaml : tinyYaml;
  for (let i = 1; i <= count; i++) await writeFile(join(dir, 'specs', `${kind}-${pad(i)}.spec.yaml`), text(i));
};

const same = (actual: unknown, expected: unknown, what: string): void => {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`floor: ${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

/** The floor: the same statements on one connection per database, compared in plain code. */
export const runFloor = async (auth: pg.Client, backend: pg.Client, count: number): Promise<void> => {
  const q = (client: pg.Client, text: string, values: unknown[]) => client.query({ text, values, rowMode: 'array' });
  for (let i = 1; i <= count; i++) {
    const uid = randomUUID();
    const email = `u${i}-${randomUUID()}@example.test`;
    const total = amountOf(i) + 10;
    await q(auth, 'insert into users (id, email) values ($1, $2)', [uid, email]);
    await q(backend, 'insert into profiles (user_id, name) values ($1, $2)', [uid, `User ${i}`]);
    await q(backend, 'insert into orders (user_id, amount) values ($1, $2), ($1, 10)', [uid, amountOf(i)]);
    same((await q(auth, 'select email, active from users where id = $1', [uid])).rows, [[email, true]], 'the user is active');
    same((await q(backend, 'select name from profiles where user_id = $1', [uid])).rows, [[`User ${i}`]], 'the profile exists');
    same((await q(backend, 'select count(*) as n, sum(amount) as total from orders where user_id = $1', [uid])).rows, [['2', String(total)]], 'two orders');
    await q(backend, 'update orders set amount = amount + 1 where user_id = $1', [uid]);
    same((await q(backend, 'select sum(amount) as total from orders where user_id = $1', [uid])).rows, [[String(total + 2)]], 'the new total');
    const refused = await q(auth, 'insert into users (id, email) values (gen_random_uuid(), $1)', [email]).then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
    same(refused, '23505', 'a duplicate email is refused');
    await q(backend, 'delete from orders where user_id = $1', [uid]);
    await q(backend, 'delete from profiles where user_id = $1', [uid]);
    await q(auth, 'delete from users where id = $1', [uid]);
  }
};

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** pgTAP: one file per spec and database (pg_prove runs a file against one database). */
export const writePgTap = async (dir: string, count: number): Promise<{ auth: string[]; backend: string[] }> => {
  const files = { auth: [] as string[], backend: [] as string[] };
  await mkdir(dir, { recursive: true });
  for (let i = 1; i <= count; i++) {
    const uid = literal(randomUUID());
    const email = literal(`u${i}-${randomUUID()}@example.test`);
    const total = amountOf(i) + 10;
    const auth = `select plan(2);
insert into users (id, email) values (${uid}, ${email});
select results_eq($q$select email, active from users where id = ${uid}$q$, $q$values (${email}::text, true)$q$, 'the user is active');
select throws_ok($q$insert into users (id, email) values (gen_random_uuid(), ${email})$q$, '23505');
delete from users where id = ${uid};
select * from finish();
`;
    const backend = `select plan(3);
insert into profiles (user_id, name) values (${uid}, 'User ${i}');
insert into orders (user_id, amount) values (${uid}, ${amountOf(i)}), (${uid}, 10);
select results_eq($q$select name from profiles where user_id = ${uid}$q$, $q$values ('User ${i}'::text)$q$, 'the profile exists');
select results_eq($q$select count(*), sum(amount) from orders where user_id = ${uid}$q$, $q$values (2::bigint, ${total}::bigint)$q$, 'two orders');
update orders set amount = amount + 1 where user_id = ${uid};
select results_eq($q$select sum(amount) from orders where user_id = ${uid}$q$, $q$values (${total + 2}::bigint)$q$, 'the new total');
delete from orders where user_id = ${uid};
delete from profiles where user_id = ${uid};
select * from finish();
`;
    for (const [db, text] of [
      ['auth', auth],
      ['backend', backend],
    ] as const) {
      const file = join(dir, `${db}-${pad(i)}.sql`);
      await writeFile(file, text);
      files[db].push(file);
    }
  }
  return files;
};
