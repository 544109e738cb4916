/** The plan knows which tables a spec's SQL names: every RangeVar of the parse tree, wrapped or bare. */
import assert from 'node:assert/strict';
import { tablesOfStatement } from '../../runner/plan/spec-tables.ts';
import { ensureParser } from '../../runner/sql/split.ts';

describe('plan: tables a statement names', () => {
  before(() => ensureParser());
  it('finds targets of insert, update, delete and merge, joins, subqueries and CTE bodies', () => {
    assert.deepEqual(tablesOfStatement('insert into accounts (email) values ($1)'), ['accounts']);
    assert.deepEqual(tablesOfStatement('update public.users set x = 1 where id in (select user_id from sessions)'), ['sessions', 'users']);
    assert.deepEqual(tablesOfStatement('delete from threads using users u where u.id = threads.user_id'), ['threads', 'users']);
    assert.deepEqual(tablesOfStatement('with w as (select * from runs) select * from w join messages m on true'), ['messages', 'runs', 'w']);
    assert.deepEqual(tablesOfStatement('merge into a using b on a.id = b.id when matched then delete'), ['a', 'b']);
    assert.deepEqual(tablesOfStatement('select 1; select now()'), []);
  });
});
