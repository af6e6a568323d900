// The plain types a library user meets: the config's connections and mappings, runs and their
// outcomes, progress, log lines, and the engine's ports (for a state of your own).
export type {
  AwsSettings,
  AzureSettings,
  Connection,
  ConnectionSettings,
  DeleteMode,
  GcsSettings,
  LocalSettings,
  LogLevel,
  Mapping,
  MaxDelete,
  MinioSettings,
  ProgressSnapshot,
  ProviderType,
  RunCounts,
  RunStatus,
  RunSummary,
  TransferProgress,
} from '../../shared/model';
export type { ConnectionResolver, ProviderFactory } from '../services/sync-service';
export type {
  EngineErrorCode,
  EngineState,
  PendingDelete,
  PendingDeletesPort,
  RunErrorCode,
  RunJournalPort,
  RunLogLine,
  RunRecorder,
  RunResult,
  SyncedObject,
  SyncStatePort,
  UploadJournalPort,
  UploadRecord,
} from '../sync/ports';
export type { PlannedChange, RunOutcome } from '../sync/runner';
export type { EventError, RunEvent, RunEventType, RunSide } from '../sync/telemetry';
