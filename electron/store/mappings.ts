// Mappings: source bucket/prefix → target bucket/prefix with their run settings. Rows map to the
// Mapping type field for field (booleans as 0/1, maxDelete and targetEncryption as JSON), but for the filters, which are
// one JSON object of the fields filtersOf keeps (NULL for none). Removing a mapping cascades to
// its sync state, runs and logs. A mapping's alerts hold credentials: they are sealed with the store's
// cipher (alerts_blob), beside what the renderer may see of them (alerts_json); list() and get() leave
// them out, alertsOf() decrypts them.
import { randomBytes } from 'node:crypto';
import { alertsView, hasAlerts, type AlertsConfig, type AlertsView } from '../../shared/alerts';
import { sameRoute, type MappingRoute } from '../../shared/config/mapping-ids';
import { filtersOf, type MappingFilters } from '../../shared/filters';
import type { MappingHooks } from '../../shared/hooks';
import type { Mapping, MaxDelete, TargetEncryption } from '../../shared/model';
import type { SecretCipher } from './connections';
import { StoreError, type Database } from './db';
import { seal, unseal } from './sealed';

/** A row as SELECT reads it: the Mapping's fields, but booleans as 0/1 and maxDelete and the filters as JSON. */
type MappingRow = Omit<Mapping, 'maxDelete' | 'dryRun' | 'enabled' | 'createTargetBucket' | 'hooks' | 'bwLimit' | 'targetStorageClass' | 'targetEncryption' | 'keepVersions' | 'alerts' | keyof MappingFilters> & {
  maxDeleteJson: string | null;
  filtersJson: string | null;
  hooksJson: string | null;
  dryRun: 0 | 1;
  enabled: 0 | 1;
  createTargetBucket: 0 | 1;
  bwLimit: string | null;
  targetStorageClass: string | null;
  targetEncryptionJson: string | null;
  keepVersions: 0 | 1;
};

const SELECT = `SELECT id, name,
  source_connection_id AS sourceConnectionId, source_bucket AS sourceBucket, source_prefix AS sourcePrefix,
  target_connection_id AS targetConnectionId, target_bucket AS targetBucket, target_prefix AS targetPrefix,
  transfers, delete_mode AS deleteMode, max_delete_json AS maxDeleteJson, dry_run AS dryRun, enabled,
  interval_seconds AS intervalSeconds, filters_json AS filtersJson, hooks_json AS hooksJson, create_target_bucket AS createTargetBucket,
  bw_limit AS bwLimit, target_storage_class AS targetStorageClass, target_encryption_json AS targetEncryptionJson, keep_versions AS keepVersions
  FROM mappings`;

export class MappingsRepository {
  private readonly selectAll;
  private readonly selectOne;
  private readonly upsertRow;
  private readonly deleteRow;
  private readonly updateEnabled;
  private readonly connectionExists;
  private readonly clearState;
  private readonly updateRoute;
  private readonly updateAlerts;
  private readonly selectAlerts;

