// Runs one hook of a mapping (shared/hooks.ts): the argv without a shell, the run's details in CDS_
// environment variables, a JSON document on stdin, output captured (capped) for the run log, and a
// timeout that kills the process and, on POSIX, its whole process group.
import { spawn } from 'node:child_process';
import { DEFAULT_HOOK_TIMEOUT_SECONDS } from '../../shared/hooks';

/** Output kept per stream; the rest is counted and dropped so a chatty hook cannot fill the log. */
export const HOOK_OUTPUT_CAP_BYTES = 64 * 1024;

/**
 * The parent's variables a hook inherits. An allow-list, never process.env whole: under the CLI the
 * environment may hold AWS_SECRET_ACCESS_KEY, AZURE_STORAGE_KEY and the like, which a hook must not see.
 */
export const HOOK_INHERITED_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT', 'COMSPEC', 'PATHEXT', 'WINDIR'] as const;

export interface HookRequest {
  /** 'before' or 'after', for the messages. */
  name: string;
  argv: readonly string[];
  /** The CDS_ variables; added to the allow-listed ones. */
  env: Record<string, string>;
  /** Written to the hook's stdin, then closed. */
  stdin: string;
  timeoutSeconds?: number;
  /** Where each captured line goes: stdout at info, stderr at warn. */
  log: (level: 'info' | 'warn', message: string) => void;
  /** The environment to allow-list from (default process.env). */
  parentEnv?: NodeJS.ProcessEnv;
}

export interface HookResult {
  ok: boolean;
  /** Null when it succeeded; otherwise why it failed, naming the hook and its command. */
  error: string | null;
}

/** Builds a hook's environment: the allow-listed parent variables and the run's CDS_ ones. */
export function hookEnv(parentEnv: NodeJS.ProcessEnv, cds: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parentEnv)) {
    // Windows spells variables in any case (Path, SystemRoot); match the list case-insensitively.
    if (value !== undefined && HOOK_INHERITED_ENV.some((k) => k === key.toUpperCase())) env[key] = value;
  }
  return { ...env, ...cds };
}

/** Runs the hook to its end; never throws. */
export function runHook(req: HookRequest): Promise<HookResult> {
  const timeoutSeconds = req.timeoutSeconds ?? DEFAULT_HOOK_TIMEOUT_SECONDS;
  const label = `${req.name} hook ${JSON.stringify(req.argv[0] ?? '')}`;
  return new Promise((resolve) => {
    const detached = process.platform !== 'win32';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(req.argv[0]!, req.argv.slice(1), {
        shell: false,
        env: hookEnv(req.parentEnv ?? process.env, req.env),
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, so a timeout kills what it started too.
        detached,
        windowsHide: true,
      });
    } catch (err) {
      resolve({ ok: false, error: `${label} could not start: ${(err as Error).message}` });
      return;
    }
    const streams = { stdout: new Capture(), stderr: new Capture() };
    child.stdout!.on('data', (chunk: Buffer) => streams.stdout.add(chunk));
    child.stderr!.on('data', (chunk: Buffer) => streams.stderr.add(chunk));
    // A hook that does not read its stdin closes the pipe early (EPIPE): not the hook's failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(req.stdin);

    let timedOut = false;
    let startError: Error | null = null;
    const kill = (): void => {
      try {
        if (detached && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutSeconds * 1000);
    child.on('error', (err) => {
      startError = err;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Its children may still hold the group; they go with it once the hook itself is done.
      if (detached && !timedOut && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is already gone.
        }
      }
      streams.stdout.lines().forEach((line) => req.log('info', `${req.name} hook: ${line}`));
      streams.stderr.lines().forEach((line) => req.log('warn', `${req.name} hook: ${line}`));
      let error: string | null = null;
      if (startError) error = `${label} could not start: ${(startError as Error).message}`;
      else if (timedOut) error = `${label} timed out after ${timeoutSeconds} s and was killed`;
      else if (code !== 0) error = `${label} failed: ${code === null ? `killed by ${signal}` : `exit code ${code}`}`;
      resolve({ ok: error === null, error });
    });
  });
}

class Capture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;
  add(chunk: Buffer): void {
    const room = HOOK_OUTPUT_CAP_BYTES - this.kept;
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.kept += Math.min(room > 0 ? room : 0, chunk.length);
    this.dropped += Math.max(0, chunk.length - Math.max(room, 0));
  }
  lines(): string[] {
    const lines = Buffer.concat(this.chunks).toString('utf8').split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    if (this.dropped > 0) lines.push(`(${this.dropped} more bytes of output not kept)`);
    return lines;
  }
}
