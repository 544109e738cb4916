/**
 * File -> YAML document with source positions, refusing anything unsafe before or while parsing: huge files,
 * binary junk, deep nesting, tags outside YAML's core schema, aliases and duplicate keys. Each refusal is a
 * located Diagnostic; nothing here can take more than a moment, whatever the input.
 */
import { type Document, isAlias, isMap, isNode, isPair, isScalar, isSeq, Lexer, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
// yaml sets `tag` on a node only when the tag is written in the source.
import { authoring, type Diagnostic, type ProblemCode, type SourceLocation } from '../diagnostics.ts';
import { readRegularFile, unreadable } from './regular-file.ts';
import { plainYamlProblem } from './yaml-messages.ts';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_DEPTH = 64;
/** yaml composes about 100,000 tokens a second: beyond this a file could take more than a second to parse. */
export const MAX_TOKENS = 40_000;
/** Below this size a file cannot hold MAX_TOKENS worth of trouble, so small files skip the token count. */
const COUNT_TOKENS_FROM = 64 * 1024;

/** Explicit tags allowed: YAML's core schema and nothing else (no !!binary, !!js/function, !custom). */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export type LoadedYaml = {
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
};

export type LoadYamlResult = { readonly loaded?: LoadedYaml; readonly diagnostics: Diagnostic[] };

/** Turns a character offset into a 1-based location. */
export const locationAt = (file: string, lineCounter: LineCounter, offset: number, endOffset?: number): SourceLocation => {
  const { line, col } = lineCounter.linePos(offset);
  if (endOffset === undefined) return { file, line, column: col };
  const end = lineCounter.linePos(endOffset);
  return { file, line, column: col, endLine: end.line, endColumn: end.col };
};

/** Line and column of a character offset, without a LineCounter (for refusals before parsing). */
const positionOf = (file: string, text: string, offset: number): SourceLocation => {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { file, line, column: offset - lineStart + 1 };
};

/**
 * Flow nesting is counted before parsing, because the YAML composer recurses per level and a million
 * brackets cost seconds. Only YAML's own brackets count: those inside quoted strings, block scalars (SQL),
 * plain scalars and comments are text. A raw count of every bracket finds the few files that could be too
 * deep; only for those does the lexer (ten times cheaper than composing, and stopped at the first level too
 * many) tell structure from text.
 */
const flowDepthOverflow = (text: string): number | undefined => {
  let depth = 0;
  let deep = false;
  for (let i = 0; i < text.length && !deep; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) deep = ++depth > MAX_DEPTH;
    else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return deep ? lexedFlowOverflow(text) : undefined;
};

const LEXER_MARKERS = new Set(['\x02', '\x18', '\x1f']);

const lexedFlowOverflow = (text: string): number | undefined => {
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > MAX_DEPTH) return offset;
    } else if ((token === ']' || token === '}') && depth > 0) depth--;
    // The lexer's markers for document, scalar and flow end take no room in the source.
    if (!LEXER_MARKERS.has(token)) offset += token.length;
  }
  return undefined;
};

/** Lexing is ten times cheaper than composing, and stops at the cap. */
const tooManyTokens = (text: string): boolean => {
  let count = 0;
  for (const _ of new Lexer().lex(text)) if (++count > MAX_TOKENS) return true;
  return false;
};

/** Checks that need the bytes: size, NUL, UTF-8. Returns the text or the refusal. */
const decode = (file: string, bytes: Buffer): { text?: string; diagnostic?: Diagnostic } => {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const prefix = bytes.subarray(0, nul).toString('utf8');
    return {
      diagnostic: authoring('DBSPEC_BINARY', 'this file contains a NUL byte: a spec must be plain UTF-8 text', positionOf(file, prefix, prefix.length)),
    };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text };
  } catch {
    // Locate the first invalid byte by decoding growing prefixes would be slow; find it with a lenient decode.
    const lenient = bytes.toString('utf8');
    const bad = lenient.indexOf('\uFFFD');
    return {
      diagnostic: authoring('DBSPEC_BINARY', 'this file is not valid UTF-8 text', positionOf(file, lenient, bad === -1 ? 0 : bad), 'save the file as UTF-8'),
    };
  }
};

