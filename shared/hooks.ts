// A mapping's hooks (issue 11 part 3): a command run before and one after each run, each an argv
// (the program and its arguments, started without a shell, so no quoting or expansion happens).

export interface MappingHooks {
  /** Runs before anything is listed; a non-zero exit, a failure to start or a timeout fails the run. */
  before?: string[];
  /** Runs once the run's outcome is recorded; its failure is logged and changes nothing. */
  after?: string[];
  /** Each hook is killed after this many seconds (default DEFAULT_HOOK_TIMEOUT_SECONDS). */
  timeoutSeconds?: number;
}

export const DEFAULT_HOOK_TIMEOUT_SECONDS = 60;
export const MAX_HOOK_TIMEOUT_SECONDS = 86_400;
