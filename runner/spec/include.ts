/**
 * Fixtures: shared setup a spec includes with `use:`, with parameters (`with: { users: 3 }`). A fixture's
 * parameters and variables, setup and cleanup merge into the spec: its setup runs before the spec's, its
 * cleanup after the spec's. Every location inside a fixture carries the `use:` entry that included it, so
 * an error reads `specs/a.spec.yaml:4:5 → specs/fixtures/tenant.yaml:12:7`, as sqllogictest-rs's Location
 * keeps its include chain.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { isMap } from 'yaml';
import { authoring as problem, type Diagnostic, type SourceLocation } from '../diagnostics.ts';
import { type Reference, sqlBlock } from './build.ts';
import { keyText, loadYamlFile } from './load.ts';
import { checkSchema } from './schema-check.ts';
import type { Spec, SqlBlock, VarDecl } from './types.ts';
import { itemsOf, locOf, pairsOf, plainValue, stringOf, valueOf, type Source } from './yaml-nodes.ts';

export type FixtureParts = {
  readonly vars: VarDecl[];
  readonly setup: SqlBlock[];
  readonly cleanup: SqlBlock[];
  readonly dbRefs: Reference[];
  readonly codeRefs: Reference[];
  /** Every fixture file included, directly or not, as displayed (relative to the working directory). */
  readonly files: string[];
  readonly diagnostics: Diagnostic[];
};

/** Deeper than this is a mistake, not a design. */
const MAX_DEPTH = 8;

const empty = (): FixtureParts => ({ vars: [], setup: [], cleanup: [], dbRefs: [], codeRefs: [], files: [], diagnostics: [] });

const displayOf = (cwd: string, absolute: string): string => relative(cwd, absolute).split(sep).join('/');

/** Parameters with their values: the `with:` value, else the default; unknown and missing ones reported. */
const paramsOf = (fsrc: Source, froot: unknown, withNode: unknown, src: Source, useLoc: SourceLocation, out: Diagnostic[]): VarDecl[] => {
  const given = new Map(pairsOf(withNode).flatMap((p) => (keyText(p.key) !== undefined ? [[keyText(p.key)!, p] as const] : [])));
  const declared = pairsOf(valueOf(froot, 'params'));
  const names = new Set(declared.map((p) => keyText(p.key)));
  for (const [name, pair] of given)
    if (!names.has(name))
      out.push(
        problem(
          'DBSPEC_UNKNOWN_PARAM',
          `the fixture ${fsrc.file} has no parameter \`${name}\``,
          locOf(src, pair.key),
          `its parameters: ${[...names].join(', ') || 'none'}`,
        ),
      );
  return declared.flatMap((pair) => {
    const name = keyText(pair.key);
    if (name === undefined) return [];
    const value = given.has(name) ? plainValue(given.get(name)!.value) : plainValue(pair.value);
    if (value === null) {
      out.push(problem('DBSPEC_MISSING_PARAM', `the fixture ${fsrc.file} needs a value for \`${name}\`: give it under \`with:\``, useLoc));
      return [];
    }
    return [{ name, value, loc: locOf(fsrc, pair.key) }];
  });
};

