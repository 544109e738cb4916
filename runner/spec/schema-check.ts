/**
 * JSON Schema check of a spec (or config) document with ajv, compiled once per process, with ajv's errors
 * rewritten into plain sentences located at the YAML node they are about. Steps are checked by kind: the kind
 * is decided by which key is present, so a step is never reported against the other kinds' schemas.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { stringify } from 'yaml';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics.ts';
import { keyText } from './load.ts';
import { STEP_KEYS } from './step-kinds.ts';
import { closest } from './suggest.ts';
import { locOf, nodeAtPath, pairsOf, schemaValue } from './yaml-nodes.ts';
import type { Source } from './yaml-nodes.ts';
import { plural } from '../wording.ts';
import type { ProblemCode } from '../error-codes.ts';
import { loadBuilt, packageFile } from '../package-files.ts';

const schemaFile = (name: string): URL => packageFile(`schema/${name}`);

/**
 * ajv compiling schema/<name> as dbspec checks with it; `source` keeps the generated code for a standalone
 * module (scripts/build.ts). validateSchema off: checking our own schemas against the 2020-12 meta-schema
 * compiled that meta-schema in every process (130 ms of start-up); test/spec/schemas-valid.test.ts checks
 * them once instead.
 */
export const compileSchema = (name: string, source = false): { readonly ajv: Ajv2020; readonly validate: ValidateFunction } => {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    validateSchema: false,
    ...(source && { code: { source: true, esm: true } }),
  });
  // Keywords for editors (YAML language server) and for our own messages; ajv need not understand them.
  ajv.addVocabulary(['defaultSnippets', 'errorMessage', 'markdownDescription']);
  // A fixture file refers to the spec schema's definitions (sqlBlock, value, identifier).
  if (name === 'fixture.schema.json') ajv.addSchema(JSON.parse(readFileSync(schemaFile('spec.schema.json'), 'utf8')) as object);
  return { ajv, validate: ajv.compile(JSON.parse(readFileSync(schemaFile(name), 'utf8')) as object) };
};

/** The schemas the package ships compiled (dist/validators.js, by scripts/build.ts); absent when run from sources. */
export const PRECOMPILED_SCHEMAS = ['config.schema.json'] as const;
const precompiled = await loadBuilt<{ readonly validators: Readonly<Record<string, ValidateFunction>> }>('validators.js');

const compiled = new Map<string, ValidateFunction>();

/** schema/<name>'s validator: shipped compiled (the config's, read by every command: 40 ms), else compiled once per process. */
export const validatorFor = (name: string): ValidateFunction => {
  let validate = compiled.get(name);
  if (!validate) {
    validate = precompiled?.validators[name] ?? compileSchema(name).validate;
    compiled.set(name, validate);
  }
  return validate;
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a map (key: value)',
  array: 'a list',
  null: 'empty',
};

/** `/steps/2/expect` -> `steps[2].expect`. */
export const displayPath = (segments: readonly string[]): string =>
  segments.length === 0 ? 'spec' : segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

const segmentsOf = (instancePath: string): string[] =>
  instancePath === ''
    ? []
    : instancePath
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

type Located = {
  code: ProblemCode;
  message: string;
  node: unknown;
  hint?: string;
  /** For unknown keys: `path/key` suggested instead; for missing keys: `path/key` missing. */
  suggestion?: string;
  missing?: string;
};

const describeValue = (data: unknown): string =>
  data === null ? 'empty' : Array.isArray(data) ? 'a list' : typeof data === 'object' ? 'a map' : typeof data === 'string' ? 'text' : String(data);

/** The value as the list it should be: each item starts with `- ` (a map given where a list of rows belongs). */
const listHint = (key: string | number | undefined, data: unknown): string => {
  const items = stringify([data], { defaultStringType: 'PLAIN', lineWidth: 0 }).trimEnd();
  const label = typeof key === 'string' ? `${key}:\n` : '';
  const indented = items
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `write it as a list, each item starting with \`- \`, like this:\n${label}${indented}`;
};

