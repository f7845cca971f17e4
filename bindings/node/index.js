// The `verdict` package: the N-API addon (verdict.node, built from src/ by
// `npm run build`) and the names of its answers and error codes.
'use strict';
const addon = require('./verdict.node');

/** Decisions as `check` returns them. */
const Decision = Object.freeze({ ALLOW: 'allow', DENY: 'deny', IMPLICIT_DENY: 'implicit-deny' });
/** Cells as `checkIds` returns them. */
const Cell = Object.freeze({ ...Decision, CONDITIONAL: 'conditional' });
/** The `code` of every error thrown; the load errors are the first eight. */
const ErrorCode = Object.freeze({
  NOT_FOUND: 'VERDICT_NOT_FOUND',
  NOT_A_TABLE: 'VERDICT_NOT_A_TABLE',
  UNSUPPORTED_VERSION: 'VERDICT_UNSUPPORTED_VERSION',
  DAMAGED: 'VERDICT_DAMAGED',
  TOO_LARGE: 'VERDICT_TOO_LARGE',
  IO: 'VERDICT_IO',
  UNVERIFIED: 'VERDICT_UNVERIFIED',
  LOAD_ERROR: 'VERDICT_LOAD_ERROR',
  UNKNOWN_PRINCIPAL: 'VERDICT_UNKNOWN_PRINCIPAL',
  UNKNOWN_ACTION: 'VERDICT_UNKNOWN_ACTION',
  REQUEST_LIMIT: 'VERDICT_REQUEST_LIMIT',
  ID_OUT_OF_RANGE: 'VERDICT_ID_OUT_OF_RANGE',
  INVALID_ARGUMENT: 'VERDICT_INVALID_ARGUMENT',
});
const LOAD_CODES = new Set(Object.values(ErrorCode).slice(0, 8));

/** True if `err` is a table load error (of any kind). */
function isLoadError(err) {
  return err instanceof Error && LOAD_CODES.has(err.code);
}

module.exports = {
  Table: addon.Table,
  TableHandle: addon.TableHandle,
  Decision,
  Cell,
  ErrorCode,
  isLoadError,
};
