/**
 * NO_COLOR (https://no-color.org): on a terminal dbspec colours its diagnostics and progress; with NO_COLOR
 * set, nothing is coloured. A real terminal comes from util-linux's `script`, which runs the CLI on a pty.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { useColor } from '../../runner/color.ts';
import { CLI, REPO } from '../run/cli-process.ts';

const onTerminal = (env: NodeJS.ProcessEnv): string => {
  const command = `${process.execPath} ${CLI} validate ${join('test', 'invalid', 'meaning-unknown-db.spec.yaml')}`;
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: REPO, env, encoding: 'utf8' });
  return run.stdout;
};

const withoutNoColor = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
  delete env.NO_COLOR;
  return env;
};

describe('NO_COLOR', () => {
  it('a diagnostic on a terminal is coloured, and not with NO_COLOR set', () => {
    const coloured = onTerminal(withoutNoColor());
    assert.match(coloured, /unknown|not configured/i, coloured);
    assert.match(coloured, /\x1b\[/, 'coloured on a terminal');
    const plain = onTerminal({ ...withoutNoColor(), NO_COLOR: '1' });
    assert.match(plain, /unknown|not configured/i);
    assert.doesNotMatch(plain, /\x1b\[/);
  });

  it('one rule for every command: a terminal, NO_COLOR empty or unset, TERM not dumb', () => {
    assert.equal(useColor({ isTTY: true }, {}), true);
    assert.equal(useColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(useColor({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(useColor({ isTTY: false }, {}), false);
    assert.equal(useColor({}, {}), false);
  });
});
