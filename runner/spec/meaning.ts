/**
 * What the schema cannot know: databases from the config, variables in scope at each use, duplicate step
 * names, real SQLSTATE codes, regexes that compile, and SQL that PostgreSQL's own parser accepts.
 * Requires `await ensureParser()` first.
 */
import { authoring as problem, type Diagnostic, type SourceLocation } from '../diagnostics.ts';
import { bindSql, checkSql, locateInSql } from './bind.ts';
import type { Reference } from './build.ts';
import { SQLSTATE_CLASSES, SQLSTATE_CODES } from './sqlstate-codes.ts';
import { closest } from './suggest.ts';
import { BUILTIN_VARS } from './types.ts';
import type { Expectation, ExpectedRow, Spec, SqlText } from './types.ts';
import { stepCaptures, stepExpectation, stepSql } from './step-kinds.ts';
import { referencesIn, VAR_PATTERN } from './vars.ts';

/** Built-ins usable everywhere; `session` and `iteration` are added only where they exist. */
const EVERYWHERE = BUILTIN_VARS.filter((v) => v !== 'session' && v !== 'iteration');

type Scope = ReadonlySet<string>;

/** Records uses and reports references that are not in scope. */
class VarChecker {
  readonly used = new Set<string>();
  readonly out: Diagnostic[] = [];
  /** Variable name -> index of the step that captures it, for "captured by a later step" hints. */
  readonly capturedBy = new Map<string, number>();

  check(name: string, scope: Scope, loc: SourceLocation): void {
    this.used.add(name);
    if (scope.has(name)) return;
    this.out.push(problem('DBSPEC_UNKNOWN_VAR', `\`\${${name}}\` is not defined${didYouMean(name, scope)}`, loc, this.hintFor(name)));
  }

  private hintFor(name: string): string | undefined {
    if (name === 'session') return '${session} exists only in the sql of a concurrent step';
    if (name === 'iteration') return '${iteration} exists only in the sql of a benchmark step';
    const step = this.capturedBy.get(name);
    if (step !== undefined) return `it is captured by steps[${step}]; a captured value is usable from the next step on`;
    return 'declare it under `vars:`, or capture it in an earlier step';
  }

