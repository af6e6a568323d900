// The one contract between the renderer and the main process (Electron IPC or the headless server's
// WebSocket): a map of commands (name → args → result) and a map of events (name → payload).
// Main registers handlers through a mapped type over `Commands`, so a missing or mistyped handler
// does not compile; the renderer's client derives its types from the same maps. The arguments'
// types are inferred from one schema per shape (contract-args.ts), which electron/api/validate.ts
// checks them with at run time (never trust the other side of a process boundary). Only types are
// imported from there, so the renderer does not bundle the schemas.
import type * as v from 'valibot';
import type { AlertsInput, AlertsView } from './alerts';
import type { ALERTS_INPUT, APP_SETTINGS, COMMAND_ARGS, CONNECTION_INPUT, MAPPING_INPUT } from './contract-args';
import type {
  ConnectionSettings,
  ConnectionTestResult,
  LogLevel,
  Mapping,
  ProgressSnapshot,
  ProviderType,
  RunStatus,
  RunSummary,
} from './model';
import type { PublicConnectionSettings } from './providers';

// ---- Errors ------------------------------------------------------------------------------------

export const API_ERROR_CODES = [
  'InvalidArgument', // the request itself is wrong (a field is missing or malformed): see `field`
  'NotFound',
  'Conflict', // e.g. deleting a connection that mappings still use
  'AccessDenied',
  'InvalidConfig',
  'Throttled',
  'Transient',
  'Fatal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** What crosses the boundary when a command fails: plain, serialisable, never a stack or a secret. */
export interface ApiError {
  code: ApiErrorCode;
  message: string;
  /** The argument field the error is about, e.g. "aws.endpoint" or "sourceBucket". */
  field?: string;
  retryable: boolean;
}

// ---- Views (what the renderer sees) -------------------------------------------------------------

/**
 * A connection as the renderer sees it: settings without any secret value, and for each secret
 * field whether it is set. Secret values never leave the main process.
 */
export type ConnectionView = {
  id: string;
  name: string;
  secretsSet: Record<string, boolean>;
  /** The last test of the saved settings (absent: none since they last changed); kept across restarts. */
  lastTest?: { result: ConnectionTestResult; at: number };
} & PublicConnectionSettings;

/**
 * Create/update input. Secret fields: a string sets it, '' clears it, absent keeps the stored value
 * (an edit form only knows "set / replace").
 */
export type ConnectionInput = v.InferOutput<typeof CONNECTION_INPUT>;

export type MappingState = 'idle' | 'queued' | 'running' | 'paused' | 'disabled';

export interface MappingStatus {
  mappingId: string;
  state: MappingState;
  /** A sync-now arrived while running: exactly one more run follows. */
  followUpQueued: boolean;
  /** When the scheduler will start it next (ms since epoch); null when not scheduled. */
  nextRunAt: number | null;
  lastRun: RunSummary | null;
  /**
   * Grows with every change the scheduler announces: of two statuses of one mapping, the one with the
   * larger version is the newer. A list fetched before a run started can arrive after the run's
   * status event; the renderer keeps the newer status, not the last to arrive. 0: not scheduled yet.
   */
  version: number;
}

/**
 * A mapping as the renderer sees it: its alerts without URLs or secret (AlertsView: each URL's origin,
 * whether a secret is set; shared/alerts.ts). Absent alerts: none.
 */
export type MappingView = Omit<Mapping, 'alerts'> & { alerts?: AlertsView; status: MappingStatus };

/**
 * Create/update input: every mapping field except the id, which is assigned on create. `alerts` is
 * an AlertsInput (shared/alerts.ts): URLs and secret left out keep the stored ones; absent or null: none.
 */
export type MappingInput = v.InferOutput<typeof MAPPING_INPUT>;

// The schemas' types are the model's: a field added to Mapping or a provider's settings fails here
// until the schema has it. Alerts come in as AlertsInput, whose type is the schema's too.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inputsMatchTheModel: [
  Same<ConnectionInput, { id?: string; name: string } & ConnectionSettings>,
  Same<keyof MappingInput, keyof Mapping>,
  Same<Omit<MappingInput, 'alerts'>, Omit<Mapping, 'id' | 'alerts'> & { id?: string }>,
  Same<v.InferOutput<typeof ALERTS_INPUT>, AlertsInput>,
  Same<MappingInput['alerts'], AlertsInput | null | undefined>,
] = [true, true, true, true, true];
void inputsMatchTheModel;

