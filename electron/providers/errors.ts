// The small error set every provider maps its SDK errors to, so retry logic and the UI never parse
// SDK messages.

export type StorageErrorCode =
  | 'NotFound' // bucket or object does not exist
  | 'AccessDenied' // credentials rejected or not allowed
  | 'InvalidConfig' // the connection settings cannot work (bad endpoint, bad name, unsupported type)
  | 'Throttled' // the service asked us to slow down: retry with backoff
  | 'Transient' // network hiccup, 5xx, timeout: retry with backoff
  | 'Fatal'; // anything else: do not retry

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options: { cause?: unknown; field?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
  }
  /** The configuration field the error is about, when there is one (e.g. "providers[1].aws.endpoint"). */
  readonly field: string | undefined;

  get retryable(): boolean {
    return this.code === 'Throttled' || this.code === 'Transient';
  }
}

/**
 * The object is another version than the one asked for (`read` with ifMatch), or changed while it
 * was read. Retryable: the next attempt looks the object up again and copies its new version.
 */
export class SourceChangedError extends StorageError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('Transient', message, options);
  }
}

/**
 * A batch delete that stopped part way: `removed` were deleted (or already missing), the rest
 * were not. Classed like the first failure.
 */
export class PartialRemoveError extends StorageError {
  constructor(
    code: StorageErrorCode,
    message: string,
    readonly removed: readonly string[],
    options: { cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}

/** True for the error an aborted AbortSignal produces (DOMException or SDK-specific AbortError). */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}

/**
 * Only the caller's own signal means "cancelled". An abort-looking error while `signal` has not
 * fired (an SDK that aborted its own request, a stream iterator torn down under us) is a failure of
 * that call, and a retryable one; anything else passes through unchanged.
 */
export function unexpectedAbortAsTransient(err: unknown, signal: AbortSignal | undefined, what: string): unknown {
  if (!isAbortError(err) || signal?.aborted) return err;
  return new StorageError('Transient', `${what}: aborted without a cancel (${(err as Error).message})`, { cause: err });
}

const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED',
  'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * Classifies network-level errors and HTTP status codes shared by every HTTP-based SDK.
 * Provider-specific mappers call this after handling their own error names.
 */
export function classifyHttpError(err: unknown, context: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as { code?: string; status?: number; statusCode?: number; $metadata?: { httpStatusCode?: number }; message?: string };
  const status = e?.$metadata?.httpStatusCode ?? e?.statusCode ?? e?.status;
  const message = `${context}: ${e?.message ?? String(err)}`;
  if (e?.code && TRANSIENT_NODE_CODES.has(e.code)) {
    // ECONNREFUSED/ENOTFOUND on the very first call usually means a wrong endpoint; callers that know
    // it is the first call may re-map to InvalidConfig.
    return new StorageError('Transient', message, { cause: err });
  }
  if (status === 404) return new StorageError('NotFound', message, { cause: err });
  if (status === 401 || status === 403) return new StorageError('AccessDenied', message, { cause: err });
  if (status === 429 || status === 503) return new StorageError('Throttled', message, { cause: err });
  if (status === 408 || (status !== undefined && status >= 500)) return new StorageError('Transient', message, { cause: err });
  if (status === 400) return new StorageError('Fatal', message, { cause: err });
  return new StorageError('Fatal', message, { cause: err });
}
