/**
 * A spec file -> a validated Spec, or every problem in it at once: safe YAML loading, the JSON Schema, then
 * meaning (databases, variables, names, SQLSTATEs, regexes, SQL). No database is needed.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { isMap } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { ensureParser } from '../sql/split.ts';
import { buildSpec } from './build.ts';
import { findSpecFiles } from './discover.ts';
import { loadYamlFile } from './load.ts';
import { checkMeaning } from './meaning.ts';
import { checkSchema } from './schema-check.ts';
import type { Spec } from './types.ts';
import { locOf } from './yaml-nodes.ts';

export type LoadSpecOptions = {
  readonly databases: readonly string[];
  /** Folder `file` is relative to; default the working directory. */
  readonly cwd?: string;
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
  const all = [...schemaProblems, ...built.diagnostics, ...checkMeaning(built.spec, built, options.databases)];
  return all.length === 0 ? { spec: built.spec, diagnostics: [] } : { diagnostics: all };
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

/** The worker's module beside this one: .ts when run from source, .js in the installed package. */
const WORKER = new URL(`./validate-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);

const inWorker = (files: readonly string[], options: LoadSpecOptions): Promise<FileResult[]> =>
  new Promise((resolvePromise, reject) => {
    const worker = new Worker(WORKER, { workerData: { files, options } });
    worker.once('message', (results: FileResult[]) => {
      resolvePromise(results);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`validation worker exited with ${code}`));
    });
  });

/** Splits the files between this thread and one worker per further core; falls back to this thread alone. */
const loadAll = async (files: readonly string[], options: LoadSpecOptions): Promise<FileResult[]> => {
  const here = (share: readonly string[]) => mapLimited(share, FILES_AT_ONCE, (f) => loadSpec(f, options));
  const threads = Math.min(availableParallelism(), 4);
  if (files.length < PARALLEL_FROM || threads < 2) return here(files);
  const size = Math.ceil(files.length / threads);
  const shares = Array.from({ length: threads }, (_, i) => files.slice(i * size, (i + 1) * size));
  // The first share stays on this thread, which is free anyway while the workers run.
  const results = await Promise.all(shares.map((share, i) => (i === 0 ? here(share) : inWorker(share, options).catch(() => here(share)))));
  return results.flat();
};

/** Loads every spec under the paths; also reports spec names used by two files. */
export const loadSpecs = async (paths: readonly string[], options: LoadSpecOptions): Promise<{ specs: Spec[]; files: string[]; diagnostics: Diagnostic[] }> => {
  const cwd = options.cwd ?? process.cwd();
  const found = await findSpecFiles(paths, cwd);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const specs: Spec[] = [];
  const results = await loadAll(found.files, { ...options, cwd });
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
  return { specs, files: found.files, diagnostics };
};
