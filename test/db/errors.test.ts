/** The SQLSTATE (and constraint, detail) of every error class survives the trip through slonik. */
import assert from 'node:assert/strict';
import { createPool, sql } from 'slonik';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database, Session } from '../../runner/db/database.ts';
import { toDbError, type DbError } from '../../runner/db/db-error.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const failure = async (promise: Promise<unknown>): Promise<DbError> => {
  try {
    await promise;
  } catch (error) {
    return toDbError(error);
  }
  assert.fail('expected the statement to fail');
};

const SCHEMA = [
  'create table parent (id int primary key)',
  `create table child (
     id int primary key,
     parent_id int constraint child_parent_fk references parent,
     v int not null constraint child_v_positive check (v > 0),
     email text constraint child_email_key unique)`,
  'insert into parent values (1), (2)',
  "insert into child values (1, 1, 1, 'a@example.test'), (2, 1, 1, 'b@example.test')",
];

describe('db: SQLSTATE per error class', () => {
  for (const label of ['pg15 local', 'pg18 embedded']) {
    describe(label, () => {
      let scratch: ScratchDatabases;
      let db: Database;
      before(async () => {
        const server = (await testServers()).find((each) => each.label === label);
        assert.ok(server);
        scratch = await scratchDatabases(server, ['e'], { migrations: false });
        db = await connectDatabase('e', scratch.urls.e as string, { embedded: false });
        for (const statement of SCHEMA) await db.query(statement);
      });
      after(async () => {
        await db?.end();
        await scratch?.drop();
      });

      const cases: [string, string, Partial<DbError>][] = [
        ['22P02', "select 'x'::int", { kind: 'sql' }],
        ['22012', 'select 1 / 0', { kind: 'sql' }],
        ['23502', 'insert into child (id, v) values (10, null)', { kind: 'sql' }],
        [
          '23503',
          'insert into child (id, parent_id, v) values (11, 99, 1)',
          { constraint: 'child_parent_fk', detail: 'Key (parent_id)=(99) is not present in table "parent".' },
        ],
        [
          '23505',
          "insert into child (id, v, email) values (12, 1, 'a@example.test')",
          { constraint: 'child_email_key', detail: 'Key (email)=(a@example.test) already exists.' },
        ],
        ['23514', 'insert into child (id, v) values (13, -1)', { constraint: 'child_v_positive' }],
        ['42P01', 'select * from missing_table', { kind: 'sql' }],
      ];
      for (const [code, statement, extra] of cases) {
        it(`${code}: ${statement}`, async () => {
          const error = await failure(db.query(statement));
          assert.equal(error.code, code, error.message);
          assert.equal(error.kind, extra.kind ?? 'sql');
          if (extra.constraint) assert.equal(error.constraint, extra.constraint);
          if (extra.detail) assert.equal(error.detail, extra.detail);
          assert.ok(error.message.length > 0);
        });
      }

      it('42501: permission denied, in a session with a role that has no privileges', async () => {
        const error = await db.withSession(async (session) => {
          await session.query('begin');
          try {
            // Created and dropped by the rollback: roles are cluster-wide.
            await session.query(`create role dbspec_t_no_privileges_${process.pid}`);
            await session.query(`set local role dbspec_t_no_privileges_${process.pid}`);
            return await failure(session.query('select * from child'));
          } finally {
            await session.query('rollback');
          }
        });
        assert.equal(error.code, '42501');
      });

      it('57014: statement timeout from the open option is kind timeout', async () => {
        const limited = await connectDatabase('e', scratch.urls.e as string, { embedded: false, statementTimeoutMs: 100 });
        try {
          const error = await failure(limited.query('select pg_sleep(5)'));
          assert.deepEqual([error.code, error.kind], ['57014', 'timeout']);
        } finally {
          await limited.end();
        }
      });

      it('57014 by pg_cancel_backend is kind cancelled; 57P01 by pg_terminate_backend is connection-lost', async () => {
        const cancelled = await db.withSession(async (session) => {
          const running = failure(session.query('select pg_sleep(5)'));
          await waitUntilActive(db, session);
          await db.query('select pg_cancel_backend($1)', [session.pid]);
          return running;
        });
        assert.deepEqual([cancelled.code, cancelled.kind], ['57014', 'cancelled']);
        const lost = await db.withSession(async (session) => {
          const running = failure(session.query('select pg_sleep(5)'));
          await waitUntilActive(db, session);
          await db.query('select pg_terminate_backend($1)', [session.pid]);
          return running;
        });
        assert.equal(lost.kind, 'connection-lost');
        assert.equal(lost.code, '57P01');
        // The pool replaced the dead connection.
        assert.deepEqual((await db.query('select 1')).rows, [['1']]);
      });

      it('40001: serialization failure between two sessions', async () => {
        await db.query('create table counter (id int primary key, n int)');
        await db.query('insert into counter values (1, 0)');
        const error = await db.withSession((first) =>
          db.withSession(async (second) => {
            await first.query('begin isolation level repeatable read');
            await first.query('select n from counter where id = 1');
            await second.query('update counter set n = n + 1 where id = 1');
            const result = await failure(first.query('update counter set n = n + 1 where id = 1'));
            await first.query('rollback');
            return result;
          }),
        );
        assert.equal(error.code, '40001');
      });

      it('40P01: deadlock between two sessions', async () => {
        await db.query('create table locks (id int primary key)');
        await db.query('insert into locks values (1), (2)');
        const outcomes = await db.withSession((first) =>
          db.withSession(async (second) => {
            for (const session of [first, second]) {
              await session.query('begin');
              await session.query("set local deadlock_timeout = '50ms'");
            }
            await first.query('update locks set id = id where id = 1');
            await second.query('update locks set id = id where id = 2');
            const settle = (session: Session, id: number): Promise<DbError | 'ok'> =>
              session.query('update locks set id = id where id = $1', [id]).then(
                () => 'ok',
                (error: unknown) => toDbError(error),
              );
            const firstBlocked = settle(first, 2);
            await waitUntilWaiting(db, first);
            const results = await Promise.all([firstBlocked, settle(second, 1)]);
            await first.query('rollback');
            await second.query('rollback');
            return results;
          }),
        );
        const codes = outcomes.map((outcome) => (outcome === 'ok' ? 'ok' : outcome.code)).sort();
        assert.deepEqual(codes, ['40P01', 'ok']);
      });
    });
  }
});

