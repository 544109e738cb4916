/**
 * The names PostgreSQL gives constraints written without one (ChooseConstraintName / makeObjectName in its
 * source): `<table>_pkey`, `<table>_<columns>_key`, `<table>_<columns>_fkey`, `<table>_<column>_check` (a
 * check naming exactly one column) or `<table>_check`. A name that collided with an existing one would have
 * got a number appended; such a mutant then fails to apply and is reported so, never scored.
 */

const MAX_IDENTIFIER = 63;

/** name1_name2_label, the longer of name1/name2 shortened until it fits in an identifier. */
export const objectName = (name1: string, name2: string | undefined, label: string): string => {
  let a = name1;
  let b = name2 ?? '';
  const overhead = label.length + 1 + (name2 === undefined ? 0 : 1);
  while (Buffer.byteLength(a) + Buffer.byteLength(b) + overhead > MAX_IDENTIFIER) {
    if (a.length >= b.length) a = a.slice(0, -1);
    else b = b.slice(0, -1);
  }
  return name2 === undefined ? `${a}_${label}` : `${a}_${b}_${label}`;
};

export type ConstraintShape = {
  readonly contype: string;
  readonly conname?: string;
  readonly keys?: readonly string[];
  /** Distinct columns a check expression names. */
  readonly checkColumns?: readonly string[];
};

const LABEL: Readonly<Record<string, string>> = { CONSTR_PRIMARY: 'pkey', CONSTR_UNIQUE: 'key', CONSTR_FOREIGN: 'fkey', CONSTR_CHECK: 'check' };

export const constraintName = (table: string, shape: ConstraintShape): string => {
  if (shape.conname) return shape.conname;
  const label = LABEL[shape.contype] ?? 'con';
  if (shape.contype === 'CONSTR_PRIMARY') return objectName(table, undefined, label);
  const columns = shape.contype === 'CONSTR_CHECK' ? shape.checkColumns : shape.keys;
  if (!columns || columns.length === 0 || (shape.contype === 'CONSTR_CHECK' && columns.length !== 1)) return objectName(table, undefined, label);
  return objectName(table, columns.join('_'), label);
};
