/**
 * Progress a person can read on a long run. On a terminal: one live line at the bottom (specs done of the
 * total, failures so far, an estimate of the time left), redrawn below whatever the reporter prints; in a
 * log (not a terminal, or CI set): a plain line at each quarter of the run. Listens to finished specs only,
 * so it reads the same with --jobs, where the reporter's step lines wait for their spec's turn.
 */
import type { SpecResult } from '../results/types.ts';

export type ProgressState = { readonly done: number; readonly total: number; readonly failing: number; readonly elapsedMs: number };

const seconds = (ms: number): string => (ms >= 90_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(1, Math.round(ms / 1000))} s`);

/** Pure: "12/40 specs · 2 failing · about 35 s left". The estimate is the pace so far over what is left. */
export const progressText = (s: ProgressState): string => {
  const parts = [`${s.done}/${s.total} specs`, `${s.failing} failing`];
  if (s.done > 0 && s.done < s.total) parts.push(`about ${seconds((s.elapsedMs / s.done) * (s.total - s.done))} left`);
  return parts.join(' · ');
};

export type Progress = { readonly specDone: (result: SpecResult) => void; readonly end: () => void };

const CLEAR_LINE = '\r\u001b[2K';

type Write = typeof process.stdout.write;

/** A live line on a terminal: every write to stdout or stderr first clears it, then it is drawn again. */
const liveLine = (total: number, started: number, stream: NodeJS.WriteStream): Progress => {
  let state: ProgressState = { done: 0, total, failing: 0, elapsedMs: 0 };
  let shown = '';
  // The line is drawn only where a line starts: a reporter's half-written line (the dot reporter's dots) is never cut.
  let atLineStart = true;
  const original = { out: process.stdout.write, err: process.stderr.write };
  const raw = (text: string) => original.err.call(stream, text);
  const draw = () => {
    if (!atLineStart) return;
    shown = progressText({ ...state, elapsedMs: performance.now() - started }).slice(0, Math.max(20, (stream.columns || 80) - 1));
    raw(`${CLEAR_LINE}\u001b[2m${shown}\u001b[0m`);
  };
  const wrap = (write: Write, target: NodeJS.WriteStream): Write =>
    function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      if (shown) raw(CLEAR_LINE);
      shown = '';
      const result = (write as (...a: unknown[]) => boolean).call(target, chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : '';
      if (text !== '') atLineStart = text.endsWith('\n');
      draw();
      return result;
    } as Write;
  process.stdout.write = wrap(original.out, process.stdout);
  process.stderr.write = wrap(original.err, process.stderr);
  const timer = setInterval(draw, 1000);
  timer.unref();
  draw();
  return {
    specDone: (result) => {
      state = { ...state, done: state.done + 1, failing: state.failing + (result.status === 'failed' || result.status === 'errored' ? 1 : 0) };
      draw();
    },
    end: () => {
      clearInterval(timer);
      process.stdout.write = original.out;
      process.stderr.write = original.err;
      if (shown) raw(CLEAR_LINE);
      shown = '';
    },
  };
};

/** Plain lines for logs: one at each quarter of the run (runs of fewer than 8 specs print none). */
const logLines = (total: number, started: number, write: (text: string) => void): Progress => {
  let done = 0;
  let failing = 0;
  let nextQuarter = 1;
  return {
    specDone: (result) => {
      done += 1;
      if (result.status === 'failed' || result.status === 'errored') failing += 1;
      if (total < 8 || done >= total || done < Math.ceil((total * nextQuarter) / 4)) return;
      while (done >= Math.ceil((total * nextQuarter) / 4)) nextQuarter += 1;
      write(`dbspec: ${progressText({ done, total, failing, elapsedMs: performance.now() - started })}\n`);
    },
    end: () => undefined,
  };
};

/** The live line on a terminal outside CI, plain lines otherwise. */
export const startProgress = (total: number, env: NodeJS.ProcessEnv = process.env): Progress => {
  const started = performance.now();
  const terminal = process.stderr.isTTY === true && process.stdout.isTTY === true && !env.CI;
  return terminal ? liveLine(total, started, process.stderr) : logLines(total, started, (text) => process.stderr.write(text));
};
