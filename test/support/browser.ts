/**
 * A headless Chromium for the report browser test: the system's (Debian's /usr/bin/chromium) when there is
 * one, else the one the @sparticuz/chromium devDependency carries, so `npm ci && npm test` needs nothing
 * from apt. Its unpacked copy goes to a temp folder removed by `remove()`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Browser = { readonly executablePath: string; readonly args: readonly string[]; readonly source: string; remove(): Promise<void> };

const SYSTEM = '/usr/bin/chromium';

const SYSTEM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const findBrowser = async (): Promise<Browser> => {
  if (existsSync(SYSTEM)) return { executablePath: SYSTEM, args: SYSTEM_ARGS, source: SYSTEM, remove: async () => undefined };
  const { default: chromium } = await import('@sparticuz/chromium');
  const dir = await mkdtemp(join(tmpdir(), 'dbspec-chromium-'));
  // It unpacks into os.tmpdir(), which reads TMPDIR on every call: point it at a folder of our own.
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return {
      executablePath: await chromium.executablePath(),
      args: chromium.args,
      source: '@sparticuz/chromium',
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
};
