/**
 * Colour, one rule for every command (runner/color.ts): NO_COLOR wins, FORCE_COLOR forces (also into a pipe),
 * else only a terminal. Checked on the rule and on a real command's diagnostics through a pipe.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useColor } from '../../runner/color.ts';

const CLI = new URL('../../runner/cli.ts', import.meta.url).pathname;
const exec = promisify(execFile);
const ESC = '\u001b[';

describe('colour', function () {
  this.timeout(60_000);

  it('NO_COLOR wins, FORCE_COLOR forces unless 0 or false, else only a terminal that is not dumb', () => {
    const tty = { isTTY: true };
    const pipe = { isTTY: false };
    assert.equal(useColor(tty, {}), true);
    assert.equal(useColor(pipe, {}), false);
    assert.equal(useColor(tty, { TERM: 'dumb' }), false);
    assert.equal(useColor(tty, { NO_COLOR: '1' }), false);
    assert.equal(useColor(tty, { NO_COLOR: '' }), true, 'an empty NO_COLOR is not set');
    assert.equal(useColor(pipe, { FORCE_COLOR: '1' }), true);
    assert.equal(useColor(pipe, { FORCE_COLOR: '' }), true);
    assert.equal(useColor(tty, { FORCE_COLOR: '0' }), false);
    assert.equal(useColor(tty, { FORCE_COLOR: 'false' }), false);
    assert.equal(useColor(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }), false);
  });

  it("a command's diagnostics are coloured into a pipe only with FORCE_COLOR, and never with NO_COLOR", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbspec-color-'));
    try {
      await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  auth: {}\n');
      await writeFile(join(dir, 'bad.spec.yaml'), 'name: bad\nsteps:\n  - name: one\n    db: nowhere\n    sql: select 1\n');
      const stderr = async (env: Record<string, string>) => {
        const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR'));
        try {
          await exec(process.execPath, [CLI, 'validate', 'bad.spec.yaml'], { cwd: dir, env: { ...clean, ...env } });
          return '';
        } catch (error) {
          return (error as { stderr: string }).stderr;
        }
      };
      const plain = await stderr({});
      assert.match(plain, /DBSPEC_UNKNOWN_DB/);
      assert.ok(!plain.includes(ESC), 'a pipe gets no colour by default');
      assert.ok((await stderr({ FORCE_COLOR: '1' })).includes(`${ESC}31m`), 'FORCE_COLOR colours the message');
      assert.ok(!(await stderr({ FORCE_COLOR: '1', NO_COLOR: '1' })).includes(ESC), 'NO_COLOR wins');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
