/**
 * Mocha as the harness: one describe per spec, one it per step, setup and cleanup as hooks, so mocha's
 * reporters show progress. The tests do not execute anything: they wait for the engine's result for their
 * step. That lets the engine run specs in parallel while mocha reports them in order.
 */
import Mocha from 'mocha';
import { useColor } from '../color.ts';
import type { Plan } from '../plan/plan.ts';
import type { SpecResult, StepResult } from '../results/types.ts';
import { failureText } from './failure-text.ts';
import { blockName } from './run-spec.ts';

type Slot = PromiseWithResolvers<StepResult>;

type SpecSlots = {
  readonly setup: Slot[];
  readonly steps: Slot[];
  readonly cleanup: Slot[];
  readonly isolation: Slot;
  /** Position of the next result of each phase. */
  readonly seen: Record<StepResult['phase'], number>;
};

/** A failure printed without a stack trace: the message is all a spec author needs. */
class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
    this.stack = message;
  }
}

const verdict = (result: StepResult, context: Mocha.Context): void => {
  if (result.status === 'skipped') context.skip();
  if (result.status === 'passed') return;
  throw new StepFailure(result.failure ? failureText(result.failure) : `${result.status}`);
};

export type Harness = {
  /** Feed the engine's step results here as they arrive. */
  readonly onStep: (specIndex: number, result: StepResult) => void;
  /** Feed each finished spec here: resolves any slot the spec never reached (skipped, interrupted). */
  readonly onSpec: (specIndex: number, result: SpecResult) => void;
  /** Runs mocha's reporter to the end; resolves when every test has reported. */
  readonly run: () => Promise<void>;
};

export const createHarness = (
  plan: Plan,
  options: { readonly reporter: string | Mocha.ReporterConstructor; readonly isolation: boolean; readonly bail: boolean },
): Harness => {
  // Not mocha's own bail: the engine stops starting specs, and mocha reports what did not run as pending, so
  // the console counts what results.json counts.
  const mocha = new Mocha({ reporter: options.reporter, timeout: 0, color: useColor(process.stdout) });
  // mocha's clean-up deletes each test's `fn` after its suite, which turns every Test into a slow dictionary
  // object of 1.5 KB; the function is this harness's small closure, kept cheaper than the deletion (issue 18).
  mocha.cleanReferencesAfterRun(false);
  const slots: SpecSlots[] = plan.specs.map((spec) => ({
    setup: spec.setup.map(() => Promise.withResolvers<StepResult>()),
    steps: spec.steps.map(() => Promise.withResolvers<StepResult>()),
    cleanup: spec.cleanup.map(() => Promise.withResolvers<StepResult>()),
    isolation: Promise.withResolvers<StepResult>(),
    seen: { setup: 0, step: 0, cleanup: 0, isolation: 0 },
  }));

  // Setup and cleanup are tests of their own, not mocha hooks: a hook's failure reads `"after all" hook for
  // ...` and hides the rest of the spec, and authors should see the same names as in the reports.
  for (const [i, spec] of plan.specs.entries()) {
    const s = slots[i]!;
    const suite = Mocha.Suite.create(mocha.suite, spec.name);
    const blockTest = (name: string, slot: Slot) =>
      suite.addTest(
        new Mocha.Test(name, async function (this: Mocha.Context) {
          verdict(await slot.promise, this);
        }),
      );
    for (const [j, block] of spec.setup.entries()) blockTest(blockName('setup', block, j, spec.setup.length), s.setup[j]!);
    for (const [j, step] of spec.steps.entries()) blockTest(step.name, s.steps[j]!);
    for (const [j, block] of spec.cleanup.entries()) blockTest(blockName('cleanup', block, j, spec.cleanup.length), s.cleanup[j]!);
    if (options.isolation) blockTest('leaves the databases as it found them', s.isolation);
  }

  // What a finished spec leaves in mocha's tree and in the slots (see run below).
  const released = new Mocha.Suite('');
  const releasedSlots: SpecSlots = {
    setup: [],
    steps: [],
    cleanup: [],
    isolation: Promise.withResolvers<StepResult>(),
    seen: { setup: 0, step: 0, cleanup: 0, isolation: 0 },
  };

  const slotFor = (specIndex: number, phase: StepResult['phase']): Slot | undefined => {
    const s = slots[specIndex]!;
    const n = s.seen[phase]++;
    return phase === 'isolation' ? s.isolation : phase === 'setup' ? s.setup[n] : phase === 'cleanup' ? s.cleanup[n] : s.steps[n];
  };

  const skipped = (name: string, phase: StepResult['phase']): StepResult => ({ name, phase, kind: 'skipped', location: '', status: 'skipped', durationMs: 0 });

  return {
    onStep: (specIndex, result) => slotFor(specIndex, result.phase)?.resolve(result),
    onSpec: (specIndex) => {
      const s = slots[specIndex]!;
      // Resolving twice is harmless; this only settles what the spec never reached.
      for (const slot of [...s.setup, ...s.cleanup]) slot.resolve(skipped('hook', 'setup'));
      for (const slot of s.steps) slot.resolve(skipped('step', 'step'));
      s.isolation.resolve(skipped('isolation', 'isolation'));
    },
    run: () =>
      new Promise((resolve) => {
        const runner = mocha.run(() => resolve());
        // A spec's suite, once reported, is of no more use to mocha (it walks the root's suites by index and
        // never goes back), yet it and the runner (a map entry per test it ran, for the test's 'error' listener,
        // until the runner is disposed) kept every suite, test, closure and slot to the end of the run: 5,000
        // tiny specs peaked 30 MB higher. A finished suite gives its place to a stand-in that keeps only its
        // title, for reporters that walk the tree at the end (markdown's table of contents) (issue 18).
        const listeners = (runner as unknown as { _eventListeners?: Map<unknown, unknown> })._eventListeners;
        let done = 0;
        runner.on(Mocha.Runner.constants.EVENT_SUITE_END, (suite: Mocha.Suite) => {
          if (suite.parent !== mocha.suite) return;
          for (const test of suite.tests) listeners?.delete(test);
          const at = mocha.suite.suites.indexOf(suite, done);
          if (at < 0) return;
          mocha.suite.suites[at] = Object.create(released, { title: { value: suite.title, enumerable: true } }) as Mocha.Suite;
          slots[at] = releasedSlots;
          done = at + 1;
        });
      }),
  };
};
