/**
 * The type-fidelity table: every built-in type family, as the real server prints it through dbspec's driver
 * (on PostgreSQL 15 and 18, in the DateStyle/IntervalStyle/TimeZone the SQL itself sets), against each way a
 * person writes the expectation: as psql prints it, as natural YAML, and as a matcher. Each way has a value
 * that must match and a minimally changed one that must not. The expected values go through the spec
 * loader (YAML numbers keep their source text), then match-value, as in a run.
 */
import assert from 'node:assert/strict';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database } from '../../runner/db/database.ts';
import type { QueryResult } from '../../runner/db/query-result.ts';
import { matchValue } from '../../runner/execute/match-value.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';
import { FIDELITY_TABLE } from './type-fidelity-table.ts';
import { ev as expectedCell } from '../support/expected-values.ts';

const WAYS = ['printed', 'natural', 'matcher'] as const;

describe('type fidelity: every type family × every way of writing it, on both servers', function () {
  this.timeout(60_000);
  for (const label of ['pg15 local', 'pg18 embedded']) {
    describe(label, () => {
      let scratch: ScratchDatabases;
      let db: Database;
      const results = new Map<string, QueryResult>();
      before(async () => {
        const server = (await testServers()).find((each) => each.label === label);
        assert.ok(server);
        scratch = await scratchDatabases(server, ['t'], { migrations: false });
        db = await connectDatabase('t', scratch.urls.t as string, { embedded: false });
        await db.query("create type mood as enum ('sad', 'ok', 'happy')");
        await db.query('create type pair as (a int4, b text)');
        // Each row's SQL runs on one session, its SETs first, as a spec step's statements do.
        for (const row of FIDELITY_TABLE) {
          const result = await db.withSession(async (session) => {
            let last: QueryResult | undefined;
            for (const statement of [...(row.session ?? []), `select ${row.sql} as v`]) last = await session.query(statement);
            return last!;
          });
          results.set(row.name, result);
        }
      });
      after(async () => {
        await db?.end();
        await scratch?.drop();
      });

      for (const row of FIDELITY_TABLE) {
        it(`${row.name}: ${row.sql}${row.session ? ` (${row.session.join('; ')})` : ''}`, () => {
          const result = results.get(row.name)!;
          const cell = result.rows[0]![0] ?? null;
          const oid = result.columns[0]!.typeOid;
          if (row.printedAs !== undefined) assert.equal(cell, row.printedAs, `${row.name} prints as ${JSON.stringify(row.printedAs)}`);
          for (const way of WAYS) {
            const [pass, fail] = row[way];
            for (const yaml of [pass].flat())
              assert.equal(matchValue(expectedCell(yaml), cell, oid, result.style), true, `${way}: ${yaml} should match ${JSON.stringify(cell)}`);
            for (const yaml of [fail].flat())
              assert.equal(matchValue(expectedCell(yaml), cell, oid, result.style), false, `${way}: ${yaml} should not match ${JSON.stringify(cell)}`);
          }
        });
      }
    });
  }
});
