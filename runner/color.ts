/**
 * Whether a command may colour its output, and the colours (picocolors). The rule, the same for every command:
 * NO_COLOR set to anything non-empty means never (https://no-color.org); else FORCE_COLOR means always
 * (unless it is 0 or false, which means never), also into a pipe (CI logs that render colour); else only on
 * a terminal whose TERM is not dumb.
 */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export const useColor = (stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean => {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR.toLowerCase() !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
};

/** picocolors' functions, painting only when `useColor` says so for this stream. */
export const colorsFor = (stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors => pc.createColors(useColor(stream, env));
