/**
 * Names and strings spliced into SQL text that dbspec writes itself (DDL, catalog reads, compensating
 * statements, proposed cleanup), quoted by PostgreSQL's rules. A spec's values never come here: they
 * travel as parameters.
 */

/** `"name"`, doubling any `"` inside: the name exactly as written, case and all. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const SIMPLE = /^[a-z_][a-z0-9_]*$/;

/** Quoted only when PostgreSQL would read it otherwise, for SQL a person reads and pastes. */
export const readableIdent = (name: string): string => (SIMPLE.test(name) ? name : quoteIdent(name));

/** `'text'`, doubling any `'` inside (standard_conforming_strings, on since PostgreSQL 9.1). */
export const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;
