/**
 * Whether a command may colour its output: only on a terminal, and never when NO_COLOR is set to anything
 * non-empty (https://no-color.org) or TERM is dumb. Every command asks here, so the rule is the same for all.
 */
export const useColor = (stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean =>
  stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
