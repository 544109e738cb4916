/**
 * A foreign key's `on delete` changed: cascade becomes no action, anything else becomes cascade.
 *
 * Applied by rewriting the clause in the migration text, not by dropping and re-adding the key afterwards:
 * a re-added key gets new internal triggers, and PostgreSQL fires a table's triggers in name order, which
 * for these is creation order, so the changed key would cascade after every other key of the table instead
 * of where it was: not exactly the schema the changed migration gives.
 */
import { splice, type Token } from './migration-tree.ts';
import type { Mutant } from './mutant.ts';
import type { RangeVar } from './names.ts';
import { mutantAt, rewrite, type StatementContext } from './statement-context.ts';

const ACTION_WORDS: Readonly<Record<string, string>> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/** Index just past a referential action starting at i (cascade, restrict, no action, set null [(cols)], ...). */
const pastAction = (tokens: readonly Token[], i: number): number => {
  const word = tokens[i]?.text.toLowerCase();
  if (word === 'no') return i + 2;
  if (word !== 'set') return i + 1;
  return tokens[i + 2]?.text === '(' ? pastParens(tokens, i + 2) : i + 2;
};

/** Index just past the parenthesised group opening at i. */
const pastParens = (tokens: readonly Token[], i: number): number => {
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    if (tokens[j]!.text === '(') depth++;
    else if (tokens[j]!.text === ')' && --depth === 0) return j + 1;
  }
  return tokens.length;
};

/** Byte range of the existing `on delete ...` clause, or an empty range where one may be inserted. */
export const onDeleteRange = (tokens: readonly Token[], pktableOffset: number): { start: number; end: number; present: boolean } => {
  let i = tokens.findIndex((t) => t.start >= pktableOffset) + 1;
  while (tokens[i]?.text === '.') i += 2;
  if (tokens[i]?.text === '(') i = pastParens(tokens, i);
  if (tokens[i]?.text.toLowerCase() === 'match') i += 2;
  // key_match comes before key_actions in PostgreSQL's grammar: a new clause goes right here.
  const insertAt = tokens[i - 1]!.end;
  while (tokens[i]?.text.toLowerCase() === 'on') {
    const which = tokens[i + 1]?.text.toLowerCase();
    const end = pastAction(tokens, i + 2);
    if (which === 'delete') return { start: tokens[i]!.start, end: tokens[end - 1]!.end, present: true };
    i = end;
  }
  return { start: insertAt, end: insertAt, present: false };
};

export type ForeignKey = {
  readonly name: string;
  readonly tables: readonly string[];
  readonly pktable: RangeVar;
  readonly action?: string;
  readonly offset?: number;
};

export const changeOnDelete = (ctx: StatementContext, fk: ForeignKey): Mutant | undefined => {
  if (fk.pktable.location === undefined) return undefined;
  const tokens = ctx.migration.tokens.filter((t) => !t.comment);
  const range = onDeleteRange(tokens, fk.pktable.location);
  const from = ACTION_WORDS[fk.action ?? 'a'] ?? 'no action';
  const to = from === 'cascade' ? 'no action' : 'cascade';
  const text = splice(ctx.migration, range.start, range.end, `${range.present ? '' : ' '}on delete ${to}`);
  return mutantAt(ctx, {
    kind: 'change-on-delete',
    object: fk.name,
    tables: fk.tables,
    offset: fk.offset,
    description: `changes \`${fk.name}\` from on delete ${from} to on delete ${to}`,
    change: rewrite(ctx, text),
  });
};
