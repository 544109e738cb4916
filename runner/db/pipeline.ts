/**
 * Several statements in one round trip: Parse/Bind/Describe/Execute for each, then a single Sync. Before
 * the Sync the server runs them as one implicit transaction: the first error skips the rest and rolls
 * back what ran, success commits them all. That is what BEGIN, the statements, then COMMIT do, in one
 * round trip instead of n + 2 (issue 18: a setup of three inserts took five).
 *
 * Only for statements whose parse tree shows plain SELECT/INSERT/UPDATE/DELETE/MERGE (canPipeline): a
 * statement that refuses a transaction block (VACUUM, CREATE INDEX CONCURRENTLY), changes the session or
 * controls the transaction keeps the explicit path, where it behaves as it always did.
 *
 * A pg Submittable (node-postgres's public extension point, as pg-cursor uses): pg's own Query sends a Sync
 * after each statement. slonik passes one (sql, values) to its driver and has no batch API, so the driver
 * takes a pipeline by a marker text (see text-driver.ts and PipelineChannel).
 */
import { RowLimitError } from './row-limit.ts';
import type { OutputStyle, ParamValue } from './query-result.ts';

export type PipelineStatement = { readonly sql: string; readonly values: readonly ParamValue[] };

/** One statement's result as the driver returns any (cells are the server's text, fields carry the style). */
export type PipelineResult = {
  readonly command: string;
  readonly rowCount: number;
  readonly fields: readonly { readonly name: string; readonly dataTypeId: number; readonly style: OutputStyle }[];
  readonly rows: readonly (readonly (string | null)[])[];
};

/** The results of the statements that ran; `failed`: the one that did not, by index, and why. */
export type PipelineOutcome = {
  readonly results: readonly PipelineResult[];
  readonly failed?: { readonly index: number; readonly error: Error };
};

/** Pipelines handed from Database to its pool's driver, by the id in their marker text. */
export class PipelineChannel {
  private next = 1;
  private readonly waiting = new Map<number, readonly PipelineStatement[]>();
  static readonly PREFIX = '/* dbspec pipeline ';

  /** The text to send through slonik for these statements. */
  put(statements: readonly PipelineStatement[]): string {
    const id = this.next++;
    this.waiting.set(id, statements);
    return `${PipelineChannel.PREFIX}${id} */ select 1`;
  }

  /** The statements a marker text stands for (once), or undefined for any other text. */
  take(sql: string): readonly PipelineStatement[] | undefined {
    if (!sql.startsWith(PipelineChannel.PREFIX)) return undefined;
    const id = Number.parseInt(sql.slice(PipelineChannel.PREFIX.length), 10);
    const statements = this.waiting.get(id);
    this.waiting.delete(id);
    return statements;
  }

  /** Forgets a pipeline that never reached the driver (its connection failed first). */
  drop(sql: string): void {
    this.take(sql);
  }
}

/** pg's prepareValue for the scalars dbspec binds. */
const toText = (value: ParamValue): string | null => (value === null ? null : String(value));

/** A command tag ("INSERT 0 1", "UPDATE 3", "SELECT 2") as pg reads it. */
const readTag = (tag: string): { command: string; rowCount: number } => {
  const match = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/.exec(tag);
  return { command: match?.[1] ?? tag, rowCount: Number(match?.[3] ?? match?.[2] ?? 0) };
};

type Connection = {
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: (string | null)[]; binary: boolean }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string; rows: number }): void;
  sync(): void;
  stream: { cork?(): void; uncork?(): void };
};

type Field = { readonly name: string; readonly dataTypeID: number };

/**
 * The Submittable. Rows past `maxRows` in one result are dropped and the statement cancelled (`onOver`,
 * from a second connection, as for a single statement): the cancel fails the running statement, which
 * rolls the block back. Should the block finish before the cancel arrives, it has committed; the step
 * still fails with the row limit.
 */
export class Pipeline {
  private readonly results: PipelineResult[] = [];
  private fields: readonly Field[] = [];
  private rows: (string | null)[][] = [];
  /** The index of the statement whose rows went past maxRows. */
  private overAt: number | undefined;
  readonly done: Promise<PipelineOutcome>;
  private finish!: (outcome: PipelineOutcome) => void;
  private fail!: (error: Error) => void;

  private readonly statements: readonly PipelineStatement[];
  private readonly maxRows: number;
  private readonly style: () => OutputStyle;
  private readonly onOver: () => void;

  constructor(statements: readonly PipelineStatement[], maxRows: number, style: () => OutputStyle, onOver: () => void) {
    this.statements = statements;
    this.maxRows = maxRows;
    this.style = style;
    this.onOver = onOver;
    this.done = new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
    });
  }

  submit(connection: Connection): null {
    connection.stream.cork?.();
    try {
      for (const statement of this.statements) {
        connection.parse({ text: statement.sql, name: '', types: [] });
        connection.bind({ portal: '', statement: '', values: statement.values.map(toText), binary: false });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: Field[] }): void {
    this.fields = msg.fields;
  }

  handleDataRow(msg: { fields: (string | null)[] }): void {
    if (this.rows.length < this.maxRows) {
      this.rows.push(msg.fields);
      return;
    }
    if (this.overAt !== undefined) return;
    this.overAt = this.results.length;
    this.onOver();
  }

  handleCommandComplete(msg: { text: string }): void {
    const style = this.style();
    const fields = this.fields.map((f) => ({ name: f.name, dataTypeId: f.dataTypeID, style }));
    this.results.push({ ...readTag(msg.text), fields, rows: this.rows });
    this.fields = [];
    this.rows = [];
  }

  handleEmptyQuery(): void {
    this.results.push({ command: '', rowCount: 0, fields: [], rows: [] });
  }

  /**
   * A statement's error (an ErrorResponse) or the connection's (pg passes its socket errors here too). pg
   * ends a query at its first error (the ReadyForQuery after it goes to no query), as the server skips the
   * rest of the pipeline until the Sync: the statement that failed is the first without a result.
   */
  handleError(error: Error): void {
    const severity = (error as { severity?: string }).severity;
    if (severity === undefined || severity === 'FATAL' || severity === 'PANIC') {
      this.fail(error);
      return;
    }
    const index = this.overAt ?? this.results.length;
    this.finish({ results: this.results.slice(0, index), failed: { index, error: this.overAt !== undefined ? new RowLimitError(this.maxRows) : error } });
  }

  handleReadyForQuery(): void {
    if (this.overAt !== undefined) {
      this.finish({ results: this.results.slice(0, this.overAt), failed: { index: this.overAt, error: new RowLimitError(this.maxRows) } });
    } else {
      this.finish({ results: this.results });
    }
  }

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('dbspec does not feed COPY FROM STDIN');
  }

  handleCopyData(): void {}
}
