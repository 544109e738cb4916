/**
 * A counting TCP proxy in front of PostgreSQL, for the speed bench: it reads the frontend's messages and
 * tallies round trips (a simple Query, or a Sync ending an extended-protocol batch) by what their SQL
 * does, so the bench can say where dbspec's round trips go beyond the statements a spec holds. It also
 * notes when the first statement arrived (start-up to first statement).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type WireCounts = {
  /** Round trips by kind: statement, begin/commit, leak check, reset, session set-up, ... */
  readonly byKind: Map<string, number>;
  /** performance.now() of the first Query or Parse message after start-up, if any. */
  firstStatementAt?: number;
  /** Every round trip's statements, in order (a simple Query's text, or the Parses before a Sync). */
  readonly trips: string[][];
};

/** Which part of dbspec's work a statement is, from its text. */
const kindOf = (sql: string): string => {
  const text = sql.trim().toLowerCase();
  if (/^(begin|commit|rollback|start transaction|savepoint|release)\b/.test(text)) return 'transaction control';
  if (text.startsWith('discard') || text.includes('reset all')) return 'session reset';
  if (text.includes('pg_stat_user_tables') || (text.includes('count(*)') && text.includes('union all'))) return 'leak check';
  if (text.includes('pg_class') || text.includes('pg_namespace') || text.includes('information_schema')) return 'catalog';
  if (text.startsWith('set ') || text.includes('set_config') || text.startsWith('show ') || text.includes('pg_backend_pid')) return 'session set-up';
  return 'statement';
};

const bump = (counts: WireCounts, kind: string): void => {
  counts.byKind.set(kind, (counts.byKind.get(kind) ?? 0) + 1);
};

/** Splits the frontend byte stream into messages; the first message of a connection has no type byte. */
const watchFrontend = (socket: Socket, counts: WireCounts): void => {
  let buffer = Buffer.alloc(0);
  let started = false;
  let pending: string | undefined;
  let parsed: string[] = [];
  // Named (prepared) statements: parsed once, then only bound; their kind is their text's.
  const named = new Map<string, string>();
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 4) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        buffer = buffer.subarray(length);
        started = true;
        continue;
      }
      if (buffer.length < 5) return;
      const type = String.fromCharCode(buffer[0]!);
      const length = buffer.readInt32BE(1);
      if (buffer.length < length + 1) return;
      const body = buffer.subarray(5, length + 1);
      buffer = buffer.subarray(length + 1);
      if (type === 'Q') {
        counts.firstStatementAt ??= performance.now();
        const text = body.toString('utf8', 0, body.indexOf(0));
        bump(counts, kindOf(text));
        counts.trips.push([text]);
      } else if (type === 'P') {
        counts.firstStatementAt ??= performance.now();
        const nameEnd = body.indexOf(0);
        const text = body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1));
        pending = kindOf(text);
        parsed.push(text);
        if (nameEnd > 0) named.set(body.toString('utf8', 0, nameEnd), text);
      } else if (type === 'B') {
        // Bind: portal name, then statement name.
        const portalEnd = body.indexOf(0);
        const statement = body.toString('utf8', portalEnd + 1, body.indexOf(0, portalEnd + 1));
        const text = named.get(statement);
        if (statement !== '' && text !== undefined && !parsed.includes(text)) {
          pending = kindOf(text);
          parsed.push(text);
        }
      } else if (type === 'S') {
        bump(counts, pending ?? 'statement');
        pending = undefined;
        counts.trips.push(parsed);
        parsed = [];
      }
    }
  });
};

/** Listens on a free port and forwards to `target`; close() ends it and every connection through it. */
export const startWireCounter = async (target: { host: string; port: number }): Promise<{ port: number; counts: WireCounts; close(): Promise<void> }> => {
  const counts: WireCounts = { byKind: new Map(), trips: [] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    watchFrontend(client, counts);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};