  constructor(
    private readonly db: Database,
    private readonly cipher: SecretCipher | null = null,
  ) {
    this.selectAll = db.prepare<[], MappingRow>(`${SELECT} ORDER BY rowid`);
    this.selectOne = db.prepare<[string], MappingRow>(`${SELECT} WHERE id = ?`);
    this.upsertRow = db.prepare<[MappingRow & { now: number }]>(
      `INSERT INTO mappings (id, name, source_connection_id, source_bucket, source_prefix, target_connection_id,
         target_bucket, target_prefix, transfers, delete_mode, max_delete_json, dry_run, enabled, interval_seconds,
         filters_json, hooks_json, create_target_bucket, bw_limit, target_storage_class, target_encryption_json, keep_versions,
         created_at, updated_at)
       VALUES (@id, @name, @sourceConnectionId, @sourceBucket, @sourcePrefix, @targetConnectionId,
         @targetBucket, @targetPrefix, @transfers, @deleteMode, @maxDeleteJson, @dryRun, @enabled, @intervalSeconds,
         @filtersJson, @hooksJson, @createTargetBucket, @bwLimit, @targetStorageClass, @targetEncryptionJson, @keepVersions,
         @now, @now)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name,
         source_connection_id = excluded.source_connection_id, source_bucket = excluded.source_bucket,
         source_prefix = excluded.source_prefix, target_connection_id = excluded.target_connection_id,
         target_bucket = excluded.target_bucket, target_prefix = excluded.target_prefix,
         transfers = excluded.transfers, delete_mode = excluded.delete_mode,
         max_delete_json = excluded.max_delete_json, dry_run = excluded.dry_run, enabled = excluded.enabled,
         interval_seconds = excluded.interval_seconds, filters_json = excluded.filters_json, hooks_json = excluded.hooks_json,
         create_target_bucket = excluded.create_target_bucket, bw_limit = excluded.bw_limit,
         target_storage_class = excluded.target_storage_class, target_encryption_json = excluded.target_encryption_json,
         keep_versions = excluded.keep_versions,
         updated_at = excluded.updated_at`,
    );
    this.updateAlerts = db.prepare<[string | null, Buffer | null, string]>('UPDATE mappings SET alerts_json = ?, alerts_blob = ? WHERE id = ?');
    this.selectAlerts = db.prepare<[string], { name: string; alerts_json: string | null; alerts_blob: Buffer | null }>('SELECT name, alerts_json, alerts_blob FROM mappings WHERE id = ?');
    this.deleteRow = db.prepare<[string]>('DELETE FROM mappings WHERE id = ?');
    this.updateEnabled = db.prepare<[0 | 1, number, string]>('UPDATE mappings SET enabled = ?, updated_at = ? WHERE id = ?');
    this.connectionExists = db.prepare<[string], number>('SELECT 1 FROM connections WHERE id = ?').pluck();
    this.clearState = db.prepare<[string]>('DELETE FROM objects WHERE mapping_id = ?');
    this.updateRoute = db.prepare<[MappingRoute & { id: string; now: number }]>(
      `UPDATE mappings SET source_connection_id = @sourceConnectionId, source_bucket = @sourceBucket,
         source_prefix = @sourcePrefix, target_connection_id = @targetConnectionId, target_bucket = @targetBucket,
         target_prefix = @targetPrefix, updated_at = @now
       WHERE id = @id`,
    );
  }

  /** Every mapping, in insertion order, without its alerts (alertsOf, alertsView). */
  list(): Mapping[] {
    return this.selectAll.all().map(toMapping);
  }

  /** The mapping without its alerts (alertsOf, alertsView). */
  get(id: string): Mapping | undefined {
    const row = this.selectOne.get(id);
    return row && toMapping(row);
  }

  /**
   * The mapping's alerts, decrypted; undefined when it has none (or does not exist). Throws StoreError
   * 'SecretsUnavailable' when they are stored but cannot be decrypted here.
   */
  alertsOf(id: string): AlertsConfig | undefined {
    const row = this.selectAlerts.get(id);
    if (!row?.alerts_blob) return undefined;
    return unseal<AlertsConfig>(this.cipher, row.alerts_blob, `the alerts of mapping "${row.name}"`);
  }

  /** What the renderer may see of the mapping's alerts (no URL, no secret); undefined when it has none. Needs no decryption. */
  alertsView(id: string): AlertsView | undefined {
    const json = this.selectAlerts.get(id)?.alerts_json;
    return json ? (JSON.parse(json) as AlertsView) : undefined;
  }

  /** Whether upsert keeps alerts: only with a cipher, since they are never written in plain text. */
  get keepsAlerts(): boolean {
    return this.cipher !== null;
  }

  /**
   * Inserts or replaces the mapping, keeping its creation time. When a connection, bucket or prefix
   * changes, the mapping's sync state is dropped: it records what was synced between the old
   * endpoints, and in 'synced' delete mode it would make objects the new source lacks look like
   * deletions. Throws StoreError 'InvalidReference' when a connection does not exist.
   * `mapping.alerts` replaces the stored alerts (absent: none); without a cipher they are not kept
   * (keepsAlerts), as connection secrets are not: the CLI reads them from config.json at every start.
   */
  upsert(mapping: Mapping): void {
    this.db.transaction(() => {
      this.requireConnections(mapping.name, mapping);
      const before = this.selectOne.get(mapping.id);
      if (before && !sameRoute(toMapping(before), mapping)) this.clearState.run(mapping.id);
      this.upsertRow.run({
        id: mapping.id,
        name: mapping.name,
        sourceConnectionId: mapping.sourceConnectionId,
        sourceBucket: mapping.sourceBucket,
        sourcePrefix: mapping.sourcePrefix,
        targetConnectionId: mapping.targetConnectionId,
        targetBucket: mapping.targetBucket,
        targetPrefix: mapping.targetPrefix,
        transfers: mapping.transfers,
        deleteMode: mapping.deleteMode,
        maxDeleteJson: mapping.maxDelete === null ? null : JSON.stringify(mapping.maxDelete),
        dryRun: mapping.dryRun ? 1 : 0,
        enabled: mapping.enabled ? 1 : 0,
        intervalSeconds: mapping.intervalSeconds,
        filtersJson: filtersJson(mapping),
        hooksJson: mapping.hooks ? JSON.stringify(mapping.hooks) : null,
        createTargetBucket: mapping.createTargetBucket === true ? 1 : 0,
        bwLimit: mapping.bwLimit || null,
        targetStorageClass: mapping.targetStorageClass || null,
        targetEncryptionJson: mapping.targetEncryption ? JSON.stringify(mapping.targetEncryption) : null,
        keepVersions: mapping.keepVersions === true ? 1 : 0,
        now: Date.now(),
      });
      const alerts = hasAlerts(mapping.alerts) && this.cipher ? withWebhookIds(mapping.alerts) : undefined;
      this.updateAlerts.run(alerts ? JSON.stringify(alertsView(alerts)) : null, alerts && this.cipher ? seal(this.cipher, alerts) : null, mapping.id);
    })();
  }

