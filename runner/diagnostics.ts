/**
 * Errors as values. Every mistake a person can make (in a spec, the config, the command line) and every
 * environment problem (a database that cannot be reached) is a Diagnostic with a stable code, so that
 * tests and users match on the code, not the wording, and the CLI maps its kind to an exit code.
 */

import type { ProblemCode } from './error-codes.ts';

/** A place in a source file; line and column are 1-based, as editors show them. */
export type SourceLocation = {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Optional end of the range, for underlining. */
  readonly endLine?: number;
  readonly endColumn?: number;
  /** For a place inside a fixture: the `use:` entry that included the file (which may itself be inside one). */
  readonly via?: SourceLocation;
};

/** `file:line:col`, preceded by the include chain: `specs/a.spec.yaml:4:5 → fixtures/tenant.yaml:12:7`. */
export const locationText = (loc: SourceLocation): string => {
  const here = `${loc.file}:${loc.line}:${loc.column}`;
  return loc.via ? `${locationText(loc.via)} → ${here}` : here;
};

/**
 * authoring: a spec is wrong (exit 1). config: dbspec.config.yaml, environment or CLI usage is wrong (exit 2).
 * connection: a database cannot be reached or refused us (exit 2).
 */
export type DiagnosticKind = 'authoring' | 'config' | 'connection';

export type { ProblemCode } from './error-codes.ts';

export type Diagnostic = {
  readonly kind: DiagnosticKind;
  /** Stable, e.g. DBSPEC_SCHEMA, DBSPEC_YAML_SYNTAX: one of error-codes.ts. */
  readonly code: ProblemCode;
  readonly message: string;
  readonly location?: SourceLocation;
  /** A hint shown under the frame, e.g. "did you mean `rows`?" when it does not fit the message. */
  readonly hint?: string;
};

/** The one diagnostic builder: a problem of `kind` with its code, message and, when known, location and hint. */
export const diagnostic = (kind: DiagnosticKind, code: ProblemCode, message: string, location?: SourceLocation, hint?: string): Diagnostic => ({
  kind,
  code,
  message,
  ...(location ? { location } : {}),
  ...(hint ? { hint } : {}),
});

/** A mistake in a spec (exit 1). */
export const authoring = (code: ProblemCode, message: string, location?: SourceLocation, hint?: string): Diagnostic =>
  diagnostic('authoring', code, message, location, hint);

/** Thrown only to cross an async boundary that cannot return a value; always caught and printed by the CLI. */
export class DbspecError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: Diagnostic | readonly Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics as Diagnostic];
    super(list.map((d) => d.message).join('\n'));
    this.name = 'DbspecError';
    this.diagnostics = list;
  }
}

export const exitCodeFor = (diagnostics: readonly Diagnostic[]): 0 | 1 | 2 => {
  if (diagnostics.length === 0) return 0;
  return diagnostics.some((d) => d.kind !== 'authoring') ? 2 : 1;
};
