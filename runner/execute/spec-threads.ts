/**
 * `--jobs N` with DBSPEC_THREADS=on: workers 2..N each run in a worker thread of their own (spec-thread.ts),
 * on their own copies of the databases, while worker 1 runs on this thread beside mocha's reporting. The
 * engine still hands out the specs one at a time (engine.ts), so the order of results, --bail and
 * interruption are unchanged; a thread only runs the spec it is given and posts back each step and the result.
 *
 * Opt-in: on a 2-core machine the workers, the server and the kernel's loopback traffic already use both
 * cores with one event loop, and a thread's own start (a second V8 heap, its code compiled again) made
 * `--jobs 2` slower (issue 18). It is for machines with cores to spare beyond the jobs and their server.
 *
 * Used when every worker has its own databases and nothing listens for what a thread cannot post (record
 * mode's rows and schema observations), and no spec has an upgrade step (its fresh databases are made and
 * recorded by this thread). A thread that cannot start leaves its worker to this thread, on the same databases.
 */
import { serialize } from 'node:v8';
import { startModuleWorker } from '../worker-thread.ts';
import type { ConnectOptions } from '../db/connect.ts';
import { isServerUnresponsive } from '../db/watchdog.ts';
import type { Plan } from '../plan/plan.ts';
import type { SpecResult, StepResult } from '../results/types.ts';

/** What a thread is started with, before the databases are open. */
export type ThreadSetup = {
  /** The plan's specs, v8-serialized once for every thread. */
  readonly specs: Uint8Array;
  readonly timeoutMs: number;
};

/** Where the thread's worker has its databases, once they are open. */
export type Connect = {
  readonly type: 'connect';
  readonly databases: readonly { readonly name: string; readonly url: string; readonly embedded: boolean }[];
  readonly options: Omit<ConnectOptions, 'embedded'>;
  readonly runId: string;
};

export type ToThread =
  | Connect
  | { readonly type: 'run'; readonly index: number }
  | { readonly type: 'abort'; readonly unresponsive?: { readonly database: string; readonly message: string } }
  | { readonly type: 'close' };

/** Results are plain data (results.json's cells and text): they cross as they are. */
export type FromThread =
  | { readonly type: 'ready' }
  | { readonly type: 'unavailable'; readonly message: string }
  | { readonly type: 'step'; readonly index: number; readonly result: StepResult }
  | { readonly type: 'spec'; readonly index: number; readonly result: SpecResult }
  | { readonly type: 'failed'; readonly index: number; readonly message: string };

/** One worker's thread, seen from the engine: runs the spec it is given, on its own databases. */
export type SpecThread = {
  run(index: number, onStep: (result: StepResult) => void): Promise<SpecResult>;
};

/** How long a thread may take to end its pools once told to close, before it is terminated. */
const CLOSE_MS = 5_000;

/** Whether a run of `workers` workers can have threads; they are used only if each worker also gets its own databases. */
export const threadsWanted = (plan: Plan, workers: number, recording: boolean): boolean =>
  process.env.DBSPEC_THREADS === 'on' && workers > 1 && !recording && !plan.specs.some((spec) => spec.steps.some((step) => step.kind === 'upgrade'));

type Pending = { readonly index: number; readonly onStep: (result: StepResult) => void } & PromiseWithResolvers<SpecResult>;

type StartedThread = {
  /** The thread once its databases are connected; undefined when it could not start or connect. */
  readonly ready: Promise<SpecThread | undefined>;
  connect(message: Connect): void;
  close(): Promise<void>;
};

