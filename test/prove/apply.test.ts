/**
 * Every kind of mutant, built for real (on an embedded server of the test's own: the schema creates a role): the guarantee
 * is gone from the catalog of the mutant database and still there in a pristine copy; a drop that another
 * object depends on fails to build.
 */
import assert from 'node:assert/strict';
import { mutatedBuild } from '../../runner/commands/prove-run.ts';
import type { Config } from '../../runner/config.ts';
import type { Database } from '../../runner/db/database.ts';
import { BuildFailed, openScratchServers, type ScratchServers } from '../../runner/db/scratch-databases.ts';
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
