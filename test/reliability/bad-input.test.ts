/**
 * Bad input of every kind through `dbspec run` (the command that would touch a database): CLI arguments,
 * config files, binary junk, malformed and hostile YAML. Each gives one clear error with its location and
 * the documented exit code, within 5 s, and no database is touched: the configured URLs point at a TCP
 * listener that counts connections, and it must count none. (The invalid-spec corpus in test/invalid/,
 * checked through `dbspec validate` by test/spec/invalid-corpus.test.ts, adds 50+ more.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cleanEnv, runCli } from '../run/cli-process.ts';
import { CONFIG, fixtureSpec } from './run-fixture.ts';
import { assertWithin } from '../support/timing.ts';

type Case = {
  readonly name: string;
  /** Arguments after `run`; `$DIR` is the temp folder holding the files below. */
  readonly args: readonly string[];
  readonly files?: Readonly<Record<string, string | Buffer>>;
  readonly exit: 1 | 2;
  /** The error line must match this (message and, where there is one, file:line:col). */
  readonly error: RegExp;
  /** NAME=value added to the environment. */
  readonly env?: string;
  /** Makes what `files` cannot hold (named pipes, symbolic links) in the temp folder. */
  readonly make?: (dir: string) => Promise<void>;
};

const GOOD = fixtureSpec('b-after');
const spec = (body: string) => `# a spec\n${body}`;
const VALID_HEAD = 'name: n\nsteps:\n  - name: s\n    db: auth\n';