/** Walks the document once: tags, aliases, duplicate keys, depth. Recursion is bounded by MAX_DEPTH. */
const inspectNodes = (file: string, lc: LineCounter, root: unknown): Diagnostic[] => {
  const found: Diagnostic[] = [];
  const at = (node: YamlNode): SourceLocation | undefined => (node.range ? locationAt(file, lc, node.range[0]) : undefined);
  const visit = (node: unknown, depth: number): void => {
    if (!isNode(node)) return;
    if (depth > MAX_DEPTH) {
      found.push(authoring('DBSPEC_YAML_TOO_DEEP', `nesting deeper than ${MAX_DEPTH} levels`, at(node), 'a spec never needs this much nesting'));
      return;
    }
    if (isAlias(node)) {
      // One report per file is enough: an alias bomb has thousands.
      if (found.some((d) => d.code === 'DBSPEC_YAML_ALIAS')) return;
      found.push(
        authoring(
          'DBSPEC_YAML_ALIAS',
          `YAML aliases (*${node.source}) are not allowed in specs`,
          at(node),
          'repeat the value, or declare it once under `vars:` and write ${name}',
        ),
      );
      return;
    }
    if (node.tag && !CORE_TAGS.has(node.tag)) {
      found.push(authoring('DBSPEC_YAML_TAG', `the tag ${shortTag(node.tag)} is not allowed: specs use plain YAML values only`, at(node), 'remove the tag'));
    }
    if (isMap(node)) {
      const seen = new Map<string, unknown>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? keyText(pair.key) : undefined;
        if (key !== undefined) {
          if (seen.has(key)) {
            found.push(
              authoring(
                'DBSPEC_YAML_DUPLICATE_KEY',
                `the key \`${key}\` appears twice in the same map`,
                at(pair.key as YamlNode),
                'remove or rename one of them',
              ),
            );
          }
          seen.set(key, pair);
        } else visit(pair.key, depth + 1);
        visit(pair.value, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, depth + 1);
    }
  };
  visit(root, 1);
  return found;
};

const shortTag = (tag: string): string => (tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag);

/** A map key as written: `null: true` keeps the key `null`, not the empty string. */
export const keyText = (key: unknown): string | undefined => {
  if (!isScalar(key)) return undefined;
  if (typeof key.value === 'string') return key.value;
  return key.source ?? String(key.value);
};

const YAML_CODES: Readonly<Record<string, ProblemCode>> = {
  DUPLICATE_KEY: 'DBSPEC_YAML_DUPLICATE_KEY',
  ALIAS_PROPS: 'DBSPEC_YAML_ALIAS',
  BAD_ALIAS: 'DBSPEC_YAML_ALIAS',
  TAG_RESOLVE_FAILED: 'DBSPEC_YAML_TAG',
};

/** yaml's messages end with a copy of the source line; we print our own frame. */
const firstLine = (message: string): string => message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');

