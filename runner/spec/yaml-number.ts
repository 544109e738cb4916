/**
 * A number written in YAML whose value a double (or a bigint) would not keep as written: a decimal such as
 * `12345678901234567890.0123456789`, or an integer with a form of its own (`0101`, `+5`, `0x1F`). Expected
 * values compare by this source text as an exact decimal; text columns compare with the text itself.
 */
export class YamlNumber {
  /** The scalar exactly as written. */
  readonly text: string;

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
