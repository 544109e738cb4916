/**
 * The mocha harness (execute/mocha-suites.ts) lets go of each spec once mocha has reported it: a long run
 * must not hold every suite, test and slot to its end (issue 18). Seen through a reporter, which gets the
 * runner and so mocha's own tree, as any reporter a user names would.
 */
import assert from 'node:assert/strict';
import Mocha from 'mocha';
import { createHarness } from '../../runner/execute/mocha-suites.ts';
import type { Plan } from '../../runner/plan/plan.ts';
import type { StepResult } from '../../runner/results/types.ts';
import { listenersAddedSince } from '../../runner/process-listeners.ts';

type Seen = { suitesEnded: number; testsHeldAtEnd: number; titlesAtEnd: string[]; runnerEntriesAtEnd: number; passes: number };

/** Specs as the harness reads them: a name, one setup block, steps by name, no cleanup. */
const planOf = (count: number): Plan =>
  ({
    specs: Array.from({ length: count }, (_, i) => ({
      name: `spec ${i}`,
      setup: [{ db: 'app', sql: { text: 'select 1' } }],
      steps: [{ name: 'one' }, { name: 'two' }],
      cleanup: [],
    })),
  }) as unknown as Plan;

const passed = (name: string, phase: StepResult['phase']): StepResult => ({ name, phase, kind: 'query', location: '', status: 'passed', durationMs: 1 });

/** A reporter that looks at mocha's tree and the runner's bookkeeping when the run ends. */
const observer = (seen: Seen): Mocha.ReporterConstructor =>
  class {
    constructor(runner: Mocha.Runner) {
      runner.on(Mocha.Runner.constants.EVENT_SUITE_END, () => (seen.suitesEnded += 1));
      runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => (seen.passes += 1));
      runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
        const root = runner.suite;
        seen.titlesAtEnd = root.suites.map((s) => s.title);
        seen.testsHeldAtEnd = root.total();
        const entries = (runner as unknown as { _eventListeners?: Map<unknown, unknown> })._eventListeners;
        seen.runnerEntriesAtEnd = entries ? [...entries.keys()].filter((k) => k instanceof Mocha.Test).length : -1;
      });
    }
  } as unknown as Mocha.ReporterConstructor;

describe('execute: the mocha harness', () => {
  it('reports every spec, then holds none of their tests: only their titles stay in the tree', async () => {
    const seen: Seen = { suitesEnded: 0, testsHeldAtEnd: -1, titlesAtEnd: [], runnerEntriesAtEnd: -1, passes: 0 };
    const plan = planOf(5);
    const harness = createHarness(plan, { reporter: observer(seen), isolation: true, bail: false });
    const mochaListeners = listenersAddedSince(['uncaughtException', 'unhandledRejection']);
    const done = harness.run().finally(mochaListeners.remove);
    for (const [i, spec] of plan.specs.entries()) {
      harness.onStep(i, passed('setup (app)', 'setup'));
      for (const step of spec.steps) harness.onStep(i, passed(step.name, 'step'));
      harness.onStep(i, passed('leaves the databases as it found them', 'isolation'));
      harness.onSpec(i, { name: spec.name, status: 'passed' } as never);
    }
    await done;
    // 5 specs x (setup, two steps, isolation), all reported as they ran.
    assert.equal(seen.passes, 20);
    assert.equal(seen.suitesEnded, 6, 'five specs and the root');
    assert.deepEqual(seen.titlesAtEnd, ['spec 0', 'spec 1', 'spec 2', 'spec 3', 'spec 4']);
    assert.equal(seen.testsHeldAtEnd, 0, 'no finished test is still in the tree');
    assert.equal(seen.runnerEntriesAtEnd, 0, "the runner keeps no finished test's listener entry");
  });
});
