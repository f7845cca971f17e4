// Types of the `verdict` Node package (the N-API addon and index.js).

export type Decision = 'allow' | 'deny' | 'implicit-deny';
export type Cell = Decision | 'conditional';

export declare const Decision: {
  readonly ALLOW: 'allow';
  readonly DENY: 'deny';
  readonly IMPLICIT_DENY: 'implicit-deny';
};
export declare const Cell: typeof Decision & { readonly CONDITIONAL: 'conditional' };

/** The `code` of a thrown error. */
export type ErrorCode =
  | 'VERDICT_NOT_FOUND'
  | 'VERDICT_NOT_A_TABLE'
  | 'VERDICT_UNSUPPORTED_VERSION'
  | 'VERDICT_DAMAGED'
  | 'VERDICT_TOO_LARGE'
  | 'VERDICT_IO'
  | 'VERDICT_UNVERIFIED'
  | 'VERDICT_LOAD_ERROR'
  | 'VERDICT_UNKNOWN_PRINCIPAL'
  | 'VERDICT_UNKNOWN_ACTION'
  | 'VERDICT_REQUEST_LIMIT'
  | 'VERDICT_ID_OUT_OF_RANGE'
  | 'VERDICT_INVALID_ARGUMENT';
export declare const ErrorCode: {
  readonly NOT_FOUND: 'VERDICT_NOT_FOUND';
  readonly NOT_A_TABLE: 'VERDICT_NOT_A_TABLE';
  readonly UNSUPPORTED_VERSION: 'VERDICT_UNSUPPORTED_VERSION';
  readonly DAMAGED: 'VERDICT_DAMAGED';
  readonly TOO_LARGE: 'VERDICT_TOO_LARGE';
  readonly IO: 'VERDICT_IO';
  readonly UNVERIFIED: 'VERDICT_UNVERIFIED';
  readonly LOAD_ERROR: 'VERDICT_LOAD_ERROR';
  readonly UNKNOWN_PRINCIPAL: 'VERDICT_UNKNOWN_PRINCIPAL';
  readonly UNKNOWN_ACTION: 'VERDICT_UNKNOWN_ACTION';
  readonly REQUEST_LIMIT: 'VERDICT_REQUEST_LIMIT';
  readonly ID_OUT_OF_RANGE: 'VERDICT_ID_OUT_OF_RANGE';
  readonly INVALID_ARGUMENT: 'VERDICT_INVALID_ARGUMENT';
};

/** An error thrown by the addon. */
export interface VerdictError extends Error {
  code: ErrorCode;
}

/** True if `err` is a table load error (not found, not a table, damaged, …). */
export declare function isLoadError(err: unknown): err is VerdictError;

/** A context value: a string, a boolean or an integer (read as its text), or a list (multivalued). */
export type ContextScalar = string | boolean | number;
export type Context = Record<string, ContextScalar | ContextScalar[]>;

/** One request, as a `verdict check --batch` line. */
export interface CheckRequest {
  principal: string;
  action: string;
  resource?: string | null;
  context?: Context | null;
}

/** A loaded decision table, immutable. */
export declare class Table {
  private constructor();
  static open(path: string): Table;
  static fromBytes(data: Buffer): Table;
  check(principal: string, action: string, resource?: string | null, context?: Context | null): Decision;
  checkMany(requests: CheckRequest[]): Decision[];
  principal(name: string): number;
  action(name: string): number;
  checkIds(principal: number, action: number): Cell;
  checkIdsWith(principal: number, action: number, resource?: string | null, context?: Context | null): Decision;
  readonly fingerprint: string;
  readonly principalCount: number;
  readonly actionCount: number;
}

/** A reloadable table: each check and each batch is answered by one table, never a mix. */
export declare class TableHandle {
  private constructor();
  static open(path: string): TableHandle;
  static fromBytes(data: Buffer): TableHandle;
  reload(): number;
  reloadFromBytes(data: Buffer): number;
  readonly generation: number;
  readonly lastError: string | null;
  readonly lastErrorCode: ErrorCode | null;
  current(): Table;
  check(principal: string, action: string, resource?: string | null, context?: Context | null): Decision;
  checkMany(requests: CheckRequest[]): Decision[];
  readonly fingerprint: string;
}
