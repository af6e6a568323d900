// Calls `fn` at most once per `intervalMs`: the first call runs at once, calls during the interval
// collapse into one trailing call at its end (so the last state is never lost).
export interface Throttled {
  (): void;
  /** Drops a pending trailing call (on shutdown). */
  cancel(): void;
}

export function throttle(fn: () => void, intervalMs: number): Throttled {
  let timer: NodeJS.Timeout | undefined;
  let pending = false;
  const open = (): void => {
    timer = setTimeout(() => {
      timer = undefined;
      if (!pending) return;
      pending = false;
      fn();
      open();
    }, intervalMs);
    timer.unref?.();
  };
  const throttled = (): void => {
    if (timer) {
      pending = true;
      return;
    }
    fn();
    open();
  };
  throttled.cancel = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    pending = false;
  };
  return throttled;
}
