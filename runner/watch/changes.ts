/**
 * What `dbspec run --watch` listens to: the spec paths (folders recursively, a file through its folder, since
 * editors save by renaming) and every database's migrations folder. Saves arrive in bursts (a temp file, a
 * rename, a second write), so they are gathered until the files have been quiet for a moment.
 */
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export type Changes = {
  /** Spec files saved (absolute paths). */
  readonly specs: ReadonlySet<string>;
  /** Databases whose migrations changed. */
  readonly migrations: ReadonlySet<string>;
};

export type WatchTargets = {
  readonly paths: readonly string[];
  /** Database name -> absolute migrations folder. */
  readonly migrations: ReadonlyMap<string, string>;
};

/** Quiet time after the last event before a burst counts as one save. */
const SETTLE_MS = 30;

const isSpec = (file: string): boolean => file.endsWith('.spec.yaml') || file.endsWith('.spec.yml');

/** Starts watching; `onChange` gets each settled burst. Returns the function that stops. */
export const watchChanges = (targets: WatchTargets, cwd: string, onChange: (changes: Changes) => void): (() => void) => {
  const watchers: FSWatcher[] = [];
  let specs = new Set<string>();
  let migrations = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const settle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const burst = { specs, migrations };
      specs = new Set();
      migrations = new Set();
      if (burst.specs.size > 0 || burst.migrations.size > 0) onChange(burst);
    }, SETTLE_MS);
  };
  const listen = (folder: string, recursive: boolean, take: (file: string) => void) => {
    try {
      const watcher = watch(folder, { recursive }, (_event, name) => {
        if (name === null) return;
        take(join(folder, name.toString()));
      });
      watcher.on('error', () => undefined);
      watchers.push(watcher);
    } catch {
      // A folder that cannot be watched (gone, no permission) simply brings no changes.
    }
  };
  for (const path of targets.paths) {
    const absolute = resolve(cwd, path);
    const folder = existsSync(absolute) && statSync(absolute).isDirectory();
    listen(folder ? absolute : dirname(absolute), folder, (file) => {
      if (!isSpec(file) || (!folder && file !== absolute)) return;
      specs.add(file);
      settle();
    });
  }
  for (const [db, folder] of targets.migrations) {
    if (!existsSync(folder)) continue;
    listen(folder, true, (file) => {
      if (!file.endsWith('.sql')) return;
      migrations.add(db);
      settle();
    });
  }
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
};