/** One ajv error, with where it points in the spec. */
type ErrorAt = {
  readonly root: unknown;
  readonly error: ErrorObject;
  readonly segments: string[];
  /** The path as the message names it. */
  readonly path: string;
  readonly node: unknown;
  readonly params: Record<string, unknown>;
  /** The schema's own words for the mistake (`errorMessage`), where it has them. */
  readonly custom?: string;
};

const unknownKey = ({ root, error, segments, path, params }: ErrorAt): Located | undefined => {
  // The step's own key list is there for editors (completion after `- name:`); its kind's schema says
  // which keys belong, with suggestions from that kind's keys only.
  if (error.schemaPath === '#/$defs/step/additionalProperties') return undefined;
  const key = String(params.additionalProperty);
  const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
  const suggestion = closest(key, known);
  return {
    code: 'DBSPEC_SCHEMA_UNKNOWN_KEY',
    message: `\`${path}\`: unknown key \`${key}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
    node: nodeAtPath(root, [...segments, key], true),
    ...(suggestion ? { suggestion: `${error.instancePath}/${suggestion}` } : { hint: `allowed here: ${known.join(', ')}` }),
  };
};

const wrongType = ({ error, segments, path, node, params }: ErrorAt): Located => {
  const want = String(params.type)
    .split(',')
    .map((t) => TYPE_WORDS[t] ?? t)
    .join(' or ');
  const hint =
    params.type === 'string' && (typeof error.data === 'number' || typeof error.data === 'boolean')
      ? `quote it: "${String(error.data)}"`
      : params.type === 'array' && error.data !== null && error.data !== undefined
        ? listHint(segments.at(-1), error.data)
        : undefined;
  return { code: 'DBSPEC_SCHEMA_TYPE', message: `\`${path}\` must be ${want}, not ${describeValue(error.data)}`, node, ...(hint ? { hint } : {}) };
};

const notOneOf = ({ error, path, node, params }: ErrorAt): Located => {
  const allowed = (params.allowedValues as unknown[]).map(String);
  const suggestion = typeof error.data === 'string' ? closest(error.data, allowed) : undefined;
  return {
    code: 'DBSPEC_SCHEMA_VALUE',
    message: `\`${path}\` must be one of ${allowed.join(', ')}${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
    node,
  };
};

/** A value (or, under propertyNames, a key) that does not match the schema's pattern. */
const noMatch = ({ root, error, segments, path, node, params, custom }: ErrorAt): Located => {
  const why = custom ?? `it must match ${String(params.pattern)}`;
  const name = error.propertyName;
  return name !== undefined
    ? { code: 'DBSPEC_SCHEMA_VALUE', message: `\`${path}\`: \`${name}\` is not allowed as a key: ${why}`, node: nodeAtPath(root, [...segments, name], true) }
    : { code: 'DBSPEC_SCHEMA_VALUE', message: `\`${path}\`: \`${String(error.data)}\` is not valid: ${why}`, node };
};

const BOUND_WORDS: Readonly<Record<string, string>> = { minimum: 'at least', exclusiveMinimum: 'more than', maximum: 'at most', exclusiveMaximum: 'less than' };

const value =
  (message: (at: ErrorAt) => string) =>
  (at: ErrorAt): Located => ({ code: 'DBSPEC_SCHEMA_VALUE', message: message(at), node: at.node });

/** By ajv keyword; `if`, `anyOf` and `propertyNames` only wrap the errors that say what is wrong. */
const REWRITES: Readonly<Record<string, (at: ErrorAt) => Located | undefined>> = {
  if: () => undefined,
  anyOf: () => undefined,
  propertyNames: () => undefined,
  additionalProperties: unknownKey,
  required: ({ error, path, node, params }) => ({
    code: 'DBSPEC_SCHEMA_MISSING_KEY',
    message: `\`${path}\`: missing required key \`${String(params.missingProperty)}\``,
    node,
    missing: `${error.instancePath}/${String(params.missingProperty)}`,
  }),
  type: wrongType,
  enum: notOneOf,
  pattern: noMatch,
  ...Object.fromEntries(Object.keys(BOUND_WORDS).map((k) => [k, value(({ path, params }) => `\`${path}\` must be ${BOUND_WORDS[k]} ${String(params.limit)}`)])),
  minItems: value(({ path, params }) => `\`${path}\` needs at least ${plural(Number(params.limit), 'item')}`),
  minLength: value(({ path }) => `\`${path}\` must not be empty`),
  uniqueItems: value(({ path, params }) => `\`${path}\` lists the same value twice (items ${String(params.j)} and ${String(params.i)})`),
};

