/**
 * Bounded memory: a statement's rows are received one by one (pg's row events, nothing accumulated by
 * the driver) and kept up to a limit; at the first row past it the statement is cancelled from a second
 * connection and fails with RowLimitError. A SELECT of ten million rows then costs a moment and a bounded
 * heap instead of a V8 heap crash.
 */
import pg from 'pg';

/** Default rows one statement may return: far above any expectation a spec can write by hand. */
export const DEFAULT_MAX_ROWS = 100_000;

export class RowLimitError extends Error {
  readonly maxRows: number;
  constructor(maxRows: number) {
    super(
      `the statement returned more than ${maxRows.toLocaleString('en-US')} rows, the limit: select fewer rows (a WHERE, a LIMIT, count(*)) or raise it with --max-rows or max_rows in dbspec.config.yaml`,
    );
    this.maxRows = maxRows;
  }
}

type Result = { command: string; rowCount: number | null; fields: { name: string; dataTypeID: number }[]; rows: unknown[] };

/**
 * Runs one statement on `client`; `cancel` asks the server to stop it (pg_cancel_backend from another
 * connection). Rows past `maxRows` are dropped as they arrive.
 */
export const queryWithRowLimit = (client: pg.Client, config: pg.QueryConfig, maxRows: number, cancel: () => Promise<void>): Promise<Result> =>
  new Promise((resolve, reject) => {
    const rows: unknown[] = [];
    let over = false;
    const query = new pg.Query(config);
    query.on('row', (row: unknown) => {
      if (rows.length < maxRows) {
        rows.push(row);
        return;
      }
      if (over) return;
      over = true;
      void cancel().catch(() => undefined);
    });
    query.on('error', (error: Error) => reject(over ? new RowLimitError(maxRows) : error));
    query.on('end', (result: Result) => {
      if (over) reject(new RowLimitError(maxRows));
      else resolve({ ...result, rows });
    });
    client.query(query);
  });

/** Cancels the statement running on the backend `pid`, from a short-lived connection of its own. */
export const cancelFrom =
  (clientConfig: pg.ClientConfig, pid: () => number | null): (() => Promise<void>) =>
  async () => {
    const backend = pid();
    if (backend === null) return;
    const other = new pg.Client(clientConfig);
    other.on('error', () => undefined);
    try {
      await other.connect();
      await other.query('select pg_cancel_backend($1)', [backend]);
    } finally {
      await other.end().catch(() => undefined);
    }
  };