const hintForSyntax = (text: string, offset: number): string | undefined => {
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(text.lastIndexOf('\n', offset) + 1, lineEnd === -1 ? undefined : lineEnd);
  if (/[{[][^'"]*\$\{/.test(line)) return 'inside { } or [ ], quote values that contain ${...}: "${name}"';
  if (/^\s*\t/.test(line)) return 'indent with spaces, not tabs';
  // A plain value holding ": " (JSON in SQL, a time) reads as a nested key to YAML.
  if (/^\s*(?:-\s+)?[\w-]+:\s+[^'"|>].*:\s/.test(line))
    return 'this value contains ": ", which YAML reads as a key: write it as a block (`sql: |` with the SQL on the next lines, indented) or put it in quotes';
  return undefined;
};

/**
 * Reads and parses one YAML file. `displayFile` is the name used in diagnostics (relative, forward slashes).
 */
export const loadYamlFile = async (path: string, displayFile: string): Promise<LoadYamlResult> => {
  let read;
  try {
    read = await readRegularFile(path, MAX_FILE_BYTES);
  } catch (error) {
    const message = unreadable((error as NodeJS.ErrnoException).code);
    return { diagnostics: [{ kind: 'config', code: 'DBSPEC_NO_SUCH_PATH', message, location: { file: displayFile, line: 1, column: 1 } }] };
  }
  if (read.notAFile !== undefined)
    return {
      diagnostics: [
        { kind: 'config', code: 'DBSPEC_NOT_A_FILE', message: `this is ${read.notAFile}, not a file`, location: { file: displayFile, line: 1, column: 1 } },
      ],
    };
  if (!read.bytes) {
    const mb = (read.size / 1024 / 1024).toFixed(1);
    return {
      diagnostics: [
        authoring(
          'DBSPEC_FILE_TOO_LARGE',
          `this file is ${mb} MB; a spec may be at most ${MAX_FILE_BYTES / 1024 / 1024} MB`,
          { file: displayFile, line: 1, column: 1 },
          'split it into several specs',
        ),
      ],
    };
  }
  return parseYamlText(read.bytes, displayFile);
};

/** Parses bytes already in memory (also used for the config file). */
export const parseYamlText = (bytes: Buffer, file: string): LoadYamlResult => {
  if (bytes.length > MAX_FILE_BYTES) {
    return { diagnostics: [authoring('DBSPEC_FILE_TOO_LARGE', `this file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`, { file, line: 1, column: 1 })] };
  }
  const decoded = decode(file, bytes);
  if (decoded.diagnostic) return { diagnostics: [decoded.diagnostic] };
  const text = decoded.text!.replace(/^\uFEFF/, '');
  const deep = flowDepthOverflow(text);
  if (deep !== undefined) {
    return {
      diagnostics: [
        authoring('DBSPEC_YAML_TOO_DEEP', `nesting deeper than ${MAX_DEPTH} levels`, positionOf(file, text, deep), 'a spec never needs this much nesting'),
      ],
    };
  }
  if (text.length > COUNT_TOKENS_FROM && tooManyTokens(text)) {
    return {
      diagnostics: [
        authoring(
          'DBSPEC_YAML_TOO_LARGE',
          `this file has more than ${MAX_TOKENS.toLocaleString('en')} YAML values and symbols; a spec never needs that many`,
          { file, line: 1, column: 1 },
          'split it into several specs',
        ),
      ],
    };
  }
  const lineCounter = new LineCounter();
  // Aliases are refused outright by inspectNodes, so none is ever expanded: no alias bomb can go off.
  // uniqueKeys is checked by inspectNodes with a Set: yaml's own check compares every key with every other one,
  // which takes minutes on a 5 MB map.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, intAsBigInt: true, schema: 'core', prettyErrors: false, strict: true });
  const diagnostics: Diagnostic[] = [];
  const linesWithError = new Set<number>();
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const offset = problem.pos[0];
    const location = locationAt(file, lineCounter, offset);
    // One syntax error per line: the parser's follow-up errors on the same line only repeat the first.
    if (linesWithError.has(location.line)) continue;
    linesWithError.add(location.line);
    const plain = plainYamlProblem(text, problem.code, offset);
    if (plain) {
      diagnostics.push(authoring(plain.code, plain.message, locationAt(file, lineCounter, plain.offset, plain.endOffset), plain.hint));
      // The parser's errors after a misplaced line are its consequences: fixing the line fixes them.
      if (plain.code === 'DBSPEC_YAML_INDENT') break;
      continue;
    }
    const code = YAML_CODES[problem.code] ?? 'DBSPEC_YAML_SYNTAX';
    const message =
      code === 'DBSPEC_YAML_TAG'
        ? `the tag ${shortTag(firstLine(problem.message).replace('Unresolved tag: ', ''))} is not allowed: specs use plain YAML values only`
        : firstLine(problem.message);
    diagnostics.push(authoring(code, message, location, hintForSyntax(text, offset)));
  }
  if (diagnostics.length === 0) diagnostics.push(...inspectNodes(file, lineCounter, doc.contents));
  const unique = dedupe(diagnostics);
  return { loaded: { file, text, doc, lineCounter }, diagnostics: unique };
};

const dedupe = (ds: Diagnostic[]): Diagnostic[] => {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.code}:${d.location?.line}:${d.location?.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};
