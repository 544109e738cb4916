/**
 * Statements that begin or end a transaction, from the parse tree. A `transaction` step runs its statements
 * inside a transaction dbspec opens and ends (COMMIT, or ROLLBACK with `rollback: true`): a COMMIT written in
 * it would make the rows stay, a BEGIN would only warn. Savepoints stay inside the transaction and are fine.
 */

const ENDS: Readonly<Record<string, string>> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

/** The statement's name (`COMMIT`) when it begins or ends a transaction; undefined for anything else. */
export const transactionControlOf = (tree: unknown): string | undefined => {
  const kind = (tree as { TransactionStmt?: { kind?: string } } | undefined)?.TransactionStmt?.kind;
  return kind === undefined ? undefined : ENDS[kind];
};