/** One ajv error -> one located sentence, or undefined for errors that only wrap others. */
const rewrite = (root: unknown, error: ErrorObject): Located | undefined => {
  const segments = segmentsOf(error.instancePath);
  const path = displayPath(segments);
  const node = nodeAtPath(root, segments);
  const custom = (error.parentSchema as { errorMessage?: string } | undefined)?.errorMessage;
  const at: ErrorAt = { root, error, segments, path, node, params: error.params as Record<string, unknown>, ...(custom !== undefined ? { custom } : {}) };
  const how = Object.hasOwn(REWRITES, error.keyword) ? REWRITES[error.keyword] : undefined;
  return how ? how(at) : { code: 'DBSPEC_SCHEMA', message: `\`${path}\` ${error.message ?? 'is not valid'}`, node };
};

/** A step's kind keys, or a located problem when it has none or several. */
const stepKindProblems = (root: unknown, data: unknown): { problems: Located[]; skip: Set<string> } => {
  const problems: Located[] = [];
  const skip = new Set<string>();
  const steps = (data as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return { problems, skip };
  steps.forEach((step, i) => {
    if (step === null || typeof step !== 'object' || Array.isArray(step)) return;
    const keys = Object.keys(step);
    const kinds = STEP_KEYS.filter((k) => keys.includes(k));
    const node = nodeAtPath(root, ['steps', String(i)]);
    if (kinds.length === 1) return;
    skip.add(`/steps/${i}`);
    if (kinds.length === 0) {
      const typo = keys.map((k) => [k, closest(k, STEP_KEYS)] as const).find(([, c]) => c !== undefined);
      problems.push({
        code: 'DBSPEC_STEP_KIND',
        message: `\`steps[${i}]\`: a step needs one of ${STEP_KEYS.join(', ')}`,
        node,
        ...(typo ? { hint: `did you mean \`${typo[1]}\` instead of \`${typo[0]}\`?` } : {}),
      });
    } else {
      problems.push({
        code: 'DBSPEC_STEP_KIND',
        message: `\`steps[${i}]\`: a step has exactly one of ${STEP_KEYS.join(', ')}; this one has ${kinds.join(' and ')}`,
        node: nodeAtPath(root, ['steps', String(i), kinds[1]!], true),
        hint: 'split it into two steps',
      });
    }
  });
  return { problems, skip };
};

/** Validates the document against schema/<schemaName>; every error located at its YAML node. */
export const checkSchema = (
  src: Source,
  root: unknown,
  schemaName: 'spec.schema.json' | 'config.schema.json' | 'fixture.schema.json',
  kind: Diagnostic['kind'] = 'authoring',
): Diagnostic[] => {
  const data = schemaValue(root);
  const validate = validatorFor(schemaName);
  const { problems, skip } = schemaName === 'spec.schema.json' ? stepKindProblems(root, data) : { problems: [], skip: new Set<string>() };
  const located: Located[] = [...problems];
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      if ([...skip].some((s) => error.instancePath === s || error.instancePath.startsWith(`${s}/`))) continue;
      const r = rewrite(root, error);
      if (r) located.push(r);
    }
  }
  // A misspelt required key is reported once, as the unknown key with its suggestion, not also as missing.
  const suggested = new Set(located.flatMap((l) => (l.suggestion ? [l.suggestion] : [])));
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const l of located) {
    if (l.missing && suggested.has(l.missing)) continue;
    const key = `${l.code}|${l.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({ kind, code: l.code, message: l.message, location: locOf(src, l.node), ...(l.hint ? { hint: l.hint } : {}) });
  }
  return diagnostics;
};

/** Keys of a map node, as written (for callers that need did-you-mean outside the schema). */
export const keysOf = (node: unknown): string[] => pairsOf(node).map((p) => keyText(p.key) ?? '');
