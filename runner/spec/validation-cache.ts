/**
 * Validated specs kept between runs, so that a run of an unchanged suite skips YAML parsing, the schema,
 * meaning and SQL checks (most of dbspec's start-up on a large suite). An entry holds for a spec file while
 * its content and that of every fixture it includes are unchanged (SHA-256 of the bytes). The whole cache is
 * keyed by everything else validation depends on: dbspec's own code (file sizes and times), its schemas, and
 * the options (the configured databases, the working directory that file names are shown from).
 * Stored with v8.serialize (exact numbers and bigints survive) in node_modules/.cache/dbspec of the project,
 * else ~/.cache/dbspec; `DBSPEC_CACHE=off` turns it off. A cache that cannot be read or written is ignored:
 * it only ever saves time, and is never the reason a run fails.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { Spec } from './types.ts';
import { hasYamlNumbers, reviveYamlNumbers } from './yaml-number.ts';
import { cacheFolder, cachesOff } from '../cache-folder.ts';
import { CODE_DIR } from '../package-files.ts';

type Entry = {
  readonly sha: string;
  readonly deps: readonly (readonly [string, string])[];
  /**
   * The spec, serialized on its own: the cache holds every spec file loaded from this folder (up to
   * MAX_ENTRIES), and a run reads back only the specs it loads (one spec beside 5,500 cached: 1.0 -> 0.7 s).
   */
  readonly bytes: Uint8Array;
  /** false when the spec holds no YamlNumber: most do not, and reviving them all cost 40 ms per 500 specs. */
  readonly numbers: boolean;
};

export type ValidationCache = {
  /** The validated spec of `file` when neither it nor its fixtures changed since it was stored. */
  lookup(file: string): Promise<Spec | undefined>;
  store(file: string, spec: Spec): Promise<void>;
  /** Writes the cache if anything was stored; never throws. */
  save(): Promise<void>;
  /**
   * SHA-256 of every file read to check entries, by absolute path: the run's spec sources (plan/sources.ts)
   * take them instead of reading and hashing each file a second time.
   */
  fileHashes(): Promise<ReadonlyMap<string, string>>;
};

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** Cache files of other keys (another dbspec, other options) kept besides this one. */
const KEEP_FILES = 4;
/** Entries kept at most, so a cache for thousands of short-lived files stays small. */
const MAX_ENTRIES = 20_000;

/** runner/ from the sources, dist/ installed: all of dbspec's code. */
const CODE_ROOT = fileURLToPath(CODE_DIR);

const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
  return nested.flat().sort();
};

let toolKey: Promise<string> | undefined;

/** dbspec's validation code and schemas as they are now: a change to either starts a fresh cache. */
const currentToolKey = (): Promise<string> =>
  (toolKey ??= (async () => {
    const parts: string[] = [];
    for (const file of await filesUnder(CODE_ROOT)) {
      const s = await stat(file);
      parts.push(`${file.slice(CODE_ROOT.length)}:${s.size}:${s.mtimeMs}`);
    }
    const schemas = join(CODE_ROOT, '..', 'schema');
    for (const file of await filesUnder(schemas)) parts.push(sha256(await readFile(file)));
    return sha256(parts.join('\n'));
  })());

const readEntries = async (path: string): Promise<Map<string, Entry>> => {
  try {
    const entries = deserialize(await readFile(path)) as Map<string, Entry>;
    return entries instanceof Map ? entries : new Map();
  } catch {
    return new Map();
  }
};

/** Keeps the newest few cache files of the folder, this one among them. */
const prune = async (folder: string, keep: string): Promise<void> => {
  const names = (await readdir(folder)).filter((n) => n.startsWith('validated-') && n.endsWith('.v8') && join(folder, n) !== keep);
  const dated = await Promise.all(names.map(async (n) => ({ path: join(folder, n), at: (await stat(join(folder, n))).mtimeMs })));
  for (const old of dated.sort((a, b) => b.at - a.at).slice(KEEP_FILES - 1)) await rm(old.path, { force: true });
};

export const openValidationCache = async (options: { readonly databases: readonly string[]; readonly cwd: string }): Promise<ValidationCache | undefined> => {
  if (cachesOff()) return undefined;
  const folder = cacheFolder(options.cwd);
  const key = sha256(`${await currentToolKey()}\n${JSON.stringify({ databases: options.databases, cwd: resolve(options.cwd) })}`);
  const path = join(folder, `validated-${key.slice(0, 20)}.v8`);
  const entries = await readEntries(path);
  const hashes = new Map<string, Promise<string | undefined>>();
  const hashOf = (file: string): Promise<string | undefined> => {
    const absolute = resolve(options.cwd, file);
    let hash = hashes.get(absolute);
    if (!hash) {
      hash = readFile(absolute).then(sha256, () => undefined);
      hashes.set(absolute, hash);
    }
    return hash;
  };
  let changed = false;
  return {
    lookup: async (file) => {
      const entry = entries.get(resolve(options.cwd, file));
      if (!entry || entry.sha !== (await hashOf(file))) return undefined;
      for (const [dep, sha] of entry.deps) if ((await hashOf(dep)) !== sha) return undefined;
      let spec: Spec;
      try {
        spec = deserialize(entry.bytes) as Spec;
      } catch {
        return undefined;
      }
      return entry.numbers ? reviveYamlNumbers(spec) : spec;
    },
    store: async (file, spec) => {
      const sha = await hashOf(file);
      const deps = await Promise.all(spec.fixtures.map(async (dep) => [dep, await hashOf(dep)] as const));
      if (sha === undefined || deps.some(([, s]) => s === undefined)) return;
      entries.delete(resolve(options.cwd, file));
      entries.set(resolve(options.cwd, file), { sha, deps: deps as [string, string][], bytes: serialize(spec), numbers: hasYamlNumbers(spec) });
      changed = true;
    },
    fileHashes: async () => {
      const known = new Map<string, string>();
      for (const [file, hash] of hashes) {
        const sha = await hash;
        if (sha !== undefined) known.set(file, sha);
      }
      return known;
    },
    save: async () => {
      if (!changed) return;
      try {
        while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
        await mkdir(folder, { recursive: true });
        // Written aside and renamed: a reader never sees half a cache.
        const temp = `${path}.${process.pid}.tmp`;
        try {
          await writeFile(temp, serialize(entries));
          await rename(temp, path);
        } finally {
          await rm(temp, { force: true });
        }
        await prune(folder, path);
      } catch {
        // Only a speed-up.
      }
    },
  };
};
