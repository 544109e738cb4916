/**
 * A worker thread that runs one `--jobs` worker's specs on that worker's copies of the databases, so that
 * the jobs use more than one core: on one event loop, node's own work per statement was the limit (issue 18).
 * Started as soon as the specs are planned, it loads and plans them while the main thread opens the
 * databases; told where its copies are, it connects pools of its own, then runs the spec the main thread
 * names, one at a time, posting each step and the spec's result back (spec-threads.ts is the other side).
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { connectDatabase } from '../db/connect.ts';
import type { Database } from '../db/database.ts';
import { ServerUnresponsive } from '../db/watchdog.ts';
import { planRun, type Plan } from '../plan/plan.ts';
import type { Spec } from '../spec/types.ts';
import { reviveYamlNumbers } from '../spec/yaml-number.ts';
import type { Fingerprints } from './isolation.ts';
import { runSpec } from './run-spec.ts';
import type { Connect, FromThread, ThreadSetup, ToThread } from './spec-threads.ts';

const setup = workerData as ThreadSetup;
const port = parentPort!;
const post = (message: FromThread): void => port.postMessage(message);
const controller = new AbortController();

const connectAll = async ({ databases: targets, options }: Connect): Promise<Map<string, Database>> => {
  const databases = new Map<string, Database>();
  try {
    for (const { name, url, embedded } of targets) databases.set(name, await connectDatabase(name, url, { ...options, embedded }));
  } catch (error) {
    await Promise.allSettled([...databases.values()].map((db) => db.end()));
    throw error;
  }
  return databases;
};

/** The abort the main thread saw, as this thread's: a silent server keeps its reason (cleanup is cut short then). */
const abortWith = (unresponsive: { readonly database: string; readonly message: string } | undefined): void => {
  if (!unresponsive) {
    controller.abort();
    return;
  }
  const reason = new ServerUnresponsive(unresponsive.database, '', 0);
  reason.message = unresponsive.message;
  controller.abort(reason);
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs the specs it is told to, one after another: each one's counts after are the next one's before. */
const serve = (plan: Plan, databases: Map<string, Database>, runId: string): ((index: number) => Promise<void>) => {
  let lastFingerprint: Fingerprints | undefined;
  return async (index) => {
    try {
      const { result, fingerprintAfter } = await runSpec(plan.specs[index]!, {
        plan,
        databases,
        runId,
        timeoutMs: setup.timeoutMs,
        signal: controller.signal,
        isolation: { before: lastFingerprint },
        onStep: (step) => post({ type: 'step', index, result: step }),
      });
      lastFingerprint = fingerprintAfter;
      post({ type: 'spec', index, result });
    } catch (error) {
      post({ type: 'failed', index, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  };
};

// Structured clone keeps data, not classes: exact numbers are revived as the validation cache does.
const planned = Promise.resolve()
  .then(() => planRun(reviveYamlNumbers(deserialize(setup.specs) as Spec[])))
  .catch((error: unknown) => error as Error);
let databases: Map<string, Database> | undefined;
let run: ((index: number) => Promise<void>) | undefined;
// One thing at a time, in the order the main thread asked: connect, then each spec, then close.
let queue = Promise.resolve();

const connect = async (message: Connect): Promise<void> => {
  const plan = await planned;
  if (plan instanceof Error) return post({ type: 'unavailable', message: messageOf(plan) });
  try {
    databases = await connectAll(message);
  } catch (error) {
    return post({ type: 'unavailable', message: messageOf(error) });
  }
  run = serve(plan, databases, message.runId);
  post({ type: 'ready' });
};

const close = async (): Promise<void> => {
  await Promise.allSettled([...(databases?.values() ?? [])].map((db) => db.end()));
  port.close();
};

port.on('message', (message: ToThread) => {
  if (message.type === 'abort') {
    abortWith(message.unresponsive);
    return;
  }
  const next = message.type === 'connect' ? () => connect(message) : message.type === 'run' ? () => run?.(message.index) : close;
  queue = queue.then(next);
});