// The connection test's result is a model type (the store keeps the last one): re-exported here.
export type { ConnectionCheck, ConnectionCheckName, ConnectionTestResult } from './model';

export interface ObjectEntry {
  key: string;
  size: number;
  lastModified: number;
  contentType?: string;
}
export interface ObjectPage {
  /** Objects directly under the prefix. */
  objects: ObjectEntry[];
  /** "Folders" directly under the prefix (ending with '/'). */
  prefixes: string[];
  /** Pass back to get the next page; absent on the last page. */
  nextPageToken?: string;
}

export interface PlannedChangeView {
  key: string;
  size?: number;
  reason: string;
}
export interface PreviewResult {
  status: RunStatus;
  copies: number;
  copyBytes: number;
  adopts: number;
  skips: number;
  deletes: number;
  /** The first planned copies and deletes (at most `limit` each). */
  firstCopies: PlannedChangeView[];
  firstDeletes: PlannedChangeView[];
  /** Why the plan could not be made (missing bucket, maxDelete guard, …). */
  error: string | null;
  /**
   * Objects the mapping's filters excluded, per rule as the run log names it (`exclude "*.tmp"`,
   * `maxSize 10 MiB`, `include (matched none)`), in the order first met. Absent or empty: none.
   */
  excluded?: { rule: string; count: number }[];
  /**
   * With keepVersions, where a run would keep the previous versions of what it overwrites or deletes
   * (`A run would keep 3 previous version(s) in backup/.cds-versions/…/`, or the bucket's versioning),
   * as its log says it. Absent: the mapping does not keep versions, or the plan stopped before.
   */
  versions?: string;
  /**
   * The bandwidth limit a run would go at, as its log says it (`Bandwidth limit: 2 MiB/s until 19:00
   * (this mapping's bwLimit "…")`); absent or null: no limit is configured.
   */
  bandwidth?: string | null;
  /**
   * The storage class and encryption the objects would get, as the run's log says it (`Objects written
   * to the target get storage class STANDARD_IA and …`); absent: the bucket's defaults.
   */
  targetOptions?: string;
}

export interface LogLineView {
  id: number;
  runId: number;
  mappingId: string;
  ts: number;
  level: LogLevel;
  message: string;
  key: string | null;
}

/** What settings.set takes (each given setting; `alerts` as AlertsInput, null removing them). */
export type AppSettingsChanges = Partial<v.InferOutput<typeof APP_SETTINGS>>;

/** The settings as settings.get answers: the global alerts as the renderer sees them (AlertsView), never their URLs or secrets. */
export type AppSettings = Omit<v.InferOutput<typeof APP_SETTINGS>, 'alerts'> & { alerts: AlertsView | null };

export interface ConfigImportResult {
  /** What was (or, on a preview, would be) created or updated. */
  connections: { id: string; name: string; type: ProviderType; exists: boolean }[];
  mappings: { id: string; name: string; exists: boolean }[];
  warnings: string[];
  applied: boolean;
}

export interface AppStatus {
  version: string;
  paused: boolean;
  running: string[];
  /** 'desktop' (Electron) or 'server' (headless, in a browser). */
  mode: 'desktop' | 'server';
}

// ---- Engines: remote `serve` instances this window drives beside its own --------------------------

/**
 * online: connected, token accepted; connecting: first attempt or reconnecting; offline: not reachable
 * (retrying by itself); refused: reachable but the token or the pinned certificate is wrong (retrying
 * will not help until the user fixes it).
 */
