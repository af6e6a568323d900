// Command-line flags of the headless CLI. Kept compatible with the original Go tool
// (--config, --once, --interval, --generate-config; single or double dash, `--flag=value` or `--flag value`).
import { LOG_LEVELS, type LogLevel } from '../../shared/log-levels';
import { isLoopbackName, splitHostPort } from '../../shared/metrics-addr';

export type LogFormat = 'text' | 'json';

/** What the CLI and serve both take for operations (electron/ops/): log format, metrics, traces. */
export interface OpsArgs {
  /** text: lines for people (default); json: one JSON object a line (electron/ops/json-log.ts). */
  logFormat: LogFormat;
  /** HOST:PORT of an unauthenticated Prometheus /metrics listener (loopback unless --allow-remote); null: none. */
  metricsAddr: string | null;
  /** OTLP/HTTP endpoint traces are sent to (…/v1/traces is added when absent); null: no traces. */
  otlpEndpoint: string | null;
}

export interface CliArgs extends OpsArgs {
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
  /** node_exporter textfile the metrics are written to after every run (atomically); null: none. */
  metricsFile: string | null;
  /** With command 'help': `serve --help` asks for serve's own help (SERVE_USAGE). */
  helpTopic?: 'serve';
}

/** `cloud-data-sync serve`: the web UI and the contract over HTTP/WebSocket (electron/server/). */
export interface ServeArgs extends OpsArgs {
  command: 'serve';
  host: string;
  port: number;
  /** Binding a non-loopback host needs this flag: the server would be reachable from the network. */
  allowRemote: boolean;
  /** null: the default database in the user's data folder. */
  dbPath: string | null;
  logLevel: LogLevel;
  /** PEM certificate and key files: serve over HTTPS/WSS. */
  tlsCert: string | null;
  tlsKey: string | null;
  /** Generate (once, kept beside the database) and use a self-signed certificate; its SHA-256 fingerprint is printed. */
  tlsSelfSigned: boolean;
}

