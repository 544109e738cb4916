/**
 * JSON read without loss, for json and jsonb cells and for expected JSON: numbers stay exact decimals (no
 * double rounds 9223372036854775808 or 1e100), objects keep every key in written order, duplicates
 * included. `json` compares as written (order and duplicate keys count, as the type stores the text);
 * `jsonb` by value (key order does not count; PostgreSQL keeps the last of duplicate keys).
 */
import type { YamlValue } from '../spec/types.ts';
import { YamlNumber } from '../spec/yaml-number.ts';
import { decimalKey, decimalOf, parseDecimal } from './pg-decimal.ts';

export type JsonNode =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  /** `key` is the canonical decimal (1.0 and 1 agree), `text` the number as written. */
  | { readonly kind: 'number'; readonly key: string; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"((?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*)"/y;
const SPACE = /[ \t\n\r]*/y;

/** A cursor over JSON text; each method reads one thing at `pos`, or gives undefined when the text is not JSON there. */
class JsonReader {
  pos = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  skip(): void {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.text);
    this.pos = SPACE.lastIndex;
  }

  string(): string | undefined {
    STRING.lastIndex = this.pos;
    const m = STRING.exec(this.text);
    if (!m) return undefined;
    this.pos = STRING.lastIndex;
    return JSON.parse(m[0]) as string;
  }

  /** `{`, the entries, `}`: `pos` is on the `{`. */
  object(depth: number): JsonNode | undefined {
    this.pos++;
    const entries: [string, JsonNode][] = [];
    this.skip();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.skip();
      const key = this.string();
      this.skip();
      if (key === undefined || this.text[this.pos++] !== ':') return undefined;
      const item = this.value(depth + 1);
      if (!item) return undefined;
      entries.push([key, item]);
      this.skip();
      const next = this.text[this.pos++];
      if (next === '}') return { kind: 'object', entries };
      if (next !== ',') return undefined;
    }
  }

  /** `[`, the items, `]`: `pos` is on the `[`. */
  array(depth: number): JsonNode | undefined {
    this.pos++;
    const items: JsonNode[] = [];
    this.skip();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      const item = this.value(depth + 1);
      if (!item) return undefined;
      items.push(item);
      this.skip();
      const next = this.text[this.pos++];
      if (next === ']') return { kind: 'array', items };
      if (next !== ',') return undefined;
    }
  }

  /** A string, a literal (null, true, false) or a number. */
  scalar(): JsonNode | undefined {
    if (this.text[this.pos] === '"') {
      const s = this.string();
      return s === undefined ? undefined : { kind: 'string', value: s };
    }
    for (const [word, node] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return node;
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return undefined;
    this.pos = NUMBER.lastIndex;
    return { kind: 'number', key: decimalKey(parseDecimal(m[0])!), text: m[0] };
  }

  value(depth: number): JsonNode | undefined {
    if (depth > 10_000) return undefined;
    this.skip();
    const c = this.text[this.pos];
    return c === '{' ? this.object(depth) : c === '[' ? this.array(depth) : this.scalar();
  }
}

/** JSON text -> tree; undefined when it is not JSON. Iterative depth is bounded by the text, not the stack. */
export const parseJson = (text: string): JsonNode | undefined => {
  const reader = new JsonReader(text);
  const root = reader.value(0);
  reader.skip();
  return root && reader.pos === text.length ? root : undefined;
};

const LITERALS: readonly (readonly [string, JsonNode])[] = [
  ['null', { kind: 'null' }],
  ['true', { kind: 'bool', value: true }],
  ['false', { kind: 'bool', value: false }],
];

/** An expected value written in YAML as JSON: maps are objects, lists arrays, YAML numbers exact. */
export const jsonOfYaml = (value: YamlValue): JsonNode | undefined => {
  if (value === null) return { kind: 'null' };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'string') return { kind: 'string', value };
  if (value instanceof YamlNumber || typeof value === 'number' || typeof value === 'bigint') {
    const d = value instanceof YamlNumber ? parseDecimal(value.decimalText()) : decimalOf(value);
    return d && d.kind === 'finite' ? { kind: 'number', key: decimalKey(d), text: String(value) } : undefined;
  }
  if (Array.isArray(value)) {
    const items = value.map(jsonOfYaml);
    return items.every((i) => i !== undefined) ? { kind: 'array', items: items as JsonNode[] } : undefined;
  }
  const entries = Object.entries(value).map(([k, v]) => [k, jsonOfYaml(v)] as const);
  return entries.every(([, v]) => v !== undefined) ? { kind: 'object', entries: entries as [string, JsonNode][] } : undefined;
};

/**
 * How objects compare: `ordered` as written (json's text), `sorted` in any key order but with every
 * duplicate key counted (json against a YAML map), `jsonb` as jsonb stores them (the last of duplicate keys).
 */
export type JsonKeyMode = 'ordered' | 'sorted' | 'jsonb';

const byKey = ([a]: readonly [string, JsonNode], [b]: readonly [string, JsonNode]): number => (a < b ? -1 : a > b ? 1 : 0);

/** Canonical text of a JSON tree: equal values (under `mode`), and only they, have equal keys. */
export const jsonKey = (node: JsonNode, mode: JsonKeyMode | boolean): string => {
  const how: JsonKeyMode = mode === true ? 'ordered' : mode === false ? 'jsonb' : mode;
  switch (node.kind) {
    case 'null':
      return 'null';
    case 'bool':
      return String(node.value);
    case 'number':
      return `#${node.key}`;
    case 'string':
      return JSON.stringify(node.value);
    case 'array':
      return `[${node.items.map((i) => jsonKey(i, how)).join(',')}]`;
    case 'object': {
      const entries = how === 'ordered' ? node.entries : how === 'sorted' ? [...node.entries].sort(byKey) : [...new Map(node.entries)].sort(byKey);
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonKey(v, how)}`).join(',')}}`;
    }
  }
};

/** The key of a json/jsonb cell's text; the text itself (marked) when it does not parse. */
export const jsonTextKey = (text: string, ordered: boolean): string => {
  const node = parseJson(text);
  return node ? jsonKey(node, ordered) : `text:${text}`;
};
