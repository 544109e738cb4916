/**
 * What the results commands add in CI: the Markdown summary appended to $GITHUB_STEP_SUMMARY (the job's
 * summary page), and annotations printed under GITHUB_ACTIONS=true. Outside GitHub Actions, nothing.
 */
import { appendFile } from 'node:fs/promises';

/** Appends `markdown` to the job summary when GITHUB_STEP_SUMMARY names a file; a failure to do so is only a warning. */
export const appendStepSummary = async (markdown: string, env: NodeJS.ProcessEnv = process.env): Promise<void> => {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    await appendFile(file, markdown.endsWith('\n') ? `${markdown}\n` : `${markdown}\n\n`);
  } catch (error) {
    process.stderr.write(`dbspec: cannot append to GITHUB_STEP_SUMMARY (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
  }
};

const MAX_ANNOTATIONS = 50;

/** Prints the annotations on stdout, where the runner picks workflow commands up, under GITHUB_ACTIONS=true. */
export const printAnnotations = (lines: () => readonly string[], env: NodeJS.ProcessEnv = process.env): void => {
  if (env.GITHUB_ACTIONS !== 'true') return;
  const all = lines();
  // GitHub shows a limited number per job; the rest are in the reports anyway.
  for (const line of all.slice(0, MAX_ANNOTATIONS)) process.stdout.write(`${line}\n`);
  if (all.length > MAX_ANNOTATIONS) process.stdout.write(`::notice::${all.length - MAX_ANNOTATIONS} more failures: see the report\n`);
};