const CASES: readonly Case[] = [
  // Command line
  { name: 'unknown command', args: ['@frobnicate'], exit: 2, error: /unknown command 'frobnicate'/ },
  { name: 'unknown option', args: ['--bogus', GOOD], exit: 2, error: /dbspec run: Unknown option '--bogus'/ },
  { name: 'option without its value', args: [GOOD, '--tag'], exit: 2, error: /dbspec run: Option '.*--tag.*' argument/ },
  { name: '--timeout not a duration', args: [GOOD, '--timeout', 'soon'], exit: 2, error: /--timeout takes a duration like 30s or 500ms, not 'soon'/ },
  { name: '--timeout zero', args: [GOOD, '--timeout', '0'], exit: 2, error: /--timeout takes a duration/ },
  { name: '--jobs zero', args: [GOOD, '--jobs', '0'], exit: 2, error: /--jobs takes a whole number from 1 to 64, not '0'/ },
  { name: '--jobs not a number', args: [GOOD, '--jobs', 'many'], exit: 2, error: /--jobs takes a whole number/ },
  { name: '--shard out of range', args: [GOOD, '--shard', '3/2'], exit: 2, error: /--shard takes i\/n with 1 <= i <= n/ },
  { name: '--grep not a regular expression', args: [GOOD, '--grep', '(unclosed'], exit: 2, error: /--grep: Invalid regular expression/ },
  { name: '--durations file missing', args: [GOOD, '--durations', '$DIR/none.json'], exit: 2, error: /none\.json/ },
  {
    name: '--durations binary junk',
    args: [GOOD, '--durations', '$DIR/junk.json'],
    files: { 'junk.json': randomBytes(4096) },
    exit: 2,
    error: /junk\.json:1:1: .*not valid JSON/,
  },
  {
    name: '--durations JSON but not results',
    args: [GOOD, '--durations', '$DIR/other.json'],
    files: { 'other.json': '{"hello": 1}' },
    exit: 2,
    error: /other\.json/,
  },
  {
    name: '--out under a file',
    args: [GOOD, '--out', '$DIR/a-file/out'],
    files: { 'a-file': 'x' },
    exit: 2,
    error: /--out .*a-file\/out: cannot create the folder for results \(ENOTDIR\)/,
  },
  { name: 'spec path that does not exist', args: ['$DIR/nowhere.spec.yaml'], exit: 2, error: /nowhere\.spec\.yaml/ },
  // Config files
  { name: 'config file missing', args: [GOOD, '--config', '$DIR/none.yaml'], exit: 2, error: /config file not found: .*none\.yaml/ },
  {
    name: 'config is binary junk',
    args: [GOOD, '--config', '$DIR/junk.config.yaml'],
    files: { 'junk.config.yaml': randomBytes(2048) },
    exit: 2,
    error: /junk\.config\.yaml:\d+:\d+: /,
  },
  {
    name: 'config is empty',
    args: [GOOD, '--config', '$DIR/empty.config.yaml'],
    files: { 'empty.config.yaml': '' },
    exit: 2,
    error: /empty\.config\.yaml.*databases/,
  },
  {
    name: 'config YAML syntax error',
    args: [GOOD, '--config', '$DIR/syntax.config.yaml'],
    files: { 'syntax.config.yaml': 'databases:\n  auth: { url_env: X\n' },
    exit: 2,
    error: /syntax\.config\.yaml:\d+:\d+: /,
  },
  {
    name: 'config databases is a list',
    args: [GOOD, '--config', '$DIR/list.config.yaml'],
    files: { 'list.config.yaml': 'databases:\n  - auth\n  - backend\n' },
    exit: 2,
    error: /list\.config\.yaml:2:\d+: /,
  },
  {
    name: 'config with an alias bomb',
    args: [GOOD, '--config', '$DIR/bomb.config.yaml'],
    files: { 'bomb.config.yaml': aliasBomb('databases') },
    exit: 2,
    error: /bomb\.config\.yaml:\d+:\d+: .*alias/i,
  },
  {
    name: 'config with a JS tag',
    args: [GOOD, '--config', '$DIR/tag.config.yaml'],
    files: { 'tag.config.yaml': 'databases: !!js/function "function () { process.exit(9) }"\n' },
    exit: 2,
    error: /tag\.config\.yaml:1:\d+: /,
  },
  {
    name: 'config UTF-16 with a BOM',
    args: [GOOD, '--config', '$DIR/utf16.config.yaml'],
    files: { 'utf16.config.yaml': Buffer.from('\ufeffdatabases:\n  auth: {}\n', 'utf16le') },
    exit: 2,
    error: /utf16\.config\.yaml:\d+:\d+: /,
  },
  {
    name: 'database URL that is not PostgreSQL',
    args: [GOOD],
    env: 'DBSPEC_AUTH_URL=mysql://root:hunter2@127.0.0.1/auth',
    exit: 2,
    error: /DBSPEC_AUTH_URL is not a PostgreSQL URL/,
  },
  // Binary junk and malformed specs
  {
    name: 'spec of random bytes',
    args: ['$DIR/random.spec.yaml'],
    files: { 'random.spec.yaml': randomBytes(8192) },
    exit: 1,
    error: /random\.spec\.yaml:\d+:\d+: /,
  },
  {
    name: 'spec that is a PNG',
    args: ['$DIR/image.spec.yaml'],
    files: { 'image.spec.yaml': Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(512)]) },
    exit: 1,
    error: /image\.spec\.yaml:\d+:\d+: .*NUL byte/,
  },
  {
    name: 'spec that is gzip',
    args: ['$DIR/packed.spec.yaml'],
    files: { 'packed.spec.yaml': gzipSync(Buffer.from(`${VALID_HEAD}    sql: select 1\n`)) },
    exit: 1,
    error: /packed\.spec\.yaml:1:\d+: /,
  },
  {
    name: 'spec in UTF-16',
    args: ['$DIR/utf16.spec.yaml'],
    files: { 'utf16.spec.yaml': Buffer.from(`\ufeff${VALID_HEAD}    sql: select 1\n`, 'utf16le') },
    exit: 1,
    error: /utf16\.spec\.yaml:1:\d+: /,
  },
  { name: 'empty spec file', args: ['$DIR/empty.spec.yaml'], files: { 'empty.spec.yaml': '' }, exit: 1, error: /empty\.spec\.yaml:1:1: / },
  {
    name: 'spec of only a comment',
    args: ['$DIR/comment.spec.yaml'],
    files: { 'comment.spec.yaml': '# nothing here\n' },
    exit: 1,
    error: /comment\.spec\.yaml:\d+:\d+: /,
  },
  { name: 'spec that is a JSON array', args: ['$DIR/array.spec.yaml'], files: { 'array.spec.yaml': '[1, 2, 3]\n' }, exit: 1, error: /array\.spec\.yaml:1:1: / },
  {
    name: 'spec indented with tabs',
    args: ['$DIR/tabs.spec.yaml'],
    files: { 'tabs.spec.yaml': 'name: n\nsteps:\n\t- name: s\n' },
    exit: 1,
    error: /tabs\.spec\.yaml:3:\d+: /,
  },
  {
    name: 'spec with a 2 MB line',
    args: ['$DIR/long.spec.yaml'],
    files: { 'long.spec.yaml': spec(`${VALID_HEAD}    sql: select '${'x'.repeat(2 * 1024 * 1024)}' as\n`) },
    exit: 1,
    error: /long\.spec\.yaml:\d+:\d+: /,
  },
  {
    name: 'spec with an alias bomb in vars',
    args: ['$DIR/bomb.spec.yaml'],
    files: { 'bomb.spec.yaml': aliasBomb('vars') },
    exit: 1,
    error: /bomb\.spec\.yaml:\d+:\d+: .*alias/i,
  },
  {
    name: 'spec nested 5,000 deep',
    args: ['$DIR/deep.spec.yaml'],
    files: { 'deep.spec.yaml': `name: n\nvars:\n  v: ${'['.repeat(5000)}${']'.repeat(5000)}\n` },
    exit: 1,
    error: /deep\.spec\.yaml:\d+:\d+: /,
  },
  {
    name: 'spec with an unterminated variable',
    args: ['$DIR/var.spec.yaml'],
    files: { 'var.spec.yaml': `${VALID_HEAD}    sql: select \${oops\n` },
    exit: 1,
    error: /var\.spec\.yaml:5:\d+: /,
  },
  {
    name: 'spec with a merge-key bomb',
    args: ['$DIR/merge.spec.yaml'],
    files: { 'merge.spec.yaml': mergeBomb() },
    exit: 1,
    error: /merge\.spec\.yaml:\d+:\d+: /,
  },
  {
    name: 'spec naming a database by URL',
    args: ['$DIR/url.spec.yaml'],
    files: { 'url.spec.yaml': 'name: n\nsteps:\n  - name: s\n    db: postgres://postgres:hunter2@127.0.0.1/auth\n    sql: select 1\n' },
    exit: 1,
    error: /url\.spec\.yaml:4:\d+: /,
  },
  {
    name: 'spec with a connection URL key',
    args: ['$DIR/urlkey.spec.yaml'],
    files: { 'urlkey.spec.yaml': `${VALID_HEAD}    sql: select 1\nurl: postgres://postgres:hunter2@127.0.0.1/auth\n` },
    exit: 1,
    error: /urlkey\.spec\.yaml:6:\d+: /,
  },
  {
    name: 'spec with a 50 MB file among good ones',
    args: [GOOD, '$DIR/big.spec.yaml'],
    files: { 'big.spec.yaml': Buffer.alloc(50 * 1024 * 1024, 'a: b\n') },
    exit: 1,
    error: /big\.spec\.yaml:1:1: .*at most 5 MB/,
  },
  // Paths that are not files, and meaning a schema cannot see (issue 20)
  {
    name: 'validate given a named pipe',
    args: ['@validate', '$DIR/pipe.spec.yaml', '--config', CONFIG],
    make: (dir) => fifo(join(dir, 'pipe.spec.yaml')),
    exit: 2,
    error: /pipe\.spec\.yaml: this is a named pipe, not a spec file \[DBSPEC_NOT_A_FILE\]/,
  },
  {
    name: 'run given a named pipe',
    args: ['$DIR/pipe2.spec.yaml'],
    make: (dir) => fifo(join(dir, 'pipe2.spec.yaml')),
    exit: 2,
    error: /pipe2\.spec\.yaml: this is a named pipe, not a spec file/,
  },
  {
    name: 'config that is a named pipe',
    args: [GOOD, '--config', '$DIR/pipe.config.yaml'],
    make: (dir) => fifo(join(dir, 'pipe.config.yaml')),
    exit: 2,
    error: /pipe\.config\.yaml:1:1: this is a named pipe, not a file/,
  },
  {
    name: 'spec path that is a symbolic link loop',
    args: ['$DIR/loop.spec.yaml'],
    make: (dir) => symlink('loop.spec.yaml', join(dir, 'loop.spec.yaml')),
    exit: 2,
    error: /loop\.spec\.yaml: a symbolic link loop/,
  },
  {
    name: 'specs folder holding a pipe, a folder and a loop named like specs',
    args: ['$DIR/tree'],
    make: async (dir) => {
      await mkdir(join(dir, 'tree', 'dir.spec.yaml'), { recursive: true });
      await fifo(join(dir, 'tree', 'pipe.spec.yaml'));
      await symlink('cycle.spec.yaml', join(dir, 'tree', 'cycle.spec.yaml'));
      await symlink('..', join(dir, 'tree', 'dir.spec.yaml', 'up'));
    },
    exit: 1,
    error:
      /tree\/cycle\.spec\.yaml:1:1: this is a symbolic link loop, not a spec file[\s\S]*tree\/dir\.spec\.yaml:1:1: this is a folder, not a spec file[\s\S]*tree\/pipe\.spec\.yaml:1:1: this is a named pipe, not a spec file/,
  },
  {
    name: 'expect that checks nothing',
    args: ['$DIR/nothing.spec.yaml'],
    files: { 'nothing.spec.yaml': `${VALID_HEAD}    sql: select 1 as x\n    expect: {}\n` },
    exit: 1,
    error: /nothing\.spec\.yaml:6:13: `steps\[0\]\.expect` checks nothing/,
  },
  {
    name: 'COMMIT inside a transaction step',
    args: ['$DIR/commit.spec.yaml'],
    files: { 'commit.spec.yaml': 'name: n\nsteps:\n  - name: s\n    db: auth\n    rollback: true\n    transaction:\n      - select 1 as x\n      - commit\n' },
    exit: 1,
    error: /commit\.spec\.yaml:8:9: COMMIT inside a `transaction` step/,
  },
];

