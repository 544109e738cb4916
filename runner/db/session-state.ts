/**
 * Could a statement leave state behind in its session (a setting, a temp table, a prepared statement, a
 * cursor, a LISTEN, an advisory lock, sequence state)? A pooled connection that ran one is reset with
 * DISCARD ALL before the next step gets it; one that ran only plain reads and writes is handed on as is,
 * saving a round trip per statement. Conservative by construction: anything that is not plainly a
 * SELECT/INSERT/UPDATE/DELETE/MERGE/VALUES calling only well-known built-in functions counts as changing
 * state. What no statement text shows (a trigger calling set_config) is not seen.
 */

/** Statements that only read or write rows, when they call nothing but the functions below. */
const ROW_STATEMENTS = new Set(['select', 'insert', 'update', 'delete', 'merge', 'with', 'values', 'table']);

/** Words followed by `(` that are syntax or built-ins without session side effects. */
const HARMLESS_CALLS = new Set(
  [
    // syntax
    'values',
    'in',
    'any',
    'all',
    'some',
    'exists',
    'array',
    'row',
    'cast',
    'coalesce',
    'nullif',
    'greatest',
    'least',
    'over',
    'filter',
    'within',
    'as',
    'on',
    'using',
    'and',
    'or',
    'not',
    'when',
    'then',
    'else',
    'select',
    'where',
    'from',
    'join',
    'lateral',
    'extract',
    'position',
    'substring',
    'overlay',
    'trim',
    'interval',
    'by',
    'is',
    'case',
    'numeric',
    'decimal',
    'varchar',
    'char',
    'character',
    'timestamp',
    'timestamptz',
    'time',
    'bit',
    'float',
    'returning',
    // aggregates and window functions
    'count',
    'sum',
    'avg',
    'min',
    'max',
    'array_agg',
    'string_agg',
    'json_agg',
    'jsonb_agg',
    'json_object_agg',
    'jsonb_object_agg',
    'bool_and',
    'bool_or',
    'every',
    'row_number',
    'rank',
    'dense_rank',
    'lag',
    'lead',
    'first_value',
    'last_value',
    'percentile_cont',
    'percentile_disc',
    'stddev',
    'variance',
    // scalar built-ins
    'now',
    'clock_timestamp',
    'statement_timestamp',
    'transaction_timestamp',
    'date_trunc',
    'date_part',
    'age',
    'to_char',
    'to_date',
    'to_timestamp',
    'make_interval',
    'gen_random_uuid',
    'md5',
    'random',
    'lower',
    'upper',
    'length',
    'char_length',
    'octet_length',
    'replace',
    'concat',
    'concat_ws',
    'format',
    'left',
    'right',
    'split_part',
    'starts_with',
    'regexp_replace',
    'regexp_match',
    'regexp_matches',
    'lpad',
    'rpad',
    'repeat',
    'reverse',
    'abs',
    'round',
    'floor',
    'ceil',
    'ceiling',
    'trunc',
    'mod',
    'power',
    'sqrt',
    'generate_series',
    'unnest',
    'array_length',
    'array_position',
    'array_remove',
    'array_append',
    'cardinality',
    'to_json',
    'to_jsonb',
    'json_build_object',
    'jsonb_build_object',
    'json_build_array',
    'jsonb_build_array',
    'jsonb_set',
    'jsonb_array_length',
    'json_array_length',
    'jsonb_typeof',
    'jsonb_each',
    'jsonb_object_keys',
    'jsonb_array_elements',
    'pg_sleep',
    'current_setting',
    'pg_backend_pid',
    'pg_typeof',
    'quote_ident',
    'quote_literal',
    'encode',
    'decode',
  ].map((w) => w.toLowerCase()),
);

/** Leading white space and parentheses, then the first word. */
const FIRST_WORD = /^[\s(]*([a-z_]+)/i;
/** `name(`, `schema.name(` or `"Name"(`, with the word before it (to tell `into t (` from a call). */
const CALL = /(\b[a-z_][a-z0-9_$]*\s+)?(?:[a-z_][a-z0-9_$]*\.|"[^"]*"\.)?([a-z_][a-z0-9_$]*|"[^"]*")\s*\(/gi;
const SESSION_WORDS = /\b(temp|temporary)\b/i;

/** Our own transaction control: leaves no state once the transaction has ended. */
export const TRANSACTION_CONTROL = new Set(['begin', 'commit', 'rollback']);

/** Index of the quote closing the one at `start` (a doubled quote is part of the text), or -1. */
const closingQuote = (sql: string, start: number, quote: string): number => {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] !== quote) continue;
    if (sql[i + 1] === quote) i++;
    else return i;
  }
  return -1;
};

/**
 * The statement with string literals emptied and comments blanked, so that neither can look like a call;
 * undefined when a simple scan cannot be sure (backslash escapes, dollar quotes, nested comments).
 */
const codeOnly = (sql: string): string | undefined => {
  if (/\\|\$(?!\d)/.test(sql)) return undefined;
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      if (end < 0) return undefined;
      out += c === "'" ? "''" : sql.slice(i, end + 1);
      i = end + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      out += ' ';
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0 || sql.slice(i + 2, end).includes('/*')) return undefined;
      i = end + 2;
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
};

export const mayChangeSession = (statement: string): boolean => {
  const sql = codeOnly(statement);
  if (sql === undefined) return true;
  const first = FIRST_WORD.exec(sql)?.[1]?.toLowerCase();
  if (first === undefined || !ROW_STATEMENTS.has(first)) return true;
  if (SESSION_WORDS.test(sql)) return true;
  for (const match of sql.matchAll(CALL)) {
    const before = match[1]?.trim().toLowerCase();
    // `insert into t (a, b)`, `merge into t (...)`: a column list, not a call.
    if (before === 'into') continue;
    if (!HARMLESS_CALLS.has(match[2]!.toLowerCase())) return true;
  }
  return false;
};
