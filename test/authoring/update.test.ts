/**
 * Record mode, `dbspec run --update`: values are written so that dbspec reads them back as matching; only the
 * `rows:` of failing expectations change, every other byte of the file stays; a passing expectation is never
 * touched; a shared database is refused.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { renderCell } from '../../runner/update/render-value.ts';
import { applyEdits, mapAt, rowsEdit } from '../../runner/update/rewrite-rows.ts';
import { cleanEnv, runCli } from '../run/cli-process.ts';

const OID = { bool: 16, int8: 20, int4: 23, text: 25, json: 3802, float8: 701, numeric: 1700, uuid: 2950, timestamptz: 1184, int4array: 1007, date: 1082 };
const at = new Date('2026-03-01T12:00:00Z');
const none = { variables: [], observedAt: at };

describe('run --update: values', () => {
  it('writes each type in the form dbspec reads back', () => {
    assert.equal(renderCell('t', OID.bool, none), 'true');
    assert.equal(renderCell('9007199254740993', OID.int8, none), '9007199254740993');
    assert.equal(renderCell('12.50', OID.numeric, none), '"12.50"');
    assert.equal(renderCell('0.1', OID.float8, none), '0.1');
    assert.equal(renderCell('42', OID.text, none), '"42"');
    assert.equal(renderCell('true', OID.text, none), '"true"');
    assert.equal(renderCell('hello world', OID.text, none), 'hello world');
    assert.equal(renderCell('a: b, {c}', OID.text, none), '"a: b, {c}"');
    assert.equal(renderCell(null, OID.text, none), 'null');
    assert.equal(renderCell({ plan: 'pro', seats: 5 }, OID.json, none), '{ plan: pro, seats: 5 }');
    assert.equal(renderCell({ type: 'x' }, OID.json, none), '{ json: { type: x } }');
    assert.equal(renderCell('{1,2,NULL}', OID.int4array, none), '[1, 2, null]');
    assert.equal(renderCell('2026-01-31', OID.date, none), '"2026-01-31"');
  });

  it('writes a variable where its value came back, a matcher where a value changes every run', () => {
    const ctx = {
      variables: [
        { name: 'user_id', value: '8666e240-ea4d-43d5-b189-ef5671e73b58' },
        { name: 'run_id', value: 'ab12cd34' },
      ],
      observedAt: at,
    };
    assert.equal(renderCell('8666E240-EA4D-43D5-B189-EF5671E73B58', OID.uuid, ctx), '"${user_id}"');
    assert.equal(renderCell('note ab12cd34 done', OID.text, ctx), '"note ${run_id} done"');
    assert.equal(renderCell('11111111-2222-4333-8444-555555555555', OID.uuid, ctx), '{ type: uuid }');
    assert.equal(renderCell('2026-03-01 11:59:58.5+00', OID.timestamptz, ctx), '{ type: timestamp }');
    assert.equal(renderCell('2020-01-01 00:00:00+00', OID.timestamptz, ctx), '"2020-01-01 00:00:00+00"');
    assert.equal(renderCell('1', OID.int4, { variables: [{ name: 'n', value: 1n }], observedAt: at }), '1', 'small values are not variables by coincidence');
  });
});

const edit = (text: string, path: string[], rows: string[]): string => {
  const doc = parseDocument(text);
  const node = doc.getIn(path, true) as { range: [number, number, number] };
  const made = rowsEdit(text, mapAt(doc as never, node.range[0])!, rows);
  assert.equal(typeof made, 'object', String(made));
  return applyEdits(text, [made as never]);
};

describe('run --update: rewriting rows in the text', () => {
  it('a block list stays a block list, with its comments around it', () => {
    const text = 'expect:\n  # before\n  rows:\n    - { a: 1 }\n    - { a: 2 }\n  # between\n  ordered: true   # kept\n';
    assert.equal(edit(text, ['expect'], ['{ a: 3 }']), 'expect:\n  # before\n  rows:\n    - { a: 3 }\n  # between\n  ordered: true   # kept\n');
  });

  it('`rows: []` in a block map becomes a block list; in a flow map it stays flow', () => {
    assert.equal(
      edit('expect:\n  rows: []  # fill\nnext: 1\n', ['expect'], ['{ a: 1 }', '{ a: 2 }']),
      'expect:\n  rows:\n    - { a: 1 }\n    - { a: 2 }  # fill\nnext: 1\n',
    );
    assert.equal(edit('s:\n  expect: { rows: [ { a: 9 } ] }\n', ['s', 'expect'], ['{ a: 1 }']), 's:\n  expect: { rows: [ { a: 1 } ] }\n');
    assert.equal(edit('expect:\n  rows:\n    - { a: 9 }\n', ['expect'], []), 'expect:\n  rows: []\n');
  });
});

const CONFIG = 'databases:\n  auth: { migrations: db/auth }\n';
const MIGRATION =
  'create table items (id uuid primary key, title text not null, price numeric(8,2), tags text[], meta jsonb, created_at timestamptz not null default now(), done boolean not null default false);\n';

/** Comments, blank lines, odd quoting and key order everywhere, to prove they survive. */
const SPEC = `# yaml-language-server: $schema=../schema/spec.schema.json
# Items: a spec whose expectations are recorded.

name:   items are stored       # odd spacing kept
vars:
  item_id: \${uuid}   # the item

setup:
  - db: auth
    sql: |
      insert into items (id, title, price, tags, meta)
      values (\${item_id}, 'Q3 "plan"', 12.5, array['a','b'], '{"plan": "pro", "seats": 5}');

steps:
  # A placeholder to fill in.
  - name: the item comes back
    db: auth
    sql: select id, title, price, tags, meta, created_at, done from items where id = \${item_id}
    expect:
      rows: []        # fill me in

  - name: a wrong title
    expect:
      ordered: true
      rows:
        - { id: "\${item_id}", title: wrong }   # stale
    db: auth
    sql: select id, title from items where id = \${item_id}

  - name: 'this one passes'
    db: auth
    sql: select count(*) as n from items where id = \${item_id}
    expect: { rows: [ { n: 1 } ] }   # untouched

  - name: a block row with comments
    db: auth
    sql: select title, done from items where id = \${item_id}
    expect:
      rows:
        - title: wrong   # the title as typed
          # done stays false until shipped
          done: false

cleanup:
  - db: auth
    sql: delete from items where id = \${item_id}
`;

