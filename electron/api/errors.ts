// Every error a command can end with, turned into the contract's ApiError: plain, serialisable,
// never a stack. Handlers throw ApiFailure for their own refusals; errors of the layers below keep
// their meaning through their codes (StorageError, ConfigError, StoreError, SchedulerError).
import type { ApiError, ApiErrorCode } from '../../shared/contract';
import { ConfigError } from '../../shared/config';
import { isAbortError, StorageError } from '../providers/errors';
import { StoreError } from '../store';
import { SchedulerError } from '../sync/scheduler';

/** A refusal by a handler or an argument validator. */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function invalidArgument(field: string, message: string): ApiFailure {
  return new ApiFailure('InvalidArgument', `${field}: ${message}`, field);
}

const RETRYABLE: ReadonlySet<ApiErrorCode> = new Set(['Throttled', 'Transient']);

// Config paths that name no field of the input.
const NO_FIELD = new Set(['', '(root)', '(file)']);

export function toApiError(err: unknown): ApiError {
  const { code, message, field } = classify(err);
  return {
    code,
    message,
    ...(field !== undefined && !NO_FIELD.has(field) ? { field } : {}),
    retryable: RETRYABLE.has(code),
  };
}

function classify(err: unknown): { code: ApiErrorCode; message: string; field?: string } {
  if (err instanceof ApiFailure) return err;
  if (err instanceof StorageError) return { code: err.code, message: err.message, field: err.field };
  if (err instanceof ConfigError) return { code: 'InvalidArgument', message: err.message, field: err.field };
  if (err instanceof StoreError) return { code: storeErrorCode(err), message: err.message };
  // The scheduler's only error: a mapping it does not know.
  if (err instanceof SchedulerError) return { code: 'NotFound', message: err.message };
  if (isAbortError(err)) return { code: 'Transient', message: 'the operation was aborted (timed out or cancelled); try again' };
  const detail = err instanceof Error ? err.message : String(err);
  return { code: 'Fatal', message: `Internal error: ${detail}` };
}

function storeErrorCode(err: StoreError): ApiErrorCode {
  switch (err.code) {
    case 'InUse':
    case 'InvalidReference':
      return 'Conflict';
    case 'NotFound':
      return 'NotFound';
    case 'SecretsUnavailable':
      return 'InvalidConfig';
    default:
      return 'Fatal';
  }
}
