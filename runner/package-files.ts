/**
 * Files of the dbspec package itself: schemas, templates, the spec guide, package.json. This module sits one
 * folder below the package root both as a source (runner/) and built (dist/: scripts/build.ts bundles every
 * chunk into that one folder), so one relative URL serves both.
 */
import { fileURLToPath } from 'node:url';

/** The folder of the running code: runner/ from the sources, dist/ installed. */
export const CODE_DIR = new URL('./', import.meta.url);

/** A file of the package, by its path from the package root (`schema/spec.schema.json`). */
export const packageFile = (path: string): URL => new URL(`../${path}`, import.meta.url);

export const packagePath = (path: string): string => fileURLToPath(packageFile(path));

/**
 * A module the build writes beside the code (dist/precompiled.js, dist/validators.js); undefined when it
 * is not there, as when running from the sources. Any other failure to load it is a bug, and thrown.
 */
export const loadBuilt = async <T>(file: string): Promise<T | undefined> => {
  try {
    return (await import(new URL(file, CODE_DIR).href)) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
};
