// The quit sequence, shared by the tray's Quit, the OS asking the app to quit and SIGTERM: stop
// scheduling, give in-flight transfers a bounded time, let the runner record 'cancelled', close the
// database, then exit. Electron-free: shell/main.ts passes app.exit and the core's shutdown.

/** How long in-flight transfers may take to finish before they are aborted. */
export const QUIT_GRACE_MS = 10_000;
/** After the grace period, aborted runs still write their final rows and the DB checkpoints. */
const HARD_LIMIT_EXTRA_MS = 5_000;

export interface QuitSequenceOptions {
  /** AppCore.shutdown: scheduler.stop(graceMs), syncService.close(), store.close(). */
  shutdown(graceMs: number): Promise<void>;
  exit(code: number): void;
  /** Runs first, synchronously: hide windows, remove the tray, so the user sees the app going. */
  beforeShutdown?(): void;
  graceMs?: number;
  /** A shutdown that hangs (a provider that never answers) must not keep the process alive. */
  hardLimitMs?: number;
  onError?(err: unknown): void;
}

export interface QuitSequence {
  /** Starts the sequence; later calls return the same promise. */
  run(): Promise<void>;
  readonly started: boolean;
}

export function createQuitSequence(options: QuitSequenceOptions): QuitSequence {
  const graceMs = options.graceMs ?? QUIT_GRACE_MS;
  const hardLimitMs = options.hardLimitMs ?? graceMs + HARD_LIMIT_EXTRA_MS;
  let running: Promise<void> | undefined;

  const sequence = async (): Promise<void> => {
    let code = 0;
    let timer: NodeJS.Timeout | undefined;
    try {
      options.beforeShutdown?.();
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), hardLimitMs)));
      const result = await Promise.race([options.shutdown(graceMs).then(() => 'done' as const), timedOut]);
      if (result === 'timeout') {
        code = 1;
        options.onError?.(new Error(`shutdown did not finish within ${hardLimitMs} ms; exiting anyway`));
      }
    } catch (err) {
      code = 1;
      options.onError?.(err);
    } finally {
      clearTimeout(timer);
    }
    options.exit(code);
  };

  return {
    run() {
      running ??= sequence();
      return running;
    },
    get started() {
      return running !== undefined;
    },
  };
}