const startThread = (setup: ThreadSetup, signal: AbortSignal, onUnavailable: (reason: string) => void): StartedThread => {
  const worker = startModuleWorker(import.meta.url, 'spec-thread', setup);
  const ready = Promise.withResolvers<SpecThread | undefined>();
  let pending: Pending | undefined;
  let gone: Error | undefined;
  let readyOrClosing = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const lose = (error: Error): void => {
    // Before it was ready, the thread's worker falls back to this thread: say why.
    if (!readyOrClosing && gone === undefined) onUnavailable(error.message);
    gone ??= error;
    ready.resolve(undefined);
    pending?.reject(gone);
    pending = undefined;
  };
  const onAbort = (): void => {
    const reason: unknown = signal.reason;
    const message: ToThread = isServerUnresponsive(reason)
      ? { type: 'abort', unresponsive: { database: reason.database, message: reason.message } }
      : { type: 'abort' };
    worker.postMessage(message);
  };
  const thread: SpecThread = {
    run: (index, onStep) => {
      if (gone) return Promise.reject(gone);
      pending = { index, onStep, ...Promise.withResolvers<SpecResult>() };
      worker.postMessage({ type: 'run', index } satisfies ToThread);
      return pending.promise;
    },
  };
  worker.on('message', (message: FromThread) => {
    if (message.type === 'ready') {
      readyOrClosing = true;
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      ready.resolve(thread);
    } else if (message.type === 'unavailable') lose(new Error(message.message));
    else if (message.type === 'step' && pending?.index === message.index) pending.onStep(message.result);
    else if (message.type === 'spec' && pending?.index === message.index) {
      const done = pending;
      pending = undefined;
      done.resolve(message.result);
    } else if (message.type === 'failed' && pending?.index === message.index) {
      const done = pending;
      pending = undefined;
      done.reject(new Error(message.message));
    }
  });
  worker.on('error', (error) => lose(error));
  worker.once('exit', (code) => lose(new Error(`a --jobs worker thread exited (code ${code})`)));
  const close = async (): Promise<void> => {
    // Told to close before it was ready (no copies after all): not a failure to report.
    readyOrClosing = true;
    signal.removeEventListener('abort', onAbort);
    worker.postMessage({ type: 'close' } satisfies ToThread);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_MS);
    await exited;
    clearTimeout(timer);
  };
  return { ready: ready.promise, connect: (message) => worker.postMessage(message), close };
};

export type SpecThreads = {
  /**
   * Tells each thread where its worker's databases are (worker k's thread gets workers[k]). Returns, per
   * worker, its thread's promise (workers 2..N), undefined for the worker that runs on this thread.
   */
  connect(
    workers: readonly { readonly urls: ReadonlyMap<string, string>; readonly embedded: ReadonlyMap<string, boolean> }[],
    options: Omit<ConnectOptions, 'embedded'>,
    runId: string,
  ): readonly (Promise<SpecThread | undefined> | undefined)[];
  /** Ends every thread (each ends its pools first); call before the databases they use are dropped. */
  close(): Promise<void>;
};

/**
 * One thread for each worker past the first, started now: each deserializes and plans the specs while this
 * thread opens the databases and makes their copies.
 */
export const startSpecThreads = (
  plan: Plan,
  workers: number,
  options: {
    readonly timeoutMs: number;
    readonly signal: AbortSignal;
    /** A worker (1-based) whose thread could not plan or connect, and why: it runs on this thread instead. */
    readonly onUnavailable?: (worker: number, reason: string) => void;
  },
): SpecThreads => {
  const setup: ThreadSetup = { specs: serialize(plan.specs), timeoutMs: options.timeoutMs };
  const started = Array.from({ length: Math.max(0, workers - 1) }, (_, i) =>
    startThread(setup, options.signal, (reason) => options.onUnavailable?.(i + 2, reason)),
  );
  let closed: Promise<void> | undefined;
  return {
    connect: (sets, connectOptions, runId) => [
      undefined,
      ...started.map((thread, i) => {
        const set = sets[i + 1];
        if (!set) return Promise.resolve(undefined);
        const databases = [...set.urls].map(([name, url]) => ({ name, url, embedded: set.embedded.get(name) ?? false }));
        thread.connect({ type: 'connect', databases, options: connectOptions, runId });
        return thread.ready;
      }),
    ],
    close: () => (closed ??= Promise.all(started.map((thread) => thread.close())).then(() => undefined)),
  };
};
