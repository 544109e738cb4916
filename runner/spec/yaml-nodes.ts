/**
 * Reading a parsed YAML document with positions: a node's location, a map's value by key, a node by JSON path,
 * a scalar's text as SqlText, and the plain JavaScript value of a node (for the schema check).
 */
import { isMap, isPair, isScalar, isSeq, Scalar } from 'yaml';
import type { LineCounter, Node as YamlNode, Pair } from 'yaml';
import type { SourceLocation } from '../diagnostics.ts';
import { keyText, locationAt } from './load.ts';
import type { SqlText, YamlValue } from './types.ts';
import { YamlNumber } from './yaml-number.ts';

export type Source = {
  readonly file: string;
  readonly text: string;
  readonly lineCounter: LineCounter;
  /** Set for a fixture file: where it was included from, carried by every location in it. */
  readonly via?: SourceLocation;
};

export const locOf = (src: Source, node: unknown, fallback?: SourceLocation): SourceLocation => {
  const range = (node as YamlNode | undefined)?.range;
  const via = src.via ? { via: src.via } : {};
  if (!range) return fallback ?? { file: src.file, line: 1, column: 1, ...via };
  return { ...locationAt(src.file, src.lineCounter, range[0], range[1]), ...via };
};

export const pairsOf = (node: unknown): Pair[] => (isMap(node) ? node.items.filter(isPair) : []);

export const pairOf = (node: unknown, key: string): Pair | undefined => pairsOf(node).find((p) => keyText(p.key) === key);

export const valueOf = (node: unknown, key: string): unknown => pairOf(node, key)?.value ?? undefined;

export const has = (node: unknown, key: string): boolean => pairOf(node, key) !== undefined;

export const stringOf = (node: unknown): string | undefined => (isScalar(node) && typeof node.value === 'string' ? node.value : undefined);

export const boolOf = (node: unknown): boolean | undefined => (isScalar(node) && typeof node.value === 'boolean' ? node.value : undefined);

export const intOf = (node: unknown): number | undefined => {
  if (!isScalar(node)) return undefined;
  if (typeof node.value === 'bigint') return Number(node.value);
  return typeof node.value === 'number' && Number.isInteger(node.value) ? node.value : undefined;
};

export const numberOf = (node: unknown): number | undefined => {
  if (!isScalar(node)) return undefined;
  if (typeof node.value === 'bigint') return Number(node.value);
  return typeof node.value === 'number' ? node.value : undefined;
};

export const itemsOf = (node: unknown): unknown[] => (isSeq(node) ? node.items : []);

/** The node at a JSON-pointer-like path; `key: true` returns the key node of the last segment instead. */
export const nodeAtPath = (root: unknown, segments: readonly string[], key = false): unknown => {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (isMap(node)) {
      const pair = pairOf(node, seg);
      if (!pair) return node;
      if (key && i === segments.length - 1) return pair.key;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) return node;
      node = item;
    } else return node;
  }
  return node;
};

/**
 * A YAML number as written, when neither a double nor a bigint keeps it so: a finite decimal (1.10,
 * 12345678901234567.00), or an integer written as more than its digits (0101, +5, 0x1F).
 */
const exactNumber = (node: Scalar): YamlNumber | undefined => {
  const source = typeof node.source === 'string' ? node.source.trim() : undefined;
  if (source === undefined || node.type !== Scalar.PLAIN) return undefined;
  // Finite as written, even where a double overflows (a 1,000-digit numeric): only .inf and .nan are not.
  if (typeof node.value === 'number' && !/^[-+]?\.(inf|nan)$/i.test(source)) return new YamlNumber(source);
  if (typeof node.value === 'bigint' && source !== String(node.value)) return new YamlNumber(source);
  return undefined;
};

/** The number a matcher argument or setting was written as: its source text when it is a YAML number. */
export const numberTextOf = (node: unknown): string | undefined => {
  if (!isScalar(node)) return undefined;
  if (typeof node.value === 'bigint') return String(node.value);
  if (typeof node.value !== 'number') return undefined;
  return exactNumber(node)?.decimalText() ?? String(node.value);
};

/** A YAML node as a plain value: integers stay bigint, keys are written text (`null: x` has key "null"). */
export const plainValue = (node: unknown): YamlValue => {
  if (isScalar(node)) {
    const v = node.value;
    const exact = exactNumber(node);
    if (exact) return exact;
    if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
    return String(v);
  }
  if (isSeq(node)) return node.items.map(plainValue);
  if (isMap(node)) {
    const out: { [k: string]: YamlValue } = {};
    for (const pair of pairsOf(node)) {
      const k = keyText(pair.key);
      // defineProperty, so that a key named __proto__ is data and not the object's prototype.
      if (k !== undefined) Object.defineProperty(out, k, { value: plainValue(pair.value), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return null;
};

/** As plainValue, with bigints as numbers: JSON Schema only knows numbers. */
export const schemaValue = (node: unknown): unknown => {
  if (isScalar(node)) return typeof node.value === 'bigint' ? Number(node.value) : node.value instanceof Date ? String(node.value) : node.value;
  if (isSeq(node)) return node.items.map(schemaValue);
  if (isMap(node)) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const pair of pairsOf(node)) {
      const k = keyText(pair.key);
      if (k !== undefined) out[k] = schemaValue(pair.value);
    }
    return out;
  }
  return null;
};

/**
 * A SQL scalar with the file location of each of its lines: block scalars are indented, so offsets inside the
 * text map to the file line by line. Lines that cannot be found verbatim (folded or escaped text) fall back to
 * the first non-blank character of the next source line.
 */
export const sqlTextOf = (src: Source, node: unknown): SqlText | undefined => {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const text = node.value;
  const [start, end] = node.range;
  const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  const at = (offset: number): SourceLocation => ({ ...locationAt(src.file, src.lineCounter, offset), ...(src.via ? { via: src.via } : {}) });
  const lineStarts: SourceLocation[] = [];
  let cursor = block ? src.text.indexOf('\n', start) + 1 : quoted ? start + 1 : start;
  text.split('\n').forEach((line, i) => {
    if (i > 0 || block) {
      if (i > 0) {
        const nl = src.text.indexOf('\n', cursor);
        cursor = nl === -1 || nl >= end ? cursor : nl + 1;
      }
    }
    const found = line === '' ? -1 : src.text.indexOf(line, cursor);
    if (found !== -1 && found < end) {
      lineStarts.push(at(found));
      cursor = found + line.length;
    } else {
      let p = cursor;
      while (p < end && (src.text[p] === ' ' || src.text[p] === '\t')) p++;
      lineStarts.push(at(p));
    }
  });
  return { text, loc: at(start), lineStarts };
};
