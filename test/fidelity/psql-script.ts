/**
 * A pg_regress script (src/test/regress/sql/*.sql) as psql runs it: statements ended by semicolons outside
 * quotes, comments and parentheses, psql meta-commands (\set, \pset, \gset...) apart, and psql variables
 * (:name, :'name') substituted. Regression scripts hold deliberate syntax errors, so this cannot be
 * libpg-query's split; it is a test tool reading PostgreSQL's own files, never a spec.
 */

export type ScriptItem = { readonly kind: 'sql'; readonly text: string; readonly line: number } | { readonly kind: 'meta'; readonly text: string };

/** Ends of a quoted region starting at `i` ('...', E'...', "...", $tag$...$tag$, comments); -1 when none starts there. */
const skipQuoted = (s: string, i: number): number => {
  const c = s[i]!;
  if (c === '-' && s[i + 1] === '-') {
    const nl = s.indexOf('\n', i);
    return nl === -1 ? s.length : nl;
  }
  if (c === '/' && s[i + 1] === '*') {
    let depth = 1;
    let j = i + 2;
    while (j < s.length && depth > 0) {
      const pair = s.slice(j, j + 2);
      if (pair === '/*' || pair === '*/') {
        depth += pair === '/*' ? 1 : -1;
        j += 2;
      } else j++;
    }
    return j;
  }
  if (c === "'" || c === '"') {
    const escapes = c === "'" && /[eE]/.test(s[i - 1] ?? '') && !/\w/.test(s[i - 2] ?? '');
    let j = i + 1;
    while (j < s.length) {
      if (escapes && s[j] === '\\') j += 2;
      else if (s[j] === c && s[j + 1] === c) j += 2;
      else if (s[j] === c) return j + 1;
      else j++;
    }
    return j;
  }
  if (c === '$') {
    const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(s.slice(i, i + 64));
    if (!tag || /\w/.test(s[i - 1] ?? '')) return -1;
    const end = s.indexOf(tag[0], i + tag[0].length);
    return end === -1 ? s.length : end + tag[0].length;
  }
  return -1;
};

const lineAt = (s: string, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset; i++) if (s.charCodeAt(i) === 10) line++;
  return line;
};

export const splitScript = (text: string): ScriptItem[] => {
  const items: ScriptItem[] = [];
  let start = 0;
  let parens = 0;
  const flush = (end: number): void => {
    // Leading comments are the script's commentary, not part of the statement.
    const raw = text.slice(start, end);
    const lead = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(raw)![0].length;
    const body = raw.slice(lead).trim();
    if (body !== '') items.push({ kind: 'sql', text: body, line: lineAt(text, start + lead) });
  };
  for (let i = 0; i < text.length; ) {
    const quoted = skipQuoted(text, i);
    if (quoted > i) {
      i = quoted;
      continue;
    }
    const c = text[i]!;
    if (c === '(') parens++;
    else if (c === ')') parens = Math.max(0, parens - 1);
    else if (c === ';' && parens === 0) {
      flush(i);
      start = i + 1;
    } else if (c === '\\') {
      // A meta-command runs to the end of the line; \g and friends also end the statement before them.
      const nl = text.indexOf('\n', i);
      const end = nl === -1 ? text.length : nl;
      const meta = text.slice(i, end).trim();
      if (/^\\g/.test(meta)) {
        // \gset, \gexec, \gx: the statement's output goes elsewhere; it is no query of ours.
        items.push({ kind: 'meta', text: `${meta} ${text.slice(start, i).trim()}` });
      } else {
        flush(i);
        items.push({ kind: 'meta', text: meta });
      }
      start = end;
      i = end;
      continue;
    }
    i++;
  }
  flush(text.length);
  return items;
};

/** psql's \set and \getenv, enough for test_setup.sql: `\set filename :abs_srcdir '/data/onek.data'`. */
export const applyMeta = (meta: string, vars: Map<string, string>, env: Readonly<Record<string, string>>): void => {
  const getenv = /^\\getenv\s+(\w+)\s+(\w+)/.exec(meta);
  if (getenv) {
    const value = env[getenv[2]!];
    if (value !== undefined) vars.set(getenv[1]!, value);
    return;
  }
  const set = /^\\set\s+(\w+)\s*(.*)$/.exec(meta);
  if (!set) return;
  const parts = set[2]!.match(/:'?\w+'?|'[^']*'|\S+/g) ?? [];
  vars.set(set[1]!, parts.map((p) => (p.startsWith(':') ? (vars.get(p.replace(/[:']/g, '')) ?? '') : p.replace(/^'|'$/g, ''))).join(''));
};

/** :'name' -> a quoted literal, :name -> the value; unknown names stay (psql leaves them too). */
export const substitute = (sql: string, vars: ReadonlyMap<string, string>): string =>
  sql.replace(/(?<![:\w]):('?)([A-Za-z_]\w*)\1(?!:)/g, (whole, quote: string, name: string) => {
    const value = vars.get(name);
    if (value === undefined) return whole;
    return quote ? `'${value.replaceAll("'", "''")}'` : value;
  });

/** Whether any psql variable reference remains (the statement cannot run as plain SQL). */
export const hasPsqlVariable = (sql: string): boolean => /(?<![:\w]):'?[A-Za-z_]\w*'?(?!:)/.test(sql.replace(/'(?:[^']|'')*'|"[^"]*"/g, ''));
