/**
 * A spec file -> a validated Spec, or every problem in it at once: safe YAML loading, the JSON Schema, then
 * meaning (databases, variables, names, SQLSTATEs, regexes, SQL). No database is needed.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { startModuleWorker } from '../worker-thread.ts';
import { isMap } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { ensureParser } from '../sql/split.ts';
import { buildSpec } from './build.ts';
import { findSpecFiles } from './discover.ts';
import { loadYamlFile } from './load.ts';
import { includeFixtures, withFixtures } from './include.ts';
import { checkMeaning } from './meaning.ts';
import { checkSchema } from './schema-check.ts';
import { bindSql, type BoundStatement } from './bind.ts';
import { stepSql } from './step-kinds.ts';
import type { Spec } from './types.ts';
import { openValidationCache } from './validation-cache.ts';
import { reviveYamlNumbers } from './yaml-number.ts';
import { locOf } from './yaml-nodes.ts';

export type LoadSpecOptions = {
  readonly databases: readonly string[];
  /** Folder `file` is relative to; default the working directory. */
  readonly cwd?: string;
};

/** A valid spec with every piece of SQL bound (see SqlText.bound); binding cannot fail once it validated. */
const withBoundSql = (spec: Spec): Spec => {
  const pieces = [...spec.setup, ...spec.cleanup, ...spec.steps.flatMap(stepSql)];
  for (const { sql } of pieces) {
    const { statements, diagnostics } = bindSql(sql);
    if (diagnostics.length === 0) (sql as { bound?: readonly BoundStatement[] }).bound = statements;
  }
  return spec;
};

/** Loads and validates one spec. `spec` is present only when the file has no problem at all. */
export const loadSpec = async (file: string, options: LoadSpecOptions): Promise<{ spec?: Spec; diagnostics: Diagnostic[] }> => {
  const displayFile = file.split('\\').join('/');
  const { loaded, diagnostics } = await loadYamlFile(resolve(options.cwd ?? process.cwd(), file), displayFile);
  if (!loaded || diagnostics.length > 0) return { diagnostics };
  const root = loaded.doc.contents;
  if (!isMap(root)) {
    const what = root === null ? 'empty' : 'not a map of keys';
    return {
      diagnostics: [
        {
          kind: 'authoring',
          code: 'DBSPEC_SCHEMA',
          message: `this spec is ${what}: a spec starts with \`name:\` and \`steps:\``,
          location: locOf(loaded, root),
        },
      ],
    };
  }
  await ensureParser();
  const schemaProblems = checkSchema(loaded, root, 'spec.schema.json');
  const built = buildSpec(loaded, root);
  const parts = await includeFixtures(loaded, root, resolve(options.cwd ?? process.cwd()));
  const merged = withFixtures(built.spec, parts);
  const refs = { dbRefs: [...parts.dbRefs, ...built.dbRefs], codeRefs: [...parts.codeRefs, ...built.codeRefs] };
  const all = [...schemaProblems, ...built.diagnostics, ...parts.diagnostics, ...merged.diagnostics, ...checkMeaning(merged.spec, refs, options.databases)];
  return all.length === 0 ? { spec: withBoundSql(merged.spec), diagnostics: [] } : { diagnostics: all };
};

/** Files are read a few at a time: thousands of open handles at once would hit the process's file limit. */
export const mapLimited = async <T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/** Enough reads in flight to keep the CPU busy while files come in; far below the open-file limit. */
export const FILES_AT_ONCE = 64;

type FileResult = { spec?: Spec; diagnostics: Diagnostic[] };

/** Below this many files a worker's start-up (module loading, schema compile) costs more than it saves. */
const PARALLEL_FROM = 200;

const inWorker = (files: readonly string[], options: LoadSpecOptions): Promise<FileResult[]> =>
  new Promise((resolvePromise, reject) => {
    const worker = startModuleWorker(import.meta.url, 'validate-worker', { files, options });
    worker.once('message', (results: FileResult[]) => {
      // Structured clone keeps data, not classes.
      resolvePromise(reviveYamlNumbers(results));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`validation worker exited with ${code}`));
    });
  });

/** Splits the files between this thread and one worker per further core; falls back to this thread alone. */
const validateAll = async (files: readonly string[], options: LoadSpecOptions): Promise<FileResult[]> => {
  const here = (share: readonly string[]) => mapLimited(share, FILES_AT_ONCE, (f) => loadSpec(f, options));
  const threads = Math.min(availableParallelism(), 4);
  if (files.length < PARALLEL_FROM || threads < 2) return here(files);
  const size = Math.ceil(files.length / threads);
  const shares = Array.from({ length: threads }, (_, i) => files.slice(i * size, (i + 1) * size));
  // The first share stays on this thread, which is free anyway while the workers run.
  const results = await Promise.all(shares.map((share, i) => (i === 0 ? here(share) : inWorker(share, options).catch(() => here(share)))));
  return results.flat();
};

/** Specs unchanged since a previous run come from the validation cache; the others are validated, and cached. */
const loadAll = async (
  files: readonly string[],
  options: LoadSpecOptions,
): Promise<{ results: FileResult[]; fromCache: number; fileHashes: ReadonlyMap<string, string> }> => {
  const cwd = options.cwd ?? process.cwd();
  const cache = await openValidationCache({ databases: options.databases, cwd });
  if (!cache) return { results: await validateAll(files, options), fromCache: 0, fileHashes: new Map() };
  const cached = await mapLimited(files, FILES_AT_ONCE, (file) => cache.lookup(file));
  const missing = files.filter((_, i) => cached[i] === undefined);
  const validated = await validateAll(missing, options);
  await Promise.all(validated.map((r, i) => (r.spec ? cache.store(missing[i]!, r.spec) : undefined)));
  await cache.save();
  let next = 0;
  return {
    results: cached.map((spec) => (spec ? { spec, diagnostics: [] } : validated[next++]!)),
    fromCache: files.length - missing.length,
    fileHashes: await cache.fileHashes(),
  };
};

/** Loads every spec under the paths; also reports spec names used by two files. */
export const loadSpecs = async (
  paths: readonly string[],
  options: LoadSpecOptions,
): Promise<{
  specs: Spec[];
  files: string[];
  diagnostics: Diagnostic[];
  fromCache: number;
  /** SHA-256 of the spec and fixture files as read while loading (absolute path): see plan/sources.ts. */
  fileHashes: ReadonlyMap<string, string>;
}> => {
  const cwd = options.cwd ?? process.cwd();
  const found = await findSpecFiles(paths, cwd);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const specs: Spec[] = [];
  const { results, fromCache, fileHashes } = await loadAll(found.files, { ...options, cwd });
  const byName = new Map<string, Spec>();
  for (const r of results) {
    diagnostics.push(...r.diagnostics);
    if (!r.spec) continue;
    const first = byName.get(r.spec.name);
    if (first) {
      diagnostics.push({
        kind: 'authoring',
        code: 'DBSPEC_DUPLICATE_SPEC',
        message: `the spec name \`${r.spec.name}\` is already used`,
        location: r.spec.loc,
        hint: `also in ${first.file}:${first.loc.line}; spec names are unique across all specs`,
      });
      continue;
    }
    byName.set(r.spec.name, r.spec);
    specs.push(r.spec);
  }
  return { specs, files: found.files, diagnostics, fromCache, fileHashes };
};