/** `cloud-data-sync handoff`: prints the requests that hand a mapping's copy to a cloud transfer service (shared/handoff.ts). */
export interface HandoffArgs {
  command: 'handoff';
  configPath: string;
  /** The mapping's name or id. */
  mapping: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DEFAULT_INTERVAL_SECONDS = 300;
export const DEFAULT_SERVE_PORT = 8384;

export const USAGE = `Usage: cloud-data-sync [options]
       cloud-data-sync serve [serve options]
       cloud-data-sync handoff --config PATH --mapping NAME

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
  --log-format FORMAT       text | json (default: text); json writes one object a line on stderr
  --metrics-file PATH       after every run, write Prometheus metrics to PATH (node_exporter's textfile
                            collector format, replaced atomically)
  --metrics-addr HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics while running
                            (no token; HOST must be loopback unless --allow-remote is given)
  --allow-remote            allow a --metrics-addr HOST other than loopback
  --otlp-endpoint URL       send OpenTelemetry traces over OTLP/HTTP (JSON) to the collector at URL
                            (/v1/traces is added unless URL ends with it; default:
                            $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or $OTEL_EXPORTER_OTLP_ENDPOINT
                            + /v1/traces; none when unset)
  --help                    show this help
  --version                 show the version

Handoff: \`cloud-data-sync handoff --mapping NAME\` prints, as JSON, the requests that would have Google
Storage Transfer Service (to GCS) or AWS DataSync (to S3) copy that mapping inside the clouds, and what
to run afterwards; it calls nothing (docs/scale-out.md).

Serve: \`cloud-data-sync serve --help\` lists its options (TLS, /healthz, /metrics) and how to run it
as a service (Docker, systemd).

Exit codes: 0 all mappings succeeded; 1 an object or a run failed; 2 bad usage or configuration;
75 the database is in use by another process (named in the message); 130 interrupted.`;

/** `cloud-data-sync serve --help`: serve's flags, its endpoints, and how to run it as a service. */
export const SERVE_USAGE = `Usage: cloud-data-sync serve [options]

Runs the app headless: the web UI and its API on http://127.0.0.1:${DEFAULT_SERVE_PORT}, with the same engine,
scheduler and database as the desktop app, until SIGINT/SIGTERM (runs in flight get 10 s to finish;
a second signal aborts them).

Options:
  --host HOST               address to listen on (default: 127.0.0.1; 0.0.0.0 or :: for every interface)
  --port PORT               port to listen on (default: ${DEFAULT_SERVE_PORT}; 0 picks a free one, printed at start)
  --allow-remote            allow a --host or --metrics-addr other than loopback (reachable from the network)
  --db PATH                 database (default: $XDG_DATA_HOME/cloud-data-sync/data.db, or
                            ~/.local/share/cloud-data-sync/data.db). Its folder also keeps secret.key (it
                            encrypts connection secrets) and, with --tls-self-signed, tls-cert.pem and
                            tls-key.pem: back the folder up whole, and keep it private
  --tls-cert PATH           serve HTTPS and WSS with this PEM certificate (the chain, server first) ...
  --tls-key PATH            ... and this PEM private key (not encrypted)
  --tls-self-signed         serve HTTPS and WSS with a self-signed certificate, made on the first start and
                            kept beside the database (renewed 30 days before its end)
  --log-level LEVEL         debug | info | warn | error (default: info); debug also lists every object
  --log-format FORMAT       text | json (default: text); json writes one object a line on stderr
  --metrics-addr HOST:PORT  also serve Prometheus metrics at http://HOST:PORT/metrics, without the token
  --otlp-endpoint URL       send OpenTelemetry traces to the OTLP/HTTP collector at URL (as above)
  --help                    show this help

The token: every request needs it. It is $CDS_SERVER_TOKEN (at least 16 characters; best 64 random
hex digits: openssl rand -hex 32), or else a random one; the URL printed at start carries it, and the
page trades it for a cookie. Scripts send "Authorization: Bearer TOKEN".

TLS: with --tls-cert/--tls-key or --tls-self-signed the URL printed is https://, followed by a line
"SHA-256 fingerprint: AB:CD:...", the certificate's as browsers show it. Before you send the token
over the network, check that your browser shows that fingerprint, or pin it in the client. Without
TLS, a --host other than loopback sends the token in clear: use a TLS flag or a TLS proxy in front.

Endpoints:
  /               the web UI (built by \`npm run build\`); needs the token
  /ws             the API, a WebSocket (wss:// under TLS); needs the token
  GET /metrics    Prometheus metrics; needs the token (or use --metrics-addr)
  GET /healthz    no token: 200 {"status":"ok",...} while running with a readable database; 503 while
                  starting or stopping, or when the database fails. HEAD works too. It names nothing

As a service:
  Docker   the Dockerfile at the top of the source tree; the volume /data holds the database, its key
           and the TLS files; the token comes from the environment; its HEALTHCHECK probes /healthz:
             docker build -t cloud-data-sync .
             docker run -d --init -p 127.0.0.1:${DEFAULT_SERVE_PORT}:${DEFAULT_SERVE_PORT} -v cds-data:/data \\
               -e CDS_SERVER_TOKEN=$(openssl rand -hex 32) cloud-data-sync
  systemd  deploy/cloud-data-sync.service (its own user, state in /var/lib/cloud-data-sync, read-only
           system) with the token in /etc/cloud-data-sync/env (deploy/cloud-data-sync.env.example)
  README, "Operations", has the steps.

Exit codes: 0 stopped by SIGINT/SIGTERM; 2 bad usage or configuration (a certificate or key that cannot
be used, a port in use, a short token); 75 the database is in use by another process (named).`;

/** The help `--help` shows: the general one, or serve's. */
export function helpText(args: CliArgs): string {
  return args.helpTopic === 'serve' ? SERVE_USAGE : USAGE;
}

export function parseArgs(argv: readonly string[]): CliArgs | ServeArgs | HandoffArgs {
  if (argv[0] === 'serve') return parseServeArgs(argv.slice(1));
  if (argv[0] === 'handoff') return parseHandoffArgs(argv.slice(1));
  const args: CliArgs = {
    command: 'sync',
    configPath: 'config.json',
    once: false,
    intervalSeconds: DEFAULT_INTERVAL_SECONDS,
    dryRun: false,
    logLevel: 'info',
    shutdownTimeoutSeconds: 30,
    force: false,
    metricsFile: null,
    ...defaultOps(),
  };
  let allowRemote = false;
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
      case 'metrics-file':
        args.metricsFile = nonEmpty(name, value());
        break;
      case 'allow-remote':
        // Only what --metrics-addr needs: the CLI has no other listener.
        allowRemote = parseBool(name, inline);
        break;
      case 'help':
      case 'h':
        args.command = 'help';
        break;
      case 'version':
        args.command = 'version';
        break;
      default:
        if (readOpsFlag(args, name, value)) break;
        throw new UsageError(`unknown option "${raw}" (see --help)`);
    }
  }
  checkMetricsAddr(args.metricsAddr, allowRemote);
  return args;
}