const UPDATED = SPEC.replace(
  'rows: []        # fill me in',
  'rows:\n        - { id: "${item_id}", title: "Q3 \\"plan\\"", price: "12.50", tags: [a, b], meta: { plan: pro, seats: 5 }, created_at: { type: timestamp }, done: false }        # fill me in',
)
  .replace('- { id: "${item_id}", title: wrong }   # stale', '- { id: "${item_id}", title: "Q3 \\"plan\\"" }')
  .replace('- title: wrong   # the title as typed', '- title: "Q3 \\"plan\\""   # the title as typed');

describe('run --update: end to end on the embedded server', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-update-'));
    await mkdir(join(dir, 'db', 'auth'), { recursive: true });
    await mkdir(join(dir, 'specs'));
    await writeFile(join(dir, 'dbspec.config.yaml'), CONFIG);
    await writeFile(join(dir, 'db', 'auth', '001_items.sql'), MIGRATION);
    await writeFile(join(dir, 'specs', 'items.spec.yaml'), SPEC);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses a database given by URL that is not disposable, before anything runs', async () => {
    const run = await runCli(['run', 'specs', '--update', '--allow-shared'], cleanEnv({ DBSPEC_AUTH_URL: 'postgres://nobody@127.0.0.1:1/x' }), dir);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--update refuses to run against `auth`/);
    assert.equal(await readFile(join(dir, 'specs', 'items.spec.yaml'), 'utf8'), SPEC);
  });

  it('rewrites only the failing rows, byte for byte elsewhere; the next run passes and changes nothing', async () => {
    const first = await runCli(['run', 'specs', '--update', '--reporter', 'dot', '--out', 'out'], cleanEnv(), dir);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stdout, /3 expectations rewritten/);
    assert.match(first.stdout, /updated {6}specs\/items\.spec\.yaml:20 {2}"the item comes back": 1 row recorded/);
    assert.match(first.stdout, /updated {6}specs\/items\.spec\.yaml:25 {2}"a wrong title": 1 row recorded/);
    assert.equal(await readFile(join(dir, 'specs', 'items.spec.yaml'), 'utf8'), UPDATED);
    const second = await runCli(['run', 'specs', '--update', '--reporter', 'dot', '--out', 'out'], cleanEnv(), dir);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /no spec changed/);
    assert.equal(await readFile(join(dir, 'specs', 'items.spec.yaml'), 'utf8'), UPDATED);
  });
});
