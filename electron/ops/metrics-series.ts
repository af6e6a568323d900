// What the Prometheus metrics count, per mapping: the numbers (MappingTally, plain fields a run's
// events bump without allocating) and the series they are shown as (SERIES, one row per metric name,
// read by the exposition and by the carry-over of a previous textfile). Every series has the label
// `mapping`, the mapping's id: ids are stable (a config's derived ids too), names change on a rename,
// and a label that changes splits a series. The name and route are on cds_mapping_info, to join on.

/** The numbers of one mapping since this process started, plus what a previous textfile carried over. */
export class MappingTally {
  /** For cds_mapping_info: the mapping's name, and its route as `bucket/prefix`; `described` once taken from the mapping itself. */
  name: string;
  source = '';
  target = '';
  described = false;
  /** The run going on is a dry run: its events count only in dryRuns (a dry run changes nothing). */
  dryRun = false;

  runInProgress = 0;
  transfersInProgress = 0;
  bytesTransferred = 0;
  objectsTransferred = 0;
  objectsChecked = 0;
  objectsDeleted = 0;
  objectsFailed = 0;
  throttled = 0;
  /** By side; by error code; by reason; by status; by route. Their usual keys start at 0 (a series that exists before its first increase lets rate() see it). */
  readonly objectsListed = zeros('source', 'target');
  readonly retries = zeros('Throttled', 'Transient');
  readonly deletesBlocked = zeros('maxDelete', 'failedTransfers');
  readonly runs = zeros('success', 'partial', 'failed', 'cancelled');
  /** Objects copied, by route (sync/pull-copy.ts CopyRoute). */
  readonly transferredByRoute = zeros('streamed', 'server-side', 'pulled');
  readonly dryRuns = new Map<string, number>();
  /** Of the last run that is not a dry run; null until there is one. */
  runDurationSeconds: number | null = null;
  lastRunSeconds: number | null = null;
  lastSuccessSeconds: number | null = null;

  constructor(readonly id: string) {
    this.name = id;
  }
}

function zeros(...keys: string[]): Map<string, number> {
  return new Map(keys.map((k) => [k, 0]));
}

type FieldOf<T> = { [K in keyof MappingTally]: MappingTally[K] extends T ? K : never }[keyof MappingTally];

export type SeriesSpec = {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  /** Kept across processes by a textfile (readMetricsFile); what describes this process only is not. */
  carried: boolean;
} & ({ field: FieldOf<number> | FieldOf<number | null> } | { field: FieldOf<Map<string, number>>; label: string });

/**
 * Every series but cds_mapping_info. Names follow rclone's (rclone_bytes_transferred_total,
 * rclone_files_transferred_total, …) with objects for files, units in the name, `_total` on counters.
 */
export const SERIES: readonly SeriesSpec[] = [
  { name: 'cds_bytes_transferred_total', type: 'counter', carried: true, field: 'bytesTransferred', help: 'Bytes of the objects copied (counted when a copy completes; server-side copies included).' },
  { name: 'cds_objects_transferred_total', type: 'counter', carried: true, field: 'objectsTransferred', help: 'Objects copied to the target.' },
  {
    name: 'cds_objects_transferred_by_route_total',
    type: 'counter',
    carried: true,
    field: 'transferredByRoute',
    label: 'route',
    help: 'Objects copied, by route: streamed (through this process), server-side (copied by the service), pulled (fetched by the target from a presigned source URL).',
  },
  { name: 'cds_objects_checked_total', type: 'counter', carried: true, field: 'objectsChecked', help: 'Objects found equal on both sides: unchanged, or adopted (equal, now recorded).' },
  { name: 'cds_objects_deleted_total', type: 'counter', carried: true, field: 'objectsDeleted', help: 'Objects deleted at the target.' },
  { name: 'cds_objects_failed_total', type: 'counter', carried: true, field: 'objectsFailed', help: 'Objects that failed: copies after their retries, and deletes whose previous version could not be kept.' },
  { name: 'cds_objects_listed_total', type: 'counter', carried: true, field: 'objectsListed', label: 'side', help: 'Objects read from the listings, by side (source or target).' },
  { name: 'cds_retries_total', type: 'counter', carried: true, field: 'retries', label: 'code', help: 'Calls tried again (a copy, or one request: a listing page, a head, a delete batch), by the code of the answer that caused it.' },
  { name: 'cds_throttled_total', type: 'counter', carried: true, field: 'throttled', help: 'Throttled answers (slow down, 429, 503 busy): those retried, and those a copy or a listing failed with.' },
  { name: 'cds_deletes_blocked_total', type: 'counter', carried: true, field: 'deletesBlocked', label: 'reason', help: 'Planned deletions not made, by reason: the maxDelete guard tripped, or transfers failed. They are planned again next run.' },
  { name: 'cds_runs_total', type: 'counter', carried: true, field: 'runs', label: 'status', help: 'Finished runs (not dry runs), by status.' },
  { name: 'cds_dry_runs_total', type: 'counter', carried: true, field: 'dryRuns', label: 'status', help: 'Finished dry runs, by status. Dry runs count in no other series but cds_run_in_progress.' },
  { name: 'cds_run_in_progress', type: 'gauge', carried: false, field: 'runInProgress', help: '1 while a run (or dry run) of the mapping is going on, else 0.' },
  { name: 'cds_transfers_in_progress', type: 'gauge', carried: false, field: 'transfersInProgress', help: 'Copies going on now.' },
  { name: 'cds_run_duration_seconds', type: 'gauge', carried: true, field: 'runDurationSeconds', help: 'How long the last finished run took.' },
  { name: 'cds_last_run_timestamp_seconds', type: 'gauge', carried: true, field: 'lastRunSeconds', help: 'When the last run finished, whatever its status (Unix time).' },
  { name: 'cds_last_success_timestamp_seconds', type: 'gauge', carried: true, field: 'lastSuccessSeconds', help: 'When the last successful run finished (Unix time); absent until one has.' },
];

export const MAPPING_INFO = {
  name: 'cds_mapping_info',
  help: "Always 1: the mapping's name and route (source and target as bucket/prefix), to join on by `mapping`.",
  labels: ['mapping', 'name', 'source', 'target'],
} as const;
