/**
 * Passwords holding `/ ? # @ :` or percent escapes: the user info is read up to the last `@` (not cut at
 * the first `/`, which would make the password's start the host), the connection goes to the right host,
 * and the password appears in no output: console, results.json, reports.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normaliseUrl } from '../../runner/connection-url.ts';
import { redactSecrets, redactUrl } from '../../runner/redact.ts';
import { cleanEnv, runCli } from '../run/cli-process.ts';
import { CONFIG, fixtureSpec, scratchRun } from './run-fixture.ts';

const PASSWORDS = ['2024/Secret', 'a?b', 'c#d', 'e@f', 'g:h', 'p%40ss', '/?#@:x%2Fy'];

describe('reliability: passwords with / ? # @ : and percent escapes', function () {
  this.timeout(60_000);

  it('redaction hides each of them, in a URL alone and in free text', function () {
    for (const password of PASSWORDS) {
      const url = `postgres://secuser:${password}@db.example:5432/app`;
      assert.equal(redactUrl(url), 'postgres://secuser:***@db.example:5432/app', password);
      assert.equal(redactSecrets(`cannot connect to ${url}: refused`), 'cannot connect to postgres://secuser:***@db.example:5432/app: refused');
      const parsed = new URL(normaliseUrl(url));
      assert.equal(parsed.hostname, 'db.example', password);
      assert.equal(decodeURIComponent(parsed.password), decodeURIComponent(password.replace(/%(?![0-9a-f]{2})/gi, '%25')));
    }
  });

  it('an unreachable database: the error names the right host and hides the password', async function () {
    const url = 'postgres://secuser:2024/Se?c#r@t:x@127.0.0.1:1/db';
    const done = await runCli(['run', fixtureSpec('b-after'), '--config', CONFIG], cleanEnv({ DBSPEC_AUTH_URL: url }));
    assert.equal(done.code, 2, done.stdout + done.stderr);
    assert.match(done.stderr, /postgres:\/\/secuser:\*\*\*@127\.0\.0\.1:1\/db/);
    for (const piece of ['2024', 'Se?c', 'r@t']) assert.ok(!(done.stdout + done.stderr).includes(piece), `${piece} printed`);
  });

  describe('a run that connects', function () {
    const run = scratchRun();

    it('reaches 127.0.0.1 (trust auth takes any password) and writes it nowhere', async function () {
      const password = 'zz2024/Se?c#r@t:x';
      const env = Object.fromEntries(Object.entries(run.dbs.env).map(([k, v]) => [k, v.replace('postgres://postgres@', `postgres://postgres:${password}@`)]));
      const done = await runCli(['run', fixtureSpec('b-after'), '--config', CONFIG, '--out', run.out], cleanEnv(env));
      assert.equal(done.code, 0, done.stdout + done.stderr);
      const everything = [done.stdout, done.stderr, ...readdirSync(run.out).map((f) => readFileSync(join(run.out, f), 'utf8'))].join('\n');
      for (const piece of ['zz2024', 'Se?c', 'r@t:x']) assert.ok(!everything.includes(piece), `${piece} written`);
    });
  });
});
