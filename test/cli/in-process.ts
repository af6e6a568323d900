// The CLI run in this process with its output captured: what the CLI tests call instead of spawning
// the command (test/scripts/cli-bin.test.ts covers the real executable).
import { runCli } from '../../electron/headless/run-cli';

export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string; output: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    version: '0.0.0-test',
    onShutdownRequest: () => () => undefined,
  });
  return { code, stdout, stderr, output: stdout + stderr };
}
