// The headless CLI: reads the original tool's config.json, keeps sync state and history in SQLite,
// and runs every mapping once (--once) or on an interval until SIGINT/SIGTERM. This module only reads
// the arguments: --help and --version answer without loading the engine, the SDKs, SQLite or the JSON
// logger (a command that starts instantly), and each command loads what it needs.
import { helpText, parseArgs, UsageError, USAGE, type CliArgs, type HandoffArgs, type ServeArgs } from './args';
import { openConsoleLog } from './console-log';
import { EXIT, type CliEnvironment } from './exit-codes';

export async function runCli(argv: readonly string[], env: CliEnvironment): Promise<number> {
  let args: CliArgs | ServeArgs | HandoffArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    env.stderr.write(`cloud-data-sync: ${err.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  // Plain text whatever --log-format says: what a person asked to read.
  if (args.command === 'help' || args.command === 'version') {
    env.stdout.write(`${args.command === 'help' ? helpText(args) : env.version}\n`);
    return EXIT.ok;
  }
  const log = await openConsoleLog(env, args.logLevel, args.logFormat);
  switch (args.command) {
    case 'generate-config':
      return (await import('./sync-command')).generateConfig(args, log);
    case 'sync':
      return (await import('./sync-command')).sync(args, log, env);
    case 'handoff':
      return (await import('./handoff-command')).handoff(args, log);
    case 'serve': {
      // Loaded only for this command: it brings the whole app (API, scheduler, HTTP, WebSocket).
      const { runServe } = await import('../server/serve');
      return runServe(args, log, env);
    }
  }
}
