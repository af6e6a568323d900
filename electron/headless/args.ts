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

/** `cloud-data-sync serve`: the web UI and the contract over HTTP/WebSocket (electron/server/). */
export interface ServeArgs {
  command: 'serve';
  host: string;
  port: number;
  /** Binding a non-loopback host needs this flag: the server would be reachable from the network. */
  allowRemote: boolean;
  /** null: the default database in the user's data folder. */
  dbPath: string | null;
  logLevel: LogLevel;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DEFAULT_INTERVAL_SECONDS = 300;
export const DEFAULT_SERVE_PORT = 8384;

export const USAGE = `Usage: cloud-data-sync [options]
       cloud-data-sync serve [serve options]

Mirrors each mapping's source bucket into its target bucket, as described in a config.json.
\`serve\` runs the app headless instead: the web UI and its API on http://127.0.0.1:${DEFAULT_SERVE_PORT}.

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

Serve options:
  --host HOST               address to listen on (default: 127.0.0.1)
  --port PORT               port to listen on (default: ${DEFAULT_SERVE_PORT})
  --allow-remote            allow a --host other than loopback (the UI would be reachable from the network)
  --db PATH                 database (default: $XDG_DATA_HOME/cloud-data-sync/data.db, or
                            ~/.local/share/cloud-data-sync/data.db); secret.key beside it encrypts secrets
  --log-level LEVEL         as above
  The access token is $CDS_SERVER_TOKEN, or a random one; the URL printed at start carries it.

Exit codes: 0 all mappings succeeded; 1 an object or a run failed; 2 bad usage or configuration;
75 the database is in use by another process (named in the message); 130 interrupted.`;

export function parseArgs(argv: readonly string[]): CliArgs | ServeArgs {
  if (argv[0] === 'serve') return parseServeArgs(argv.slice(1));
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
  for (const { raw, name, inline, value } of readFlags(argv)) {
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
      case 'log-level':
        args.logLevel = parseLogLevel(value());
        break;
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

function parseServeArgs(argv: readonly string[]): ServeArgs | CliArgs {
  const args: ServeArgs = { command: 'serve', host: '127.0.0.1', port: DEFAULT_SERVE_PORT, allowRemote: false, dbPath: null, logLevel: 'info' };
  for (const { raw, name, inline, value } of readFlags(argv)) {
    switch (name) {
      case 'host':
        args.host = value();
        if (args.host === '') throw new UsageError('--host needs a value');
        break;
      case 'port':
        args.port = parsePort(value());
        break;
      case 'allow-remote':
        args.allowRemote = parseBool(name, inline);
        break;
      case 'db':
        args.dbPath = value();
        break;
      case 'log-level':
        args.logLevel = parseLogLevel(value());
        break;
      case 'help':
      case 'h':
        return parseArgs(['--help']);
      default:
        throw new UsageError(`unknown option "${raw}" for serve (see --help)`);
    }
  }
  return args;
}

function parseLogLevel(level: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return level as LogLevel;
}

/** 0 lets the system pick a free port (printed at start). */
function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got "${text}"`);
  return n;
}

interface Flag {
  raw: string;
  name: string;
  inline: string | undefined;
  /** The flag's value: after `=`, or the next argument (which it then consumes). */
  value(): string;
}

function* readFlags(argv: readonly string[]): Generator<Flag> {
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
    yield { raw, name, inline, value };
  }
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
