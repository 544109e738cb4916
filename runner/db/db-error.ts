/**
 * Any error a query can throw -> the PostgreSQL facts a spec can expect: SQLSTATE, constraint, detail.
 * slonik's error classes carry the server's error as `cause`; this walks the chain to it. dbspec's text
 * driver leaves statement errors as node-postgres raised them, on purpose: slonik emits any of its own
 * classes thrown by a query on the connection (connectionMethods/query.ts), which rejects the whole
 * `pool.connect` routine even when the caller caught the error, so a session that expects an error would
 * be torn down. What is still told apart by message text, and why:
 * - 57014: PostgreSQL gives a cancelled statement and a timed-out one the same SQLSTATE; slonik's own pg
 *   driver tells them apart by the same message ("canceling statement due to user request").
 * - InvalidInputError: slonik's pg driver turns the server's 22P02 into it without the cause (only the
 *   message), exactly like slonik's own input errors; only their wording separates them.
 * - "Connection terminated": node-postgres reports a dropped socket with no code, only this message (slonik's
 *   executeQuery and pg driver match it the same way).
 */
import { BackendTerminatedError, BackendTerminatedUnexpectedlyError, InvalidInputError, StatementCancelledError, StatementTimeoutError } from 'slonik';
import { redactSecrets } from '../redact.ts';
import { RowLimitError } from './row-limit.ts';

export type DbError = {
  /** SQLSTATE, e.g. 23505; absent when the failure did not come from the server. */
  readonly code?: string;
  readonly message: string;
  readonly constraint?: string;
  readonly detail?: string;
  /** 1-based character offset of the error in the statement text, when the server gives one. */
  readonly position?: number;
  readonly kind: 'sql' | 'timeout' | 'connection-lost' | 'cancelled' | 'connection-failed' | 'row-limit';
};

type ServerFields = { code?: unknown; message?: unknown; constraint?: unknown; detail?: unknown; position?: unknown; cause?: unknown };

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Messages of InvalidInputError that slonik raises itself; any other InvalidInputError is the server's 22P02. */
const SLONIK_OWN_INPUT_ERRORS = [/multiple statements/i, /^Unexpected SQL input/i];
/** Socket-level failures while connecting or talking to the server (Node's error codes). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** The error and its causes, outermost first (bounded: cause chains may be cyclic). */
const causeChain = (error: unknown): ServerFields[] => {
  const chain: ServerFields[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && chain.length < 8 && !chain.includes(current as ServerFields)) {
    chain.push(current as ServerFields);
    current = (current as ServerFields).cause;
  }
  return chain;
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const withServerFields = (source: ServerFields, kind: DbError['kind'], code: string | undefined): DbError => {
  const constraint = text(source.constraint);
  const detail = text(source.detail);
  const position = Number(text(source.position));
  return {
    ...(code !== undefined && { code }),
    message: redactSecrets(text(source.message) ?? 'unknown database error'),
    ...(constraint !== undefined && { constraint }),
    ...(detail !== undefined && { detail }),
    ...(Number.isInteger(position) && position > 0 && { position }),
    kind,
  };
};

const kindOfSqlstate = (code: string, message: string): DbError['kind'] => {
  if (code === '57014') return /user request/i.test(message) ? 'cancelled' : 'timeout';
  if (code === '57P01' || code === '57P02' || code === '57P03') return 'connection-lost';
  // 53300 too_many_connections: no connection to be had (max_connections, a role's or database's limit).
  if (code.startsWith('08') || code === '53300') return 'connection-failed';
  return 'sql';
};

export const toDbError = (error: unknown): DbError => {
  const chain = causeChain(error);
  const overLimit = chain.find((link) => link instanceof RowLimitError);
  if (overLimit) return { message: (overLimit as RowLimitError).message, kind: 'row-limit' };
  const server = chain.find((link) => typeof link.code === 'string' && SQLSTATE.test(link.code));
  if (server) {
    const code = server.code as string;
    return withServerFields(server, kindOfSqlstate(code, String(server.message ?? '')), code);
  }
  const outer = chain[0] ?? { message: String(error) };
  const innermost = chain.at(-1) ?? outer;
  if (error instanceof StatementTimeoutError) return withServerFields(innermost, 'timeout', '57014');
  if (error instanceof StatementCancelledError) return withServerFields(innermost, 'cancelled', '57014');
  if (error instanceof BackendTerminatedError || error instanceof BackendTerminatedUnexpectedlyError) {
    return withServerFields(innermost, 'connection-lost', '57P01');
  }
  if (error instanceof InvalidInputError) {
    const message = String(outer.message ?? '');
    return SLONIK_OWN_INPUT_ERRORS.some((own) => own.test(message)) ? withServerFields(outer, 'sql', undefined) : withServerFields(outer, 'sql', '22P02');
  }
  const network = chain.find((link) => typeof link.code === 'string' && NETWORK_CODES.has(link.code));
  if (network) return withServerFields(network, 'connection-failed', undefined);
  if (chain.some((link) => /connection terminated/i.test(String(link.message ?? '')))) {
    return withServerFields(innermost, 'connection-lost', '57P01');
  }
  return withServerFields(outer, 'sql', undefined);
};
