/** bindSql: `${var}` -> `$n` bind parameters, PostgreSQL's parser, and errors located inside the YAML block. */
import assert from 'node:assert/strict';
import { bindSql } from '../../runner/spec/bind.ts';
import { placeholderContexts } from '../../runner/sql/placeholder-contexts.ts';
import { ensureParser } from '../../runner/sql/split.ts';
import { loadYamlFile } from '../../runner/spec/load.ts';
import { sqlTextOf, valueOf } from '../../runner/spec/yaml-nodes.ts';
import type { SqlText } from '../../runner/spec/types.ts';
import { scanSync } from 'libpg-query';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** SQL as if written on one line at line 1, column 1 of f.yaml. */
const inline = (text: string): SqlText => ({
  text,
  loc: { file: 'f.yaml', line: 1, column: 1 },
  lineStarts: text.split('\n').map((_, i) => ({ file: 'f.yaml', line: i + 1, column: 1 })),
});

/** SQL read from a real YAML file, with the lineStarts the loader computes. */
const fromYaml = async (yaml: string): Promise<SqlText> => {
  const dir = await mkdtemp(join(tmpdir(), 'dbspec-bind-'));
  try {
    await writeFile(join(dir, 's.yaml'), yaml);
    const { loaded } = await loadYamlFile(join(dir, 's.yaml'), 's.yaml');
    return sqlTextOf(loaded!, valueOf(loaded!.doc.contents, 'sql'))!;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

describe('bindSql', () => {
  before(ensureParser);

  it('turns variables into numbered parameters, one per name', () => {
    const { statements, diagnostics } = bindSql(inline('select * from t where a = ${x} and b = ${y} or c = ${x}'));
    assert.deepEqual(diagnostics, []);
    assert.equal(statements.length, 1);
    assert.equal(statements[0]!.sql, 'select * from t where a = $1 and b = $2 or c = $1');
    assert.deepEqual(statements[0]!.params, ['x', 'y']);
  });

  it('gives every ${uuid} and ${random_int} its own parameter', () => {
    const { statements } = bindSql(inline('insert into t values (${uuid}, ${uuid}, ${random_int}, ${random_int}, ${id}, ${id})'));
    assert.equal(statements[0]!.sql, 'insert into t values ($1, $2, $3, $4, $5, $5)');
    assert.deepEqual(statements[0]!.params, ['uuid', 'uuid', 'random_int', 'random_int', 'id']);
  });

  it('numbers parameters per statement and keeps each statement as written', () => {
    const { statements } = bindSql(inline('insert into t values (${a});\nselect ${b}, ${a} from t'));
    assert.deepEqual(
      statements.map((s) => [s.sql, s.params, s.source, s.loc.line]),
      [
        ['insert into t values ($1)', ['a'], 'insert into t values (${a})', 1],
        ['select $1, $2 from t', ['b', 'a'], 'select ${b}, ${a} from t', 2],
      ],
    );
  });

  it('locates a syntax error at the line and column inside a block scalar, past a variable', async () => {
    const sql = await fromYaml('name: x\nsql: |\n  select 1;\n  select ${long_variable_name} as a frm t\n');
    const { diagnostics } = bindSql(sql);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.code, 'DBSPEC_SQL_SYNTAX');
    assert.match(diagnostics[0]!.message, /syntax error at or near "frm"/);
    assert.deepEqual([diagnostics[0]!.location!.line, diagnostics[0]!.location!.column], [4, 37]);
  });

  it('shows a variable by its name in a syntax error about it', () => {
    const { diagnostics } = bindSql(inline('select from ${x} where'));
    assert.match(diagnostics[0]!.message, /\$\{x\}/);
    assert.equal(diagnostics[0]!.location!.column, 13);
  });

  it('refuses a variable inside quotes, a dollar-quote, an identifier or a comment, where it was written', async () => {
    for (const [text, column] of [
      ["select '${x}'", 9],
      ["select e'\\n${x}'", 12],
      ['select $$ ${x} $$', 11],
      ['select $f$ ${x} $f$', 12],
      ['select 1 as "${x}"', 14],
      ['select 1 -- ${x}', 13],
      ['select 1 /* a /* ${x} */ */', 18],
    ] as const) {
      const { diagnostics } = bindSql(inline(text));
      assert.deepEqual(
        diagnostics.map((d) => [d.code, d.location?.column]),
        [['DBSPEC_VAR_IN_QUOTES', column]],
        text,
      );
      assert.match(diagnostics[0]!.message, /write \$\{x\} without quotes around it/);
    }
    const sql = await fromYaml("sql: |\n  set local role app_user;\n  set local app.tenant = '${tenant}';\n");
    assert.deepEqual(
      bindSql(sql).diagnostics.map((d) => [d.location?.line, d.location?.column]),
      [[3, 27]],
    );
  });

  it('accepts variables next to quotes, comments and dollar-quotes', () => {
    for (const text of [
      "select '${' || ${x} || '}'",
      "select ${x}, 'it''s' -- note\n, ${y}",
      'select $$a$$, ${x}::text',
      "select set_config('app.tenant_id', ${t}, true)",
    ]) {
      assert.deepEqual(bindSql(inline(text)).diagnostics, [], text);
    }
  });

  it('refuses positional parameters written by hand', () => {
    assert.deepEqual(
      bindSql(inline('select * from t where id = $1')).diagnostics.map((d) => d.code),
      ['DBSPEC_SQL_RAW_PARAM'],
    );
  });

  it("decides quoting as PostgreSQL's scanner does, or defers to it", () => {
    const samples = [
      'select $1, \'$2\', $$ $3 $$, /* $4 */ 1 -- $5\n, "$6"',
      "select 'a''b', $1, $tag$ x $2 $tag$, $3",
      'select /* nested /* $1 */ still */ $2',
      "select $1 || 'x' || $2",
    ];
    for (const sql of samples) {
      const offsets = [...sql.matchAll(/\$\d/g)].map((m) => m.index);
      const quick = placeholderContexts(sql, offsets);
      assert.notEqual(quick, 'unsure', sql);
      const params = new Set(
        scanSync(sql)
          .tokens.filter((t) => t.tokenName === 'PARAM')
          .map((t) => t.start),
      );
      assert.deepEqual(
        quick,
        offsets.map((o) => (params.has(Buffer.byteLength(sql.slice(0, o))) ? 'code' : 'quoted')),
        sql,
      );
    }
    assert.equal(placeholderContexts("select e'\\'$1'", [11]), 'unsure');
  });
});