  /**
   * Moves the mapping's sync state to `route`: its objects are dropped and its row takes the route,
   * in one transaction (the engine's SyncStatePort.resetRoute, for a run whose mapping's route is
   * not the recorded one). Throws StoreError 'InvalidReference' when the mapping or a connection
   * does not exist.
   */
  resetRoute(id: string, route: MappingRoute): void {
    this.db.transaction(() => {
      this.requireConnections(id, route);
      this.clearState.run(id);
      const { sourceConnectionId, sourceBucket, sourcePrefix, targetConnectionId, targetBucket, targetPrefix } = route;
      const changed = this.updateRoute.run({ id, sourceConnectionId, sourceBucket, sourcePrefix, targetConnectionId, targetBucket, targetPrefix, now: Date.now() }).changes;
      if (changed === 0) throw new StoreError('InvalidReference', `mapping "${id}" does not exist`);
    })();
  }

  private requireConnections(mappingName: string, route: MappingRoute): void {
    for (const [side, id] of [['source', route.sourceConnectionId], ['target', route.targetConnectionId]] as const) {
      if (this.connectionExists.get(id) === undefined) {
        throw new StoreError('InvalidReference', `mapping "${mappingName}" refers to ${side} connection "${id}", which does not exist`);
      }
    }
  }

  /**
   * Removes the mapping with its sync state, runs and logs; false when it did not exist. One
   * transaction: with millions of state rows this blocks for a while, so call objects.clear first
   * (batched) when the mapping is large.
   */
  remove(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }

  /** Returns false when the mapping does not exist. */
  setEnabled(id: string, enabled: boolean): boolean {
    return this.updateEnabled.run(enabled ? 1 : 0, Date.now(), id).changes > 0;
  }
}

function toMapping(row: MappingRow): Mapping {
  return {
    id: row.id,
    name: row.name,
    sourceConnectionId: row.sourceConnectionId,
    sourceBucket: row.sourceBucket,
    sourcePrefix: row.sourcePrefix,
    targetConnectionId: row.targetConnectionId,
    targetBucket: row.targetBucket,
    targetPrefix: row.targetPrefix,
    transfers: row.transfers,
    deleteMode: row.deleteMode,
    maxDelete: row.maxDeleteJson === null ? null : (JSON.parse(row.maxDeleteJson) as MaxDelete),
    dryRun: row.dryRun === 1,
    enabled: row.enabled === 1,
    intervalSeconds: row.intervalSeconds,
    ...(row.createTargetBucket === 1 ? { createTargetBucket: true } : {}),
    ...(row.filtersJson === null ? {} : (JSON.parse(row.filtersJson) as MappingFilters)),
    ...(row.hooksJson === null ? {} : { hooks: JSON.parse(row.hooksJson) as MappingHooks }),
    ...(row.bwLimit === null ? {} : { bwLimit: row.bwLimit }),
    ...(row.targetStorageClass === null ? {} : { targetStorageClass: row.targetStorageClass }),
    ...(row.targetEncryptionJson === null ? {} : { targetEncryption: JSON.parse(row.targetEncryptionJson) as TargetEncryption }),
    ...(row.keepVersions === 1 ? { keepVersions: true } : {}),
  };
}

/**
 * Every stored webhook has an id, by which an edit keeps its URL and secret without seeing them: a new
 * one gets a random one, never a reused one (a form opened before a delete must not name its successor).
 */
export function withWebhookIds(alerts: AlertsConfig): AlertsConfig {
  return { ...alerts, webhooks: alerts.webhooks.map((w) => (w.id === undefined ? { ...w, id: randomBytes(6).toString('hex') } : w)) };
}

function filtersJson(mapping: Mapping): string | null {
  const filters = filtersOf(mapping);
  return Object.keys(filters).length === 0 ? null : JSON.stringify(filters);
}
