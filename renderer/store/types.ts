// The slice-creator type every slice uses, and the one way actions turn a failed call into data (an
// Envelope) instead of an exception the UI might forget to catch. The combined store type is in
// app-state.ts: slices name only the other slices they use, so no slice imports the whole store.
import type { StateCreator } from 'zustand';
import { API_ERROR_CODES, type ApiError, type ContractClient, type Envelope } from '../../shared/contract';
/** What slices need from outside: the contract client (injected, so tests pass a fake) and a clock. */
export interface StoreDeps {
  api: ContractClient;
  now: () => number;
}

/**
 * A slice's creator. `Uses` is what the slice reads from other slices through get(), e.g.
 * `Pick<UiSlice, 'reportError'>`: the slice depends on those, not on the whole store.
 */
export type SliceCreator<Slice, Uses = unknown> = StateCreator<Slice & Uses, [], [], Slice>;

/** Loading state of a list fetched from the API. 'idle' = never asked yet. */
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Any thrown value as the contract's error shape (ApiCallError already is one). */
export function toApiError(error: unknown): ApiError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const e = error as Partial<ApiError>;
    if (typeof e.message === 'string' && (API_ERROR_CODES as readonly unknown[]).includes(e.code)) {
      return { code: e.code as ApiError['code'], message: e.message, field: e.field, retryable: e.retryable === true };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'Fatal', message: message || 'Unknown error', retryable: false };
}

/** Runs a call and returns its result or its error as an envelope; never throws. */
export async function attempt<T>(call: () => Promise<T>): Promise<Envelope<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: toApiError(error) };
  }
}
