/**
 * A worker thread that validates a share of the spec files, so that large suites use every core. Receives
 * { files, options } once, answers with the loadSpec result of each file, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadSpecOptions } from './validate.ts';
import { FILES_AT_ONCE, loadSpec, mapLimited } from './validate.ts';

type Job = { readonly files: readonly string[]; readonly options: LoadSpecOptions };

const job = workerData as Job;
// Reads overlap with parsing, as on the main thread.
parentPort?.postMessage(await mapLimited(job.files, FILES_AT_ONCE, (file) => loadSpec(file, job.options)));
