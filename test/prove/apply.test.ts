/**
 * Every kind of mutant, built for real (on an embedded server of the test's own: the schema creates a role): the guarantee
 * is gone from the catalog of the mutant database and still there in a pristine copy; a drop that another
 * object depends on fails to build.
 */
import assert from 'node:assert/strict';
import { mutatedBuild } from '../../runner/commands/prove-run.ts';
import type { Config } from '../../runner/config.ts';
import type { Database } from '../../runner/db/database.ts';
import { BuildFailed, changeInPlace, openScratchServers, type ScratchServers, takeReference, undoInPlace } from '../../runner/db/scratch-databases.ts';
import { generateMutants } from '../../runner/prove/generate.ts';
import type { Mutant } from '../../runner/prove/mutant.ts';
import { ensureParser } from '../../runner/sql/split.ts';
import { everyKindMigrations } from '../support/prove-schema.ts';

/** One catalog question per kind: does the guarantee the mutant takes away still hold? */
const holds = async (db: Database, m: Mutant, role: string): Promise<boolean> => {
  const one = async (sql: string, values: string[] = []): Promise<string> => String((await db.query(sql, values)).rows[0]![0]);
  switch (m.kind) {
    case 'change-on-delete':
      return (await one('select confdeltype from pg_constraint where conname = $1', [m.object])) === (m.object === 'children_parent_id_fkey' ? 'c' : 'a');
    case 'drop-not-null': {
      const [table, column] = m.object.split('.') as [string, string];
      return (await one('select attnotnull from pg_attribute where attrelid = $1::regclass and attname = $2', [table, column])) === 't';
    }
    case 'drop-default': {
      const [table, column] = m.object.split('.') as [string, string];
      return (
        (await one(
          'select count(*) from pg_attrdef d join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum where d.adrelid = $1::regclass and a.attname = $2',
          [table, column],
        )) === '1'
      );
    }
    case 'drop-trigger':
      return (await one('select count(*) from pg_trigger where tgname = $1', [m.object])) === '1';
    case 'drop-policy':
      return (await one('select count(*) from pg_policy where polname = $1', [m.object])) === '1';
    case 'disable-rls':
      return (await one('select relrowsecurity from pg_class where oid = $1::regclass', [m.object])) === 't';
    case 'drop-unique-index':
      return (await one('select count(*) from pg_class where relname = $1', [m.object])) === '1';
    case 'weaken-grant': {
      const privilege = m.object.split(' ')[0]!;
      return (await one(`select has_table_privilege($1, 'parents', $2)`, [role, privilege])) === 't';
    }
    case 'weaken-revoke':
      return (await one(`select has_schema_privilege($1, 'public', 'usage')`, [role])) === 'f';
    default:
      return (await one('select count(*) from pg_constraint where conname = $1', [m.object])) === '1';
  }
};

describe('prove: every kind of mutant builds without its guarantee', function () {
  this.timeout(120_000);
  const role = 'reader';
  let servers: ScratchServers;
  let mutants: readonly Mutant[];
  const migrations = everyKindMigrations(role);

  before(async () => {
    await ensureParser();
    const config: Config = { root: '/', databases: [{ name: 'app', urlEnv: 'DBSPEC_APP_URL', migrations: 'db/app', disposable: false }] };
    servers = await openScratchServers(config, ['app'], { originals: new Map([['app', migrations]]) });
    mutants = generateMutants('app', migrations).mutants;
  });
  after(async () => {
    await servers?.close();
  });

  it('covers every kind', () => {
    const kinds = new Set(mutants.map((m) => m.kind));
    for (const kind of [
      'drop-primary-key',
      'drop-unique',
      'drop-foreign-key',
      'drop-check',
      'drop-not-null',
      'change-on-delete',
      'drop-trigger',
      'drop-policy',
      'disable-rls',
      'drop-default',
      'drop-unique-index',
      'weaken-grant',
      'weaken-revoke',
    ])
      assert.ok(kinds.has(kind as Mutant['kind']), kind);
  });

  it('each mutant database lacks exactly its guarantee; a pristine copy has them all', async () => {
    const originals = new Map([['app', migrations]]);
    const pristine = await servers.build(new Map([['app', { kind: 'copy' }]]));
    try {
      for (const m of mutants) assert.equal(await holds(pristine.databases.get('app')!, m, role), true, `pristine: ${m.id}`);
    } finally {
      await pristine.drop();
    }
    for (const m of mutants.filter((each) => each.object !== 'parents_pkey')) {
      const set = await servers.build(new Map([['app', mutatedBuild(m, originals)]]));
      try {
        assert.equal(await holds(set.databases.get('app')!, m, role), false, `mutant: ${m.id}`);
      } finally {
        await set.drop();
      }
    }
  });

  it('in place, each restorable mutant takes its guarantee away and is undone exactly; a foreign key is never undone in place', async () => {
    const set = await servers.build(new Map([['app', { kind: 'copy' }]]));
    try {
      const db = set.databases.get('app')!;
      const reference = await takeReference(db);
      for (const m of mutants) {
        if (m.change.kind !== 'compensate' || !m.change.restore || m.object === 'parents_pkey' || m.object === 'parents.label') continue;
        const undo = await changeInPlace(db, m.change.sql, m.change.restore);
        assert.equal(await holds(db, m, role), false, `changed: ${m.id}`);
        assert.equal(await undoInPlace(db, undo, reference), true, `undone: ${m.id}`);
        assert.equal(await holds(db, m, role), true, `restored: ${m.id}`);
      }
      // The signature notices a restore that is not exact: PostgreSQL 18 names a not-null constraint after
      // the column's name at creation (parents_code_not_null); set not null after the rename makes another.
      const renamed = mutants.find((m) => m.object === 'parents.label' && m.kind === 'drop-not-null')!;
      if (renamed.change.kind !== 'compensate' || !renamed.change.restore) assert.fail('not-null mutants are restorable');
      const undo = await changeInPlace(db, renamed.change.sql, renamed.change.restore);
      assert.equal(await undoInPlace(db, undo, reference), false);
    } finally {
      await set.drop();
    }
    const restorable = mutants.filter((m) => m.change.kind === 'compensate' && m.change.restore).map((m) => m.kind);
    assert.equal(restorable.includes('drop-foreign-key'), false);
    assert.ok(restorable.includes('drop-policy') && restorable.includes('drop-unique-index') && restorable.includes('drop-default'));
  });

  it('a drop another object depends on fails to build, naming the database', async () => {
    const pkey = mutants.find((m) => m.object === 'parents_pkey')!;
    await assert.rejects(servers.build(new Map([['app', mutatedBuild(pkey, new Map([['app', migrations]]))]])), (error: unknown) => {
      assert.ok(error instanceof BuildFailed);
      assert.equal(error.database, 'app');
      assert.match(error.message, /depend/);
      return true;
    });
  });
});