const includeOne = async (src: Source, entry: unknown, cwd: string, chain: readonly string[]): Promise<FixtureParts> => {
  const parts = empty();
  const path = stringOf(entry) ?? stringOf(valueOf(entry, 'fixture'));
  const useLoc = locOf(src, entry);
  if (path === undefined) return parts;
  const absolute = resolve(cwd, dirname(src.file), path);
  const display = displayOf(cwd, absolute);
  if (chain.includes(absolute) || chain.length >= MAX_DEPTH) {
    parts.diagnostics.push(
      problem('DBSPEC_FIXTURE_CYCLE', `${display} is already being included (${[...chain, absolute].map((f) => displayOf(cwd, f)).join(' → ')})`, useLoc),
    );
    return parts;
  }
  const { loaded, diagnostics } = await loadYamlFile(absolute, display);
  if (!loaded || diagnostics.length > 0) {
    const missing = diagnostics.some((d) => d.code === 'DBSPEC_NO_SUCH_PATH');
    parts.diagnostics.push(
      ...(missing
        ? [problem('DBSPEC_NO_SUCH_FIXTURE', `there is no fixture file ${display}`, useLoc, 'a fixture path is relative to the file that uses it')]
        : diagnostics.map((d) => ({ ...d, ...(d.location ? { location: { ...d.location, via: useLoc } } : {}) }))),
    );
    return parts;
  }
  const fsrc: Source = { file: display, text: loaded.text, lineCounter: loaded.lineCounter, via: useLoc };
  const froot = loaded.doc.contents;
  parts.files.push(display);
  if (!isMap(froot)) {
    parts.diagnostics.push(problem('DBSPEC_SCHEMA', 'a fixture is a map with params, vars, setup and cleanup', useLoc));
    return parts;
  }
  parts.diagnostics.push(...checkSchema(fsrc, froot, 'fixture.schema.json'));
  const nested = await includeFixtures(fsrc, froot, cwd, [...chain, absolute]);
  const c = { src: fsrc, out: parts.diagnostics, dbRefs: parts.dbRefs, codeRefs: parts.codeRefs };
  const params = paramsOf(fsrc, froot, valueOf(entry, 'with'), src, useLoc, parts.diagnostics);
  const vars = pairsOf(valueOf(froot, 'vars')).flatMap((pair) => {
    const name = keyText(pair.key);
    return name === undefined ? [] : [{ name, value: plainValue(pair.value), loc: locOf(fsrc, pair.key) }];
  });
  const blocks = (key: string) => itemsOf(valueOf(froot, key)).flatMap((n) => sqlBlock(c, n) ?? []);
  return {
    vars: [...nested.vars, ...params, ...vars],
    setup: [...nested.setup, ...blocks('setup')],
    cleanup: [...blocks('cleanup'), ...nested.cleanup],
    dbRefs: [...nested.dbRefs, ...parts.dbRefs],
    codeRefs: [...nested.codeRefs, ...parts.codeRefs],
    files: [...parts.files, ...nested.files],
    diagnostics: [...nested.diagnostics, ...parts.diagnostics],
  };
};

/** The fixtures under `use:` of a spec (or of a fixture), in order; cleanup in reverse order. */
export const includeFixtures = async (src: Source, root: unknown, cwd: string, chain: readonly string[] = []): Promise<FixtureParts> => {
  const all = empty();
  const cleanups: SqlBlock[][] = [];
  for (const entry of itemsOf(valueOf(root, 'use'))) {
    const one = await includeOne(src, entry, cwd, chain);
    all.vars.push(...one.vars);
    all.setup.push(...one.setup);
    cleanups.unshift(one.cleanup);
    all.dbRefs.push(...one.dbRefs);
    all.codeRefs.push(...one.codeRefs);
    all.files.push(...one.files.filter((f) => !all.files.includes(f)));
    all.diagnostics.push(...one.diagnostics);
  }
  all.cleanup.push(...cleanups.flat());
  return all;
};

/** The spec with its fixtures merged in; a name declared twice is reported where the spec declares it. */
export const withFixtures = (spec: Spec, parts: FixtureParts): { spec: Spec; diagnostics: Diagnostic[] } => {
  if (parts.files.length === 0) return { spec, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, VarDecl>();
  for (const v of [...parts.vars, ...spec.vars]) {
    const first = seen.get(v.name);
    if (first)
      diagnostics.push(
        problem('DBSPEC_VAR_REDEFINED', `\`${v.name}\` is already declared in ${first.loc.file}:${first.loc.line}`, v.loc, 'give one of them another name'),
      );
    else seen.set(v.name, v);
  }
  const setup = [...parts.setup, ...spec.setup];
  const cleanup = [...spec.cleanup, ...parts.cleanup];
  const databases = [...new Set([...setup.map((b) => b.db), ...spec.databases, ...cleanup.map((b) => b.db)])];
  return { spec: { ...spec, vars: [...seen.values()], setup, cleanup, databases, fixtures: parts.files }, diagnostics };
};
