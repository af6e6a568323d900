// What the CLI and `serve` share: their exit codes and what they need from the process. A module of
// its own so that server/serve.ts needs nothing of run-cli.ts, which loads serve.ts for `serve`.
import type { ConsoleStreams } from './console-log';

/** `locked` is sysexits' EX_TEMPFAIL: another process has the database; trying again later may work. */
export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 75, interrupted: 130 } as const;

export interface CliEnvironment extends ConsoleStreams {
  /** Signals that request a graceful stop; the second one aborts at once. */
  onShutdownRequest(listener: (signal: string) => void): () => void;
  version: string;
}
