/**
 * Splitting SQL text into statements with PostgreSQL's own parser (libpg-query), never a regex: semicolons
 * inside strings, dollar-quoted function bodies and comments are the parser's business. Shared by spec
 * validation and migrations; knows nothing of either.
 */
import { loadModule, parseSync } from 'libpg-query';

let loaded: Promise<void> | undefined;

/** The parser is WebAssembly and loads once per process (~tens of ms); call before any other function here. */
export const ensureParser = (): Promise<void> => (loaded ??= loadModule());

export type Statement = {
  /** The statement's text without the separating semicolon, trimmed. */
  readonly text: string;
  /** Character offset of `text` in the input. */
  readonly offset: number;
  /** The statement's parse tree, as libpg-query gives it (`{ SelectStmt: ... }`). */
  readonly tree: unknown;
};

export type SplitResult =
  | { readonly ok: true; readonly statements: readonly Statement[] }
  /** `offset` is the character offset of the error in the input (0 when PostgreSQL gives none). */
  | { readonly ok: false; readonly message: string; readonly offset: number };

/** libpg-query reports byte offsets into the UTF-8 text; JavaScript strings index UTF-16 code units. */
const charOffset = (bytes: Buffer, byteOffset: number): number => bytes.subarray(0, byteOffset).toString('utf8').length;

export const splitStatements = (sql: string): SplitResult => {
  let parsed;
  try {
    parsed = parseSync(sql);
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const bytes = Buffer.from(sql, 'utf8');
    const offset = details?.cursorPosition !== undefined ? charOffset(bytes, Math.min(details.cursorPosition, bytes.length)) : 0;
    return { ok: false, message: (error as Error).message, offset };
  }
  const bytes = Buffer.from(sql, 'utf8');
  const statements: Statement[] = [];
  for (const raw of parsed.stmts ?? []) {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len === undefined || raw.stmt_len === null || raw.stmt_len === 0 ? bytes.length : start + raw.stmt_len;
    const piece = bytes.subarray(start, end).toString('utf8');
    const lead = piece.length - piece.trimStart().length;
    const text = piece.trim();
    if (text !== '') statements.push({ text, offset: charOffset(bytes, start) + lead, tree: raw.stmt });
  }
  return { ok: true, statements };
};