export type EngineState = 'online' | 'connecting' | 'offline' | 'refused';
/** The worst of an engine's mappings, as the tray shows it: failed > running > paused > ok; unknown: never reached. */
export type EngineHealth = 'failed' | 'running' | 'paused' | 'ok' | 'unknown';

export interface EngineMappingSummary {
  id: string;
  name: string;
  state: MappingState;
  lastRunStatus: RunStatus | null;
  lastRunAt: number | null;
}

/** A remote engine as the renderer sees it; its token never leaves the process that stores it. */
export interface EngineView {
  id: string;
  name: string;
  /** The address, as `serve` prints it without its ?token=. */
  url: string;
  /** The pinned certificate's SHA-256 fingerprint (AB:CD:…); null: none pinned. */
  fingerprint: string | null;
  state: EngineState;
  /** Why it is not online, in words for the user; null when online. */
  error: string | null;
  /** When a message last came from it (ms since epoch); null: never. */
  lastSeenAt: number | null;
  /** Its app version, as last reported. */
  version: string | null;
  /** Its mappings as last known: kept while it is offline. */
  mappings: EngineMappingSummary[];
  health: EngineHealth;
}

/** What engines.probe found at an address, before any token is sent. */
export interface EngineProbe {
  url: string;
  /** The certificate's SHA-256 fingerprint (https); null for http. */
  fingerprint: string | null;
  /** A certificate authority this process trusts vouches for it (no pin needed). */
  trusted: boolean;
  /** Why the address could not be probed; null when it answered. */
  error: string | null;
}

// ---- Commands ----------------------------------------------------------------------------------

/** name → result. Each command's arguments are its schema's in contract-args.ts (COMMAND_ARGS). */
interface CommandResults {
  'app.status': AppStatus;

  'connections.list': ConnectionView[];
  'connections.create': ConnectionView;
  'connections.update': ConnectionView;
  'connections.delete': void;
  /** Tests a saved connection, or unsaved input (a form before saving). `bucket` enables read/write checks. */
  'connections.test': ConnectionTestResult;

  'buckets.list': string[];
  'objects.list': ObjectPage;

  'mappings.list': MappingView[];
  'mappings.create': MappingView;
  'mappings.update': MappingView;
  'mappings.delete': void;
  'mappings.setEnabled': MappingView;
  /** Dry-run plan of a saved mapping (or unsaved input): counts and the first copies/deletes. */
  'mappings.preview': PreviewResult;

  /** Sync one mapping now, or all enabled mappings when mappingId is absent. Returns those queued. */
  /** The mappings queued; `paused`: they wait for a resume (sync.resumeAll) before they start. */
  'sync.now': { queued: string[]; paused: boolean };
  'sync.cancel': void;
  'sync.pauseAll': void;
  'sync.resumeAll': void;

  'runs.list': RunSummary[];
  'runs.get': RunSummary;

  'logs.query': LogLineView[];
  /** Every matching line as text (oldest first), for saving to a file. */
  'logs.export': { fileName: string; text: string };

  'settings.get': AppSettings;
  /** Changes the settings given; the others keep their values. */
  'settings.set': AppSettings;

  /** Imports the original tool's config.json; `apply: false` only reports what would happen. */
  'config.import': ConfigImportResult;
  /** Exports connections and mappings in the config.json format; secrets are replaced by placeholders. */
  'config.export': { json: string };

  /** The remote engines this process drives (its own engine is not one of them). */
  'engines.list': EngineView[];
  'engines.probe': EngineProbe;
  /** Saves the engine (token encrypted at rest) and connects to it; refused when the token or the pin is wrong. */
  'engines.add': EngineView;
  'engines.update': EngineView;
  'engines.remove': void;
  /** Runs `name` on that engine and answers its result: the relay a window uses to drive a remote engine. */
  'engines.call': unknown;
}

type ArgSchemas = typeof COMMAND_ARGS;

/**
 * name → { args, result }. `args` is what the command's schema gives (`void`: the command takes
 * none); a command without a schema does not compile.
 */
