/**
 * Mocha root hooks (loaded through .mocharc.json `require`): stop the shared embedded test server, and fail
 * the run if a dbspec run started by it left a record in the run registry (`<tmp>/dbspec-runs/`, see
 * runner/db/run-registry.ts): a finished run removes its own, and a test that kills one runs the next run
 * that settles it. (A record there outlives the test's scratch databases: no later run could settle it.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registryDir } from '../../runner/db/run-registry.ts';
import { ownerRunning, parseOwner } from '../../runner/db/run-owner.ts';
import { stopTestServers } from './servers.ts';

const records = (): string[] => {
  try {
    return readdirSync(registryDir()).filter((name) => name.endsWith('.jsonl') || name.endsWith('.json'));
  } catch {
    return [];
  }
};

const startedAt = Date.now();
const already = new Set(records());

/** Records written by runs this test process started (or by itself): new, owner started since, and gone or us. */
export const recordsLeftByTests = (): string[] =>
  records()
    .filter((name) => !already.has(name))
    .flatMap((name) => {
      try {
        const text = readFileSync(join(registryDir(), name), 'utf8');
        // A journal's first line (and a whole-file record) holds the owner.
        const owner = parseOwner((JSON.parse(text.split('\n')[0]!) as { owner?: unknown }).owner);
        if (!owner || Date.parse(owner.startedAt) < startedAt - 1000) return [];
        return owner.pid === process.pid || !ownerRunning(owner) ? [`${name}: ${text.slice(0, 300)}`] : [];
      } catch {
        return [];
      }
    });

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopTestServers();
    const left = recordsLeftByTests();
    if (left.length > 0) throw new Error(`runs of this test process left ${left.length} record(s) in ${registryDir()}:\n${left.join('\n')}`);
  },
};