/** `serve` without options (tests and embedders start from it). */
export function serveDefaults(): ServeArgs {
  return {
    command: 'serve',
    host: '127.0.0.1',
    port: DEFAULT_SERVE_PORT,
    allowRemote: false,
    dbPath: null,
    logLevel: 'info',
    tlsCert: null,
    tlsKey: null,
    tlsSelfSigned: false,
    ...defaultOps(),
  };
}

function parseServeArgs(argv: readonly string[]): ServeArgs | CliArgs {
  const args = serveDefaults();
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
      case 'tls-cert':
        args.tlsCert = nonEmpty(name, value());
        break;
      case 'tls-key':
        args.tlsKey = nonEmpty(name, value());
        break;
      case 'tls-self-signed':
        args.tlsSelfSigned = parseBool(name, inline);
        break;
      case 'help':
      case 'h':
        return { ...(parseArgs(['--help']) as CliArgs), helpTopic: 'serve' };
      default:
        if (readOpsFlag(args, name, value)) break;
        throw new UsageError(`unknown option "${raw}" for serve (see --help)`);
    }
  }
  if ((args.tlsCert === null) !== (args.tlsKey === null)) throw new UsageError('--tls-cert and --tls-key go together: give both, or --tls-self-signed');
  if (args.tlsSelfSigned && args.tlsCert !== null) throw new UsageError('--tls-self-signed and --tls-cert/--tls-key exclude each other: choose one');
  checkMetricsAddr(args.metricsAddr, args.allowRemote);
  return args;
}

function parseHandoffArgs(argv: readonly string[]): HandoffArgs | CliArgs {
  const args: HandoffArgs = { command: 'handoff', configPath: 'config.json', mapping: '', logLevel: 'info', logFormat: 'text' };
  for (const { raw, name, value } of readFlags(argv)) {
    switch (name) {
      case 'config':
        args.configPath = nonEmpty(name, value());
        break;
      case 'mapping':
        args.mapping = nonEmpty(name, value());
        break;
      case 'help':
      case 'h':
        return parseArgs(['--help']) as CliArgs;
      default:
        throw new UsageError(`unknown option "${raw}" for handoff (it takes --config and --mapping)`);
    }
  }
  if (args.mapping === '') throw new UsageError('handoff needs --mapping NAME (the name or id of a mapping in the configuration)');
  return args;
}

function defaultOps(): OpsArgs {
  return { logFormat: 'text', metricsAddr: null, otlpEndpoint: null };
}

/** The flags CLI and serve share; false when `name` is none of them. */
function readOpsFlag(args: OpsArgs, name: string, value: () => string): boolean {
  switch (name) {
    case 'log-format': {
      const format = value();
      if (format !== 'text' && format !== 'json') throw new UsageError(`--log-format must be text or json, got "${format}"`);
      args.logFormat = format;
      return true;
    }
    case 'metrics-addr':
      args.metricsAddr = value();
      parseHostPort('metrics-addr', args.metricsAddr);
      return true;
    case 'otlp-endpoint': {
      const url = value();
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`--otlp-endpoint must be an http:// or https:// URL, got "${url}"`);
      args.otlpEndpoint = url;
      return true;
    }
    default:
      return false;
  }
}

/** HOST:PORT, [IPv6]:PORT; the port may be 0 (a free one, printed at start). */
export function parseHostPort(flag: string, text: string): { host: string; port: number } {
  const hostPort = splitHostPort(text);
  if (!hostPort) throw new UsageError(`--${flag} must be HOST:PORT (e.g. 127.0.0.1:9464), got "${text}"`);
  return hostPort;
}

function checkMetricsAddr(addr: string | null, allowRemote: boolean): void {
  if (addr === null) return;
  const { host } = parseHostPort('metrics-addr', addr);
  if (!allowRemote && !isLoopbackName(host)) throw new UsageError(`--metrics-addr ${addr} is not a loopback address: metrics have no token, so pass --allow-remote to expose them to the network`);
}

function nonEmpty(name: string, text: string): string {
  if (text === '') throw new UsageError(`--${name} needs a value`);
  return text;
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
