/**
 * A number written in YAML whose value a double (or a bigint) would not keep as written: a decimal such as
 * `12345678901234567890.0123456789`, or an integer with a form of its own (`0101`, `+5`, `0x1F`). Expected
 * values compare by this source text as an exact decimal; text columns compare with the text itself.
 */
export class YamlNumber {
  /** The scalar exactly as written. */
  readonly text: string;
  /** Survives a structured clone (worker threads, the validation cache), which drops the class: see revive. */
  readonly yamlNumber = true;

  constructor(text: string) {
    this.text = text;
  }

  /** The value as decimal text: hexadecimal and octal integers converted, everything else as written. */
  decimalText(): string {
    const radix = /^([+-]?)0([xo])([0-9a-f]+)$/i.exec(this.text);
    if (!radix) return this.text.replace(/^\+/, '');
    const value = BigInt(`0${radix[2]!.toLowerCase()}${radix[3]}`);
    return `${radix[1] === '-' ? '-' : ''}${value}`;
  }

  /** In `${var}` substitution and messages the number reads as written. */
  toString(): string {
    return this.text;
  }

  /** In JSON (a map or list sent as a json parameter) the number keeps every digit. */
  toJSON(): unknown {
    const text = this.decimalText();
    const raw = (JSON as unknown as { rawJSON?: (s: string) => unknown }).rawJSON;
    return raw && /^-?(0|[1-9]\d*)(\.\d+)?(e[+-]?\d+)?$/i.test(text) ? raw(text) : Number(text);
  }
}

const isClonedNumber = (value: object): value is { text: string; yamlNumber: true } =>
  (value as { yamlNumber?: unknown }).yamlNumber === true && typeof (value as { text?: unknown }).text === 'string' && !(value instanceof YamlNumber);

/**
 * A structured clone (postMessage from a validation worker, v8.deserialize) keeps a YamlNumber's fields but
 * not its class: this puts the class back everywhere in `value`, in place, and returns it.
 */
export const reviveYamlNumbers = <T>(value: T): T => {
  const visit = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (isClonedNumber(node)) return new YamlNumber(node.text);
    if (node instanceof RegExp || node instanceof Date) return node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = visit(node[i]);
      return node;
    }
    if (node instanceof Map) {
      for (const [k, v] of node) node.set(k, visit(v));
      return node;
    }
    for (const key of Object.keys(node)) (node as Record<string, unknown>)[key] = visit((node as Record<string, unknown>)[key]);
    return node;
  };
  return visit(value) as T;
};

/** Whether `value` holds a YamlNumber anywhere (class or cloned form): only then need a clone be revived. */
export const hasYamlNumbers = (value: unknown): boolean => {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof YamlNumber || isClonedNumber(value)) return true;
  if (value instanceof RegExp || value instanceof Date) return false;
  if (Array.isArray(value)) return value.some(hasYamlNumbers);
  if (value instanceof Map) return [...value.values()].some(hasYamlNumbers);
  return Object.values(value).some(hasYamlNumbers);
};
