/**
 * Variables during one spec run: built-ins, the spec's `vars`, and values captured by earlier steps.
 * Values reach SQL only as bind parameters (see paramsFor); in expected values a string that is exactly
 * `${x}` takes x's value with its type, and a string with references inside is text interpolation.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { BoundStatement } from '../spec/bind.ts';
import { VAR_PATTERN } from '../spec/vars.ts';
import type { Spec, YamlValue } from '../spec/types.ts';
import { YamlNumber } from '../spec/yaml-number.ts';
import type { ParamValue } from '../db/query-result.ts';

/** Built-ins that are fresh at every reference; every other name has one value per spec run. */
const FRESH: Readonly<Record<string, () => YamlValue>> = {
  uuid: () => randomUUID(),
  random_int: () => BigInt(randomInt(1, 2_000_000_001)),
};

const shortId = (): string => randomUUID().replace(/-/g, '').slice(0, 8);

export type ScopeContext = {
  readonly runId: string;
  /** In concurrent steps: the session number; in benchmarks: the iteration number. */
  readonly session?: number;
  readonly iteration?: number;
};

/** A captured variable whose capturing step failed or never ran: the steps that need it cannot run. */
export class MissingValueError extends Error {
  readonly variable: string;
  constructor(variable: string) {
    super(`\${${variable}} has no value: the step that captures it failed or did not run`);
    this.name = 'MissingValueError';
    this.variable = variable;
  }
}

type SharedState = {
  readonly declared: Map<string, YamlValue>;
  readonly values: Map<string, YamlValue>;
  readonly resolving: Set<string>;
  /** How many values steps have captured so far: what a cached binding of the scope is as old as. */
  captures: number;
};

export class VarScope {
  readonly #state: SharedState;
  /** The loop counter of a concurrent session or benchmark iteration, visible only through this scope. */
  readonly #local?: { readonly name: string; readonly value: number };

  private constructor(state: SharedState, local?: { name: string; value: number }) {
    this.#state = state;
    this.#local = local;
  }

  static forSpec(spec: Spec, context: ScopeContext): VarScope {
    const startedAt = new Date();
    const values = new Map<string, YamlValue>([
      ['run_id', context.runId],
      ['spec_id', shortId()],
      ['now', startedAt.toISOString()],
      ['today', startedAt.toISOString().slice(0, 10)],
    ]);
    const declared = new Map(spec.vars.map((v) => [v.name, v.value] as const));
    return new VarScope({ declared, values, resolving: new Set(), captures: 0 });
  }

  /** The same variables plus `${session}` or `${iteration}`. */
  with(name: 'session' | 'iteration', value: number): VarScope {
    return new VarScope(this.#state, { name, value });
  }

  capture(name: string, value: YamlValue): void {
    this.#state.values.set(name, value);
    this.#state.captures += 1;
  }

  /** Changes whenever a step captures a value (see owed-cleanup.ts, which rebinds only then). */
  get captures(): number {
    return this.#state.captures;
  }

  /** The value of a variable; declared ones are evaluated on first use, fresh built-ins every time. */
  valueOf(name: string): YamlValue {
    if (this.#local?.name === name) return this.#local.value;
    const fresh = FRESH[name];
    if (fresh) return fresh();
    const { declared, values, resolving } = this.#state;
    if (values.has(name)) return values.get(name)!;
    if (!declared.has(name)) throw new MissingValueError(name);
    if (resolving.has(name)) throw new Error(`variable \${${name}} refers to itself`);
    resolving.add(name);
    try {
      const value = this.resolve(declared.get(name)!);
      values.set(name, value);
      return value;
    } finally {
      resolving.delete(name);
    }
  }

  /** Resolves `${...}` references inside a YAML value (recursively through lists and maps). */
  resolve(value: YamlValue): YamlValue {
    if (typeof value === 'string') return resolveString(value, (n) => this.valueOf(n));
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value instanceof YamlNumber) return value;
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
    return value;
  }

  paramsFor(statement: BoundStatement): ParamValue[] {
    return statement.params.map((name) => toParam(this.valueOf(name)));
  }
}

const WHOLE_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

const resolveString = (text: string, valueOf: (name: string) => YamlValue): YamlValue => {
  const whole = WHOLE_REFERENCE.exec(text);
  if (whole) return valueOf(whole[1]!);
  if (!text.includes('${')) return text;
  return text.replace(new RegExp(VAR_PATTERN.source, 'g'), (_, name: string) => textOf(valueOf(name)));
};

const textOf = (value: YamlValue): string =>
  value === null ? '' : value instanceof YamlNumber ? value.text : typeof value === 'object' ? JSON.stringify(value, jsonReplacer) : String(value);

const jsonReplacer = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/** Lists and maps go to PostgreSQL as JSON text, which json/jsonb parameters accept. */
export const toParam = (value: YamlValue): ParamValue => {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
  // A decimal goes as its digits, never through a double: 12345678901234567.00 stays exact.
  if (value instanceof YamlNumber) return value.decimalText();
  return JSON.stringify(value, jsonReplacer);
};
