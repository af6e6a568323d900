import { describe, expect, it } from 'vitest';
import { StorageError } from '../../electron/providers/errors';
import { backoffDelay, isRetryable, withRetry } from '../../electron/providers/retry';

const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe('retry policy', () => {
  it('retries transient and throttled errors only', () => {
    expect(isRetryable(new StorageError('Transient', 'x'))).toBe(true);
    expect(isRetryable(new StorageError('Throttled', 'x'))).toBe(true);
    for (const code of ['NotFound', 'AccessDenied', 'InvalidConfig', 'Fatal'] as const) expect(isRetryable(new StorageError(code, 'x'))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
  });

  it('grows the backoff ceiling exponentially and caps it, with full jitter', () => {
    const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });

  it('succeeds after transient failures and stops at the attempt limit', async () => {
    let calls = 0;
    await expect(withRetry(async () => { if (++calls < 3) throw new StorageError('Transient', 'flaky'); return 'ok'; }, fast)).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(withRetry(async () => { calls++; throw new StorageError('Transient', 'down'); }, fast)).rejects.toThrow('down');
    expect(calls).toBe(3);
  });

  it('does not retry a fatal error', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new StorageError('AccessDenied', 'no'); }, fast)).rejects.toThrow('no');
    expect(calls).toBe(1);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const slow = { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const pending = withRetry(async () => { throw new StorageError('Transient', 'x'); }, slow, { signal: controller.signal, onRetry: () => controller.abort() });
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