const waitUntil = async (db: Database, session: Session, condition: string): Promise<void> => {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = await db.query(`select 1 from pg_stat_activity where pid = $1 and ${condition}`, [session.pid]);
    if (found.rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`session ${session.pid} never reached: ${condition}`);
};
const waitUntilActive = (db: Database, session: Session): Promise<void> => waitUntil(db, session, "state = 'active'");
const waitUntilWaiting = (db: Database, session: Session): Promise<void> => waitUntil(db, session, "wait_event_type = 'Lock'");

describe('db: toDbError on errors wrapped by slonik’s own pg driver', () => {
  it('restores 22P02, 23505 with constraint, 22012 and 57014 timeout', async () => {
    const [server] = await testServers();
    assert.ok(server);
    const scratch = await scratchDatabases(server, ['w'], { migrations: false });
    const pool = await createPool(scratch.urls.w as string, { queryRetryLimit: 0, statementTimeout: 100 });
    try {
      await pool.query(sql.unsafe`create table u (id int constraint u_pkey primary key)`);
      await pool.query(sql.unsafe`insert into u values (1)`);
      const invalid = await failure(pool.query(sql.unsafe`select 'x'::int`));
      assert.deepEqual([invalid.code, invalid.kind], ['22P02', 'sql']);
      const unique = await failure(pool.query(sql.unsafe`insert into u values (1)`));
      assert.deepEqual([unique.code, unique.constraint], ['23505', 'u_pkey']);
      const division = await failure(pool.query(sql.unsafe`select 1 / 0`));
      assert.equal(division.code, '22012');
      const timeout = await failure(pool.query(sql.unsafe`select pg_sleep(2)`));
      assert.deepEqual([timeout.code, timeout.kind], ['57014', 'timeout']);
      const multiple = await failure(pool.query(sql.unsafe`select 1; select 2`));
      assert.equal(multiple.code === '22P02', false, 'slonik’s own input errors are not 22P02');
    } finally {
      await pool.end();
      await scratch.drop();
    }
  });
});
