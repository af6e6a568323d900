// Command-line flags of the headless CLI. Kept compatible with the original Go tool
// (--config, --once, --interval, --generate-config; single or double dash, `--flag=value` or `--flag value`).
import { LOG_LEVELS, type LogLevel } from '../../shared/model';

export interface CliArgs {
  command: 'sync' | 'generate-config' | 'help' | 'version';
  configPath: string;
  once: boolean;
  intervalSeconds: number;
  dryRun: boolean;
  logLevel: LogLevel;
  /** Seconds in-flight transfers get to finish after SIGINT/SIGTERM before they are aborted. */
  shutdownTimeoutSeconds: number;
  /** --generate-config overwrites an existing file only with --force. */
  force: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DEFAULT_INTERVAL_SECONDS = 300;

export const USAGE = `Usage: cloud-data-sync [options]

Mirrors each mapping's source bucket into its target bucket, as described in a config.json.

Options:
  --config PATH             configuration file (default: config.json)
  --once                    run every mapping once and exit
  --interval SECONDS        seconds between runs in continuous mode (default: ${DEFAULT_INTERVAL_SECONDS});
                            a mapping's own "intervalSeconds" takes precedence
  --dry-run                 plan only: report what would be copied and deleted, change nothing
  --log-level LEVEL         debug | info | warn | error (default: info); debug also lists every object
  --shutdown-timeout SECS   on SIGINT/SIGTERM, time given to in-flight transfers (default: 30)
  --generate-config         write a sample configuration to --config's path and exit
  --force                   let --generate-config overwrite an existing file
  --help                    show this help
  --version                 show the version

Exit codes: 0 all mappings succeeded; 1 an object or a run failed; 2 bad usage or configuration;
130 interrupted.`;

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {
    command: 'sync',
    configPath: 'config.json',
    once: false,
    intervalSeconds: DEFAULT_INTERVAL_SECONDS,
    dryRun: false,
    logLevel: 'info',
    shutdownTimeoutSeconds: 30,
    force: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    if (!raw.startsWith('-')) throw new UsageError(`unexpected argument "${raw}"`);
    const [name, inline] = splitFlag(raw);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      return next;
    };
    switch (name) {
      case 'config':
        args.configPath = value();
        break;
      case 'once':
        args.once = parseBool(name, inline);
        break;
      case 'interval':
        args.intervalSeconds = parsePositiveInt(name, value());
        break;
      case 'dry-run':
        args.dryRun = parseBool(name, inline);
        break;
      case 'log-level': {
        const level = value();
        if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
        args.logLevel = level as LogLevel;
        break;
      }
      case 'shutdown-timeout':
        args.shutdownTimeoutSeconds = parsePositiveInt(name, value());
        break;
      case 'generate-config':
        if (parseBool(name, inline)) args.command = 'generate-config';
        break;
      case 'force':
        args.force = parseBool(name, inline);
        break;
      case 'help':
      case 'h':
        args.command = 'help';
        break;
      case 'version':
        args.command = 'version';
        break;
      default:
        throw new UsageError(`unknown option "${raw}" (see --help)`);
    }
  }
  return args;
}

function splitFlag(raw: string): [string, string | undefined] {
  const body = raw.replace(/^--?/, '');
  const eq = body.indexOf('=');
  return eq < 0 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}

/** Go's flag package accepts `-once=true`; so do we. */
function parseBool(name: string, inline: string | undefined): boolean {
  if (inline === undefined || inline === 'true' || inline === '1') return true;
  if (inline === 'false' || inline === '0') return false;
  throw new UsageError(`--${name} takes no value or true/false, got "${inline}"`);
}

function parsePositiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number of seconds, got "${text}"`);
  return n;
}
