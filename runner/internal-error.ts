/**
 * A bug in dbspec, not a verdict on the specs or a user's mistake: one clean line and a hint (the stack only
 * when asked for), exit code 2. Never a raw stack trace in CI logs, never a password.
 */
import { redactSecrets } from './redact.ts';

export const reportInternalError = (error: unknown): 2 => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `dbspec: internal error: ${redactSecrets(message.split('\n')[0] ?? '')}\n` +
      '  this is a bug in dbspec: please report it with the command you ran (DBSPEC_DEBUG=1 prints the stack)\n',
  );
  if (process.env.DBSPEC_DEBUG) process.stderr.write(redactSecrets((error as Error).stack ?? '') + '\n');
  return 2;
};
