/**
 * Where a placeholder stands lexically, decided in JavaScript for the plain cases: outside any quote or
 * comment ('code'), or inside one ('quoted'). 'unsure' for anything this small lexer does not model (escape
 * strings, backslashes, unterminated quotes): then PostgreSQL's own scanner decides. Scanning costs twice a
 * parse, and most SQL is plain.
 */

type Context = 'code' | 'quoted';

/** The end of a span that starts at `i` and is no code, or 'unsure'; undefined when no such span starts there. */
type Span = number | 'unsure' | undefined;

/** '...' or "...", a doubled quote inside; E'', U&'', B'', X'' and backslashes are left to PostgreSQL. */
const quotedSpan = (sql: string, i: number): Span => {
  const c = sql[i]!;
  if (c !== "'" && c !== '"') return undefined;
  if (c === "'" && i > 0 && /[A-Za-z0-9_&]/.test(sql[i - 1]!)) return 'unsure';
  let j = i + 1;
  for (;;) {
    const k = sql.indexOf(c, j);
    if (k === -1) return 'unsure';
    if (sql[k + 1] !== c) {
      j = k + 1;
      break;
    }
    j = k + 2;
  }
  return sql.slice(i, j).includes('\\') ? 'unsure' : j;
};

const lineCommentSpan = (sql: string, i: number): Span => {
  if (sql[i] !== '-' || sql[i + 1] !== '-') return undefined;
  const k = sql.indexOf('\n', i);
  return k === -1 ? sql.length : k;
};

/** `/* ... *\/`, nested as PostgreSQL nests them. */
const blockCommentSpan = (sql: string, i: number): Span => {
  if (sql[i] !== '/' || sql[i + 1] !== '*') return undefined;
  let depth = 1;
  let j = i + 2;
  while (j < sql.length && depth > 0) {
    if (sql[j] === '/' && sql[j + 1] === '*') {
      depth++;
      j += 2;
    } else if (sql[j] === '*' && sql[j + 1] === '/') {
      depth--;
      j += 2;
    } else j++;
  }
  return depth > 0 ? 'unsure' : j;
};

/** `$tag$ ... $tag$` (a `$` that is not a wanted placeholder). */
const dollarQuoteSpan = (sql: string, i: number): Span => {
  const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
  if (!tag || (i > 0 && /[A-Za-z0-9_]/.test(sql[i - 1]!))) return 'unsure';
  const close = sql.indexOf(tag[0], i + tag[0].length);
  return close === -1 ? 'unsure' : close + tag[0].length;
};

export const placeholderContexts = (sql: string, offsets: readonly number[]): Context[] | 'unsure' => {
  const wanted = new Set(offsets);
  const found = new Map<number, Context>();
  let i = 0;
  while (i < sql.length) {
    if (sql[i] === '$' && wanted.has(i)) {
      found.set(i, 'code');
      i++;
      continue;
    }
    const end = quotedSpan(sql, i) ?? lineCommentSpan(sql, i) ?? blockCommentSpan(sql, i) ?? (sql[i] === '$' ? dollarQuoteSpan(sql, i) : undefined);
    if (end === 'unsure') return 'unsure';
    if (end === undefined) {
      i++;
      continue;
    }
    for (const o of wanted) if (o >= i && o < end) found.set(o, 'quoted');
    i = end;
  }
  const contexts = offsets.map((o) => found.get(o));
  return contexts.some((x) => x === undefined) ? 'unsure' : (contexts as Context[]);
};
