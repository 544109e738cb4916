/** The commit being tested, recorded in results; null outside a git checkout. */
import { execFileSync } from 'node:child_process';

export const gitCommit = (): string | null => {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
};
