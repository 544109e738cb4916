/**
 * The `upgrade` and `schema` step kinds, YAML -> model. Only what the author wrote is kept: an absent key
 * is not checked.
 */
import { isMap, isSeq } from 'yaml';
import { keyText } from './load.ts';
import type { BuildHelpers } from './build-interleave.ts';
import type { ColumnExpect, ForeignKeyExpect, IndexExpect, Named, PolicyExpect, SchemaStep, TableExpect, UpgradeStep } from './types.ts';
import { boolOf, has, itemsOf, locOf, pairsOf, stringOf, valueOf } from './yaml-nodes.ts';

export const upgradeStep = (h: BuildHelpers, node: unknown): UpgradeStep | undefined => {
  const body = valueOf(node, 'upgrade');
  const db = h.dbAt(body);
  if (db === undefined) return undefined;
  const to = stringOf(valueOf(body, 'to'));
  const applied = valueOf(valueOf(node, 'expect'), 'applied');
  return {
    ...h.base(node),
    kind: 'upgrade',
    db,
    ...(to !== undefined ? { to } : {}),
    ...(isSeq(applied) ? { expectApplied: itemsOf(applied).flatMap((n) => stringOf(n) ?? []) } : {}),
  };
};

const strings = (node: unknown): string[] => itemsOf(node).flatMap((n) => stringOf(n) ?? []);

const named = (h: BuildHelpers, node: unknown): Named[] =>
  itemsOf(node).flatMap((n) => (stringOf(n) !== undefined ? [{ name: stringOf(n)!, loc: locOf(h.src, n) }] : []));

const columns = (h: BuildHelpers, node: unknown): ColumnExpect[] =>
  pairsOf(node).flatMap((pair) => {
    const name = keyText(pair.key);
    if (name === undefined) return [];
    const loc = locOf(h.src, pair.key);
    const type = stringOf(pair.value) ?? stringOf(valueOf(pair.value, 'type'));
    const nullable = boolOf(valueOf(pair.value, 'nullable'));
    return [{ name, loc, ...(type !== undefined ? { type } : {}), ...(nullable !== undefined ? { nullable } : {}) }];
  });

const foreignKeys = (h: BuildHelpers, node: unknown): ForeignKeyExpect[] =>
  itemsOf(node).flatMap((fk) => {
    const references = stringOf(valueOf(fk, 'references'));
    if (references === undefined) return [];
    const onDelete = stringOf(valueOf(fk, 'on_delete'));
    return [{ columns: strings(valueOf(fk, 'columns')), references, ...(onDelete !== undefined ? { onDelete } : {}), loc: locOf(h.src, fk) }];
  });

const indexes = (h: BuildHelpers, node: unknown): IndexExpect[] =>
  pairsOf(node).flatMap((pair) => {
    const name = keyText(pair.key);
    if (name === undefined) return [];
    const value = pair.value;
    const cols = isSeq(value) ? strings(value) : isMap(value) && has(value, 'columns') ? strings(valueOf(value, 'columns')) : undefined;
    const unique = boolOf(valueOf(value, 'unique'));
    return [{ name, loc: locOf(h.src, pair.key), ...(cols ? { columns: cols } : {}), ...(unique !== undefined ? { unique } : {}) }];
  });

const policies = (h: BuildHelpers, node: unknown): PolicyExpect[] =>
  pairsOf(node).flatMap((pair) => {
    const name = keyText(pair.key);
    const command = stringOf(pair.value);
    return name === undefined ? [] : [{ name, loc: locOf(h.src, pair.key), ...(command !== undefined ? { command } : {}) }];
  });

const table = (h: BuildHelpers, key: unknown, node: unknown): TableExpect | undefined => {
  const name = keyText(key);
  if (name === undefined) return undefined;
  const at = (k: string) => valueOf(node, k);
  const rls = at('row_level_security');
  const pk = at('primary_key');
  return {
    name,
    loc: locOf(h.src, key),
    exactColumns: boolOf(at('exact')) ?? false,
    ...(has(node, 'columns') ? { columns: columns(h, at('columns')) } : {}),
    ...(isSeq(pk) ? { primaryKey: { columns: strings(pk), loc: locOf(h.src, pk) } } : {}),
    ...(has(node, 'unique') ? { unique: itemsOf(at('unique')).map((u) => ({ columns: strings(u), loc: locOf(h.src, u) })) } : {}),
    ...(has(node, 'checks') ? { checks: named(h, at('checks')) } : {}),
    ...(has(node, 'foreign_keys') ? { foreignKeys: foreignKeys(h, at('foreign_keys')) } : {}),
    ...(has(node, 'indexes') ? { indexes: indexes(h, at('indexes')) } : {}),
    ...(isMap(rls)
      ? {
          rowSecurity: {
            ...(boolOf(valueOf(rls, 'enabled')) !== undefined ? { enabled: boolOf(valueOf(rls, 'enabled')) } : {}),
            ...(boolOf(valueOf(rls, 'forced')) !== undefined ? { forced: boolOf(valueOf(rls, 'forced')) } : {}),
            loc: locOf(h.src, rls),
          },
        }
      : {}),
    ...(has(node, 'policies') ? { policies: policies(h, at('policies')) } : {}),
    ...(has(node, 'triggers') ? { triggers: named(h, at('triggers')) } : {}),
  };
};

export const schemaStep = (h: BuildHelpers, node: unknown, _path: string): SchemaStep | undefined => {
  const body = valueOf(node, 'schema');
  const db = h.dbAt(body);
  if (db === undefined) return undefined;
  const schema = stringOf(valueOf(body, 'schema'));
  return {
    ...h.base(node),
    kind: 'schema',
    db,
    ...(schema !== undefined ? { schema } : {}),
    tables: pairsOf(valueOf(body, 'tables')).flatMap((pair) => table(h, pair.key, pair.value) ?? []),
    functions: named(h, valueOf(body, 'functions')),
    bodyLoc: locOf(h.src, body),
  };
};
