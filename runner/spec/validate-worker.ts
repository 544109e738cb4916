/**
 * A worker thread that validates a share of the spec files, so that large suites use every core. Receives
 * { files, options } once, answers with the loadSpec result of each file, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadSpecOptions } from './validate.ts';
import { loadSpec } from './validate.ts';

type Job = { readonly files: readonly string[]; readonly options: LoadSpecOptions };

const job = workerData as Job;
const results = [];
for (const file of job.files) results.push(await loadSpec(file, job.options));
parentPort?.postMessage(results);