/** A named pipe: opening it for reading waits for a writer, so nothing may open it blindly. */
async function fifo(path: string): Promise<void> {
  execFileSync('mkfifo', [path]);
}

/** Each level refers to the previous one nine times: 9^12 nodes if expanded. */
function aliasBomb(key: string): string {
  const lines = [`${key}:`, '  a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 12; i++)
    lines.push(
      `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `name: bomb\n${lines.join('\n')}\n`;
}

function mergeBomb(): string {
  const lines = ['name: merge', 'vars:', '  a0: &a0 { k0: v }'];
  for (let i = 1; i <= 12; i++)
    lines.push(
      `  a${i}: &a${i} { <<: [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}], k${i}: v }`,
    );
  return `${lines.join('\n')}\nsteps: []\n`;
}

describe('reliability: bad input is refused clearly, quickly, without touching a database', function () {
  this.timeout(120_000);
  let dir: string;
  let listener: Server;
  let connections = 0;
  let port: number;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-bad-'));
    await mkdir(join(dir, 'out'));
    for (const c of CASES) for (const [name, content] of Object.entries(c.files ?? {})) await writeFile(join(dir, name), content);
    for (const c of CASES) await c.make?.(dir);
    listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as AddressInfo).port;
  });
  after(async function () {
    listener?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`has at least 35 cases of its own (${CASES.length})`, function () {
    assert.ok(CASES.length >= 35);
  });

  /** Runs one case; two at a time keeps the suite quick on two cores without starving the 5 s bound. */
  const outcomes = new Map<string, Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>>();
  let slots = Promise.resolve();
  const launch = (c: Case) => {
    const args = c.args.map((a) => a.replaceAll('$DIR', dir));
    const command = args[0]?.startsWith('@')
      ? [args[0].slice(1), ...args.slice(1)]
      : ['run', ...args, ...(args.includes('--config') ? [] : ['--config', CONFIG]), ...(args.includes('--out') ? [] : ['--out', join(dir, 'out')])];
    const url = (db: string) => `postgres://dbspec:hunter2@127.0.0.1:${port}/${db}`;
    const extra = c.env?.split('=') as [string, string] | undefined;
    const env = cleanEnv({ DBSPEC_AUTH_URL: url('auth'), DBSPEC_BACKEND_URL: url('backend'), ...(extra ? { [extra[0]]: extra.slice(1).join('=') } : {}) });
    const started = performance.now();
    return runCli(command, env).then((run) => ({ ...run, ms: performance.now() - started }));
  };

  for (const [i, c] of CASES.entries()) {
    it(c.name, async function () {
      if (i % 2 === 0) {
        // Start this case and the next one together.
        const pair = CASES.slice(i, i + 2).map((each) => [each.name, launch(each)] as const);
        for (const [name, run] of pair) outcomes.set(name, run);
        slots = Promise.all(pair.map(([, run]) => run)).then(() => undefined);
      }
      const run = await outcomes.get(c.name)!;
      const output = run.stdout + run.stderr;
      assert.equal(run.code, c.exit, `exit ${run.code}:\n${output.slice(0, 2000)}`);
      assert.match(run.stderr, c.error, run.stderr.slice(0, 2000));
      assertWithin(run.ms, 5000, c.name);
      assert.doesNotMatch(output, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
      assert.doesNotMatch(output, /internal error|TypeError|ReferenceError|RangeError/);
      assert.doesNotMatch(output, /hunter2/, 'no password');
      await slots;
      assert.equal(connections, 0, 'a database was contacted');
    });
  }
});