export type Commands = { [N in keyof CommandResults]: { args: v.InferOutput<ArgSchemas[N]>; result: CommandResults[N] } };

export type CommandName = keyof Commands;
export type CommandArgs<N extends CommandName> = Commands[N]['args'];
export type CommandResult<N extends CommandName> = Commands[N]['result'];

/** Every command name, checked against `Commands` at compile time (both directions). */
export const COMMAND_NAMES = [
  'app.status',
  'connections.list', 'connections.create', 'connections.update', 'connections.delete', 'connections.test',
  'buckets.list', 'objects.list',
  'mappings.list', 'mappings.create', 'mappings.update', 'mappings.delete', 'mappings.setEnabled', 'mappings.preview',
  'sync.now', 'sync.cancel', 'sync.pauseAll', 'sync.resumeAll',
  'runs.list', 'runs.get',
  'logs.query', 'logs.export',
  'settings.get', 'settings.set',
  'config.import', 'config.export',
  'engines.list', 'engines.probe', 'engines.add', 'engines.update', 'engines.remove', 'engines.call',
] as const satisfies readonly CommandName[];
type MissingCommand = Exclude<CommandName, (typeof COMMAND_NAMES)[number]>;
const allCommandsListed: MissingCommand extends never ? true : MissingCommand = true;
void allCommandsListed;
type SchemaWithoutCommand = Exclude<keyof ArgSchemas, CommandName>;
const noSchemaWithoutCommand: SchemaWithoutCommand extends never ? true : SchemaWithoutCommand = true;
void noSchemaWithoutCommand;

// ---- Events ------------------------------------------------------------------------------------

/** `engines`: the remote engines this process drives (engines.list), added, changed or removed. */
export type DataList = 'connections' | 'mappings' | 'runs' | 'settings' | 'engines';

export interface Events {
  /** Coalesced to at most ~10 per second per mapping. */
  progress: ProgressSnapshot;
  'run.started': { mappingId: string; runId: number };
  'run.finished': RunSummary;
  'mapping.status': MappingStatus;
  /** Data changed in main: refetch these lists. */
  'data.changed': { lists: DataList[] };
  /** A run failed or a delete guard tripped: what a desktop notification would say. */
  alert: { mappingId: string; title: string; message: string };
  /** A remote engine's state or last-known mappings changed. */
  'engines.status': EngineView;
  /** An event of a remote engine, relayed: `event` and `payload` as that engine sent them. */
  'engine.event': { engine: string; event: EventName; payload: unknown };
}

export type EventName = keyof Events;
export const EVENT_NAMES = ['progress', 'run.started', 'run.finished', 'mapping.status', 'data.changed', 'alert', 'engines.status', 'engine.event'] as const satisfies readonly EventName[];
type MissingEvent = Exclude<EventName, (typeof EVENT_NAMES)[number]>;
const allEventsListed: MissingEvent extends never ? true : MissingEvent = true;
void allEventsListed;

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

// ---- Transport ----------------------------------------------------------------------------------

/** What a command returns across the boundary: never a thrown Error (its fields would be lost). */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** The client side of the contract, implemented by the preload bridge and by the WebSocket client. */
export interface ContractClient {
  invoke<N extends CommandName>(name: N, ...args: CommandArgs<N> extends void ? [] : [CommandArgs<N>]): Promise<CommandResult<N>>;
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void;
}

/** Thrown on the renderer side when a command fails: carries the ApiError fields. */
export class ApiCallError extends Error implements ApiError {
  override readonly name = 'ApiCallError';
  readonly code: ApiErrorCode;
  readonly field?: string;
  readonly retryable: boolean;
  constructor(error: ApiError) {
    super(error.message);
    this.code = error.code;
    this.field = error.field;
    this.retryable = error.retryable;
  }
}

/** Unwraps an envelope: the value, or throws ApiCallError. */
export function unwrapEnvelope<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw new ApiCallError(envelope.error);
}
