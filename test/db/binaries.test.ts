/**
 * The platform package's library links: npm packs no symlinks and npm 11 may skip the package's postinstall
 * that recreates them, so dbspec recreates the missing ones itself before starting the server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hydrateSymlinks, platformPackage } from '../../runner/db/binaries.ts';

const native = dirname(dirname(((await import(platformPackage())) as { postgres: string }).postgres));
const version = (postgres: string) => spawnSync(postgres, ['--version'], { encoding: 'utf8' });

describe('embedded binaries: library links', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-bin-test-'));
    await cp(join(native, 'bin', 'postgres'), join(dir, 'native', 'bin', 'postgres'));
    await cp(join(native, 'lib'), join(dir, 'native', 'lib'), { recursive: true, verbatimSymlinks: true });
    await cp(join(native, 'pg-symlinks.json'), join(dir, 'native', 'pg-symlinks.json'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('recreates the links a skipped postinstall left missing, and the server binary runs', async () => {
    const lib = join(dir, 'native', 'lib');
    for (const name of await readdir(lib)) if ((await lstat(join(lib, name))).isSymbolicLink()) await rm(join(lib, name));
    assert.notEqual(version(join(dir, 'native', 'bin', 'postgres')).status, 0, 'without the links postgres cannot load its libraries');
    assert.equal(await hydrateSymlinks(join(dir, 'native')), true);
    const ran = version(join(dir, 'native', 'bin', 'postgres'));
    assert.equal(ran.status, 0, ran.stderr);
    assert.match(ran.stdout, /PostgreSQL\) 18/);
    assert.equal(await hydrateSymlinks(join(dir, 'native')), true, 'a second call finds them all there');
  });
});
