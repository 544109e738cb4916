/**
 * Worker threads that run one of dbspec's own modules: validation (spec/validate-worker.ts) and `--jobs`
 * workers (execute/spec-thread.ts). The module sits beside the code that starts it, as a source (.ts, in
 * runner/<stage>/) and built (.js, all of them in dist/).
 */
import { Worker } from 'node:worker_threads';

/** Starts the module `name` found beside the module at `here` (its import.meta.url), with its extension. */
export const startModuleWorker = (here: string, name: string, workerData: unknown): Worker =>
  new Worker(new URL(`./${name}${here.slice(here.lastIndexOf('.'))}`, here), {
    workerData,
    // The young generation the main thread gets from --max-semi-space-size=4 (bin/dbspec.js): V8's default grows far larger.
    resourceLimits: { maxYoungGenerationSizeMb: 12 },
  });