  sql(sql: SqlText, scope: Scope): void {
    for (const m of sql.text.matchAll(VAR_PATTERN)) this.check(m[1]!, scope, locateInSql(sql, m.index));
    for (const m of sql.text.matchAll(UNCLOSED_VAR)) {
      const name = m[1] || undefined;
      // The name is meant as a use: no "declared but never used" on top of this.
      if (name) this.used.add(name);
      const at = locateInSql(sql, m.index);
      this.out.push(
        problem(
          'DBSPEC_VAR_UNCLOSED',
          `\`\${\` is not closed${name ? `: write \`\${${name}}\`` : ''}`,
          { ...at, endLine: at.line, endColumn: at.column + m[0].length },
          'a variable is written ${name}, with `}` right after the name',
        ),
      );
    }
  }

  rows(rows: readonly ExpectedRow[] | undefined, scope: Scope): void {
    for (const row of rows ?? []) {
      for (const cell of Object.values(row.cells)) {
        const value = 'matcher' in cell ? (cell.matcher === 'compare' ? cell.value : cell.matcher === 'regex' ? cell.pattern : null) : cell.value;
        if (typeof value === 'number') continue;
        for (const name of referencesIn(value)) this.check(name, scope, cell.loc);
      }
    }
  }

  expectation(e: Expectation | undefined, scope: Scope): void {
    if (e?.kind !== 'result') return;
    this.rows(e.rows, scope);
    this.rows(e.includes, scope);
    this.rows(e.excludes, scope);
  }
}

/** `${` not followed by a name and `}`: `${user_id` or `${ user_id }`. Captures the name that follows, if any. */
export const UNCLOSED_VAR = /\$\{(?![A-Za-z_][A-Za-z0-9_]*\})\s*([A-Za-z_][A-Za-z0-9_]*)?/g;

const didYouMean = (name: string, scope: Iterable<string>): string => {
  const c = closest(name, scope);
  return c ? `; did you mean \`\${${c}}\`?` : '';
};

const checkVariables = (spec: Spec): Diagnostic[] => {
  const v = new VarChecker();
  const out: Diagnostic[] = [];
  const builtins = new Set<string>(BUILTIN_VARS);
  spec.steps.forEach((s, i) => {
    for (const { name } of stepCaptures(s)) if (!v.capturedBy.has(name)) v.capturedBy.set(name, i);
  });
  const declared = new Set<string>();
  for (const decl of spec.vars) {
    if (builtins.has(decl.name))
      out.push(problem('DBSPEC_VAR_REDEFINED', `\`${decl.name}\` is a built-in variable and cannot be declared`, decl.loc, 'choose another name'));
    for (const name of referencesIn(decl.value)) v.check(name, new Set([...EVERYWHERE, ...declared]), decl.loc);
    declared.add(decl.name);
  }
  const base = new Set<string>([...EVERYWHERE, ...declared]);
  for (const block of spec.setup) v.sql(block.sql, base);
  const scope = new Set(base);
  for (const s of spec.steps) {
    for (const { sql, vars } of stepSql(s)) v.sql(sql, vars ? new Set([...scope, ...vars]) : scope);
    v.expectation(stepExpectation(s), scope);
    for (const { name, loc } of stepCaptures(s)) {
      if (builtins.has(name) || declared.has(name))
        out.push(
          problem(
            'DBSPEC_VAR_REDEFINED',
            `\`${name}\` is already ${builtins.has(name) ? 'a built-in variable' : 'declared under vars'}; capture into another name`,
            loc,
          ),
        );
      scope.add(name);
    }
  }
  for (const block of spec.cleanup) v.sql(block.sql, scope);
  for (const decl of spec.vars) {
    if (!v.used.has(decl.name))
      out.push(
        problem('DBSPEC_UNUSED_VAR', `the variable \`${decl.name}\` is declared but never used`, decl.loc, 'remove it, or use it as ${' + decl.name + '}'),
      );
  }
  return [...out, ...v.out];
};

const allSql = (spec: Spec): SqlText[] => [
  ...spec.setup.map((b) => b.sql),
  ...spec.steps.flatMap((s) => stepSql(s).map((t) => t.sql)),
  ...spec.cleanup.map((b) => b.sql),
];

/** Longer SQL belongs in a migration; the cap keeps validation of any file well under a second. */
export const MAX_SQL_CHARS = 100_000;

const checkAllSql = (spec: Spec): Diagnostic[] =>
  allSql(spec).flatMap((sql) => {
    if (sql.text.length > MAX_SQL_CHARS) {
      return [
        problem(
          'DBSPEC_SQL_TOO_LONG',
          `this SQL is ${sql.text.length.toLocaleString('en')} characters long; a spec's SQL may be at most ${MAX_SQL_CHARS.toLocaleString('en')}`,
          sql.loc,
          'load large data in a migration (specs/db/<database>/) or generate it with generate_series',
        ),
      ];
    }
    const nul = sql.text.indexOf('\0');
    // PostgreSQL cannot store or parse a NUL character in text; the protocol would cut the statement there.
    if (nul >= 0)
      return [
        problem(
          'DBSPEC_SQL_NUL',
          'this SQL contains a NUL character (\\0), which PostgreSQL does not accept in text',
          locateInSql(sql, nul),
          "remove it; for binary data write a bytea literal such as '\\x00ff'",
        ),
      ];
    // An unclosed `${` is reported on its own (DBSPEC_VAR_UNCLOSED); PostgreSQL would only see a stray `$`.
    if (new RegExp(UNCLOSED_VAR.source).test(sql.text)) return [];
    const { diagnostics, empty } = checkSql(sql);
    return empty ? [problem('DBSPEC_SQL_EMPTY', 'this SQL has no statement', sql.loc)] : diagnostics;
  });

/**
 * A `transaction` step's transaction is dbspec's: a COMMIT in it would keep rows that `rollback: true`
 * promises to roll back, a BEGIN only warns, and the step's expectation would check a different transaction.
 */
const checkTransactionControl = (spec: Spec): Diagnostic[] =>
  spec.steps.flatMap((step) =>
    step.kind !== 'transaction'
      ? []
      : step.statements.flatMap((sql) =>
          bindSql(sql).statements.flatMap((s) =>
            s.transactionControl === undefined
              ? []
              : [
                  problem(
                    'DBSPEC_TRANSACTION_CONTROL',
                    `${s.transactionControl} inside a \`transaction\` step: dbspec begins the step's transaction and ends it (${step.rollback ? 'ROLLBACK, as rollback: true says' : 'COMMIT'})`,
                    s.loc,
                    'remove it; use savepoints (SAVEPOINT, ROLLBACK TO) inside the step, or separate steps for separate transactions',
                  ),
                ],
          ),
        ),
  );

const checkStepNames = (spec: Spec): Diagnostic[] => {
  const seen = new Map<string, SourceLocation>();
  const out: Diagnostic[] = [];
  for (const s of spec.steps) {
    const first = seen.get(s.name);
    if (first)
      out.push(
        problem(
          'DBSPEC_DUPLICATE_STEP',
          `two steps are named \`${s.name}\``,
          s.loc,
          `the first one is at line ${first.line}; step names are unique within a spec`,
        ),
      );
    else seen.set(s.name, s.loc);
  }
  return out;
};

const checkDatabases = (refs: readonly Reference[], databases: readonly string[]): Diagnostic[] =>
  refs
    .filter((r) => !databases.includes(r.value))
    .map((r) => {
      const suggestion = closest(r.value, databases);
      return problem(
        'DBSPEC_UNKNOWN_DB',
        `unknown database \`${r.value}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
        r.loc,
        `databases in the config: ${databases.join(', ') || '(none)'}`,
      );
    });

const codesInClass = (cls: string): string =>
  [...SQLSTATE_CODES]
    .filter(([code]) => code.startsWith(cls))
    .slice(0, 8)
    .map(([code, name]) => `${code} ${name}`)
    .join(', ');

const checkSqlstates = (refs: readonly Reference[]): Diagnostic[] =>
  refs.flatMap((r) => {
    if (!/^[0-9A-Z]{5}$/.test(r.value) || SQLSTATE_CODES.has(r.value)) return [];
    const cls = r.value.slice(0, 2);
    if (!SQLSTATE_CLASSES.has(cls))
      return [
        problem(
          'DBSPEC_UNKNOWN_SQLSTATE',
          `\`${r.value}\` is not a PostgreSQL error code: there is no class ${cls}`,
          r.loc,
          'e.g. 23505 unique violation, 23503 foreign key, 23502 not null, 40001 serialization failure',
        ),
      ];
    return [problem('DBSPEC_UNKNOWN_SQLSTATE', `\`${r.value}\` is not a PostgreSQL error code`, r.loc, `codes in class ${cls}: ${codesInClass(cls)}`)];
  });

export const checkMeaning = (
  spec: Spec,
  refs: { dbRefs: readonly Reference[]; codeRefs: readonly Reference[] },
  databases: readonly string[],
): Diagnostic[] => [
  ...checkDatabases(refs.dbRefs, databases),
  ...checkVariables(spec),
  ...checkStepNames(spec),
  ...checkSqlstates(refs.codeRefs),
  ...checkAllSql(spec),
  ...checkTransactionControl(spec),
];
