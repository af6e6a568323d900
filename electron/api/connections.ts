// connections.*: create, edit, delete and test the accounts mappings read from and write to. The
// renderer only ever sees ConnectionView: settings without secret values, plus which secrets are set.
import { randomBytes } from 'node:crypto';
import { validateBucketName, validateConnectionInput } from '../../shared/config';
import type { ConnectionInput, ConnectionView } from '../../shared/contract';
import type { Connection } from '../../shared/model';
import { connectionSettings, descriptorOf, publicSettings, SECRET_FIELDS } from '../../shared/providers';
import { createProvider } from '../providers/registry';
import { StoreError, type Store } from '../store';
import { storedMappingConflicts } from './bucket-locations';
import { testConnection } from './connection-test';
import { ApiFailure, invalidArgument } from './errors';
import { namesOf, requireConnection, runningMappings } from './lookup';
import { scrubSecrets, secretValuesOf } from './secrets';
import type { ApiDeps, HandlersFor } from './types';

type ConnectionCommands = 'connections.list' | 'connections.create' | 'connections.update' | 'connections.delete' | 'connections.test';

export function connectionHandlers(deps: ApiDeps): HandlersFor<ConnectionCommands> {
  const { store, syncService, emit } = deps;
  // Secret fields are dropped here as well as in the store: whatever a settings object holds, no secret leaves main.
  const view = (id: string): ConnectionView => {
    const connection = requireConnection(store, id);
    const lastTest = store.connections.lastTest(id);
    return { ...connection, [connection.type]: publicSettings(connection), secretsSet: store.connections.secretsSet(id) ?? {}, ...(lastTest ? { lastTest } : {}) } as ConnectionView;
  };

  return {
    'connections.list': async () => store.connections.list().map((c) => view(c.id)),

    'connections.create': async (input) => {
      const id = input.id ?? newConnectionId(input.name, (candidate) => store.connections.get(candidate) !== undefined);
      if (store.connections.get(id)) throw new ApiFailure('Conflict', `a connection with id "${id}" already exists`, 'id');
      store.connections.upsert(validateConnectionInput(input, id));
      emit('data.changed', { lists: ['connections'] });
      return view(id);
    },

    'connections.update': async (input) => {
      requireConnection(store, input.id);
      refuseWhileRunning(deps, input.id);
      // Stored secrets the form left out are merged in first, so the rules that need a secret (a
      // MinIO secretKey, an AWS key pair) see the effective connection; '' still clears one.
      const edited = validateConnectionInput(withStoredSecrets(store, input, input.id), input.id);
      // A new root or endpoint moves every mapping that uses the connection: refused when that makes
      // saved mappings overlap (a mapping into its own source, a mirror over another's target, a loop).
      const before = connectionsForLocating(store);
      refuseNewMappingConflicts(
        store,
        storedMappingConflicts(store, before),
        storedMappingConflicts(store, before.map((c) => (c.id === edited.id ? edited : c))),
        `${edited.type}.${descriptorOf(edited.type).whereabouts.field}`,
      );
      store.connections.upsert(edited);
      // The cached provider was built from the old settings.
      await syncService.forget(input.id);
      emit('data.changed', { lists: ['connections'] });
      return view(input.id);
    },

    'connections.delete': async ({ id }) => {
      requireConnection(store, id);
      store.connections.remove(id); // StoreError 'InUse' (→ Conflict) names the mappings using it
      await syncService.forget(id);
      emit('data.changed', { lists: ['connections'] });
    },

    'connections.test': async ({ id, input, bucket }) => {
      let connection: Connection;
      if (input) {
        connection = validateConnectionInput(id === undefined ? input : withStoredSecrets(store, input, id), id ?? input.id ?? 'unsaved');
      } else if (id !== undefined) {
        requireConnection(store, id);
        connection = store.connections.getWithSecrets(id)!;
      } else {
        throw invalidArgument('id', 'give the id of a saved connection, or the input of an unsaved one');
      }
      const bucketProblem = bucket === undefined ? null : validateBucketName(connection.type, bucket);
      if (bucketProblem) throw invalidArgument('bucket', bucketProblem);
      const result = await testConnection(connection, { createProvider, bucket });
      const secrets = secretValuesOf(connection);
      const scrubbed = { ...result, checks: result.checks.map((check) => ({ ...check, message: scrubSecrets(check.message, secrets) })) };
      // A test of the saved settings is kept with the connection (survives a restart); one of a form's edits is not.
      if (!input && id !== undefined) {
        store.connections.recordTest(id, scrubbed, Date.now());
        emit('data.changed', { lists: ['connections'] });
      }
      return scrubbed;
    },
  };
}

/**
 * The input with each secret it leaves out (undefined) taken from the stored connection, when that
 * has the same type and the secret set. Decrypts only when something is missing, so re-entering
 * every secret works even where the stored ones can no longer be decrypted.
 */
function withStoredSecrets(store: Store, input: ConnectionInput, id: string): ConnectionInput {
  const given = connectionSettings(input);
  const set = store.connections.secretsSet(id) ?? {};
  const missing = SECRET_FIELDS[input.type].filter((field) => given[field] === undefined && set[field]);
  const stored = missing.length > 0 ? store.connections.getWithSecrets(id) : undefined;
  if (!stored || stored.type !== input.type) return input;
  const saved = connectionSettings(stored);
  const merged = { ...given, ...Object.fromEntries(missing.map((field) => [field, saved[field]])) };
  return { ...input, [input.type]: merged } as ConnectionInput;
}

/**
 * The saved connections as the overlap rules need them: with their secrets where those can be read,
 * since an Azure connection string holds the endpoint (without it two such connections would look alike).
 */
export function connectionsForLocating(store: Store): Connection[] {
  return store.connections.list().map((c) => {
    try {
      return store.connections.getWithSecrets(c.id) ?? c;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'SecretsUnavailable') return c;
      throw err;
    }
  });
}

export type StoredConflict = ReturnType<typeof storedMappingConflicts>[number];

/**
 * Refuses a change of connections (an edit, an import) that puts saved mappings into an overlap
 * conflict they were not in before. Conflicts that were there already (mappings saved before the
 * rule) are not this change's: the app holds those mappings back when they would run (core/core.ts),
 * and a change that resolves one is not refused. Messages name every mapping involved.
 */
export function refuseNewMappingConflicts(store: Store, before: readonly StoredConflict[], after: readonly StoredConflict[], field?: string): void {
  const known = new Set(before.map(conflictKey));
  const added = after.filter((c) => !known.has(conflictKey(c)));
  if (added.length === 0) return;
  throw new ApiFailure('InvalidArgument', `this change would make saved mappings overlap: ${added.map((c) => conflictMessage(store, c)).join('; ')}`, field);
}

/** The conflict's message with the mapping it is about: "mapping "B" writes into …", "mapping "B": source … and target …". */
export function conflictMessage(store: Store, c: StoredConflict): string {
  const about = store.mappings.get(c.mappingIds[c.involves.indexOf(c.at)]!);
  return `mapping "${about?.name}"${c.kind === 'self' ? ':' : ''} ${c.message}`;
}

/** One conflict among the same mappings, whatever the places in its message say. */
function conflictKey(c: StoredConflict): string {
  return `${c.kind}:${[...c.mappingIds].sort().join(',')}`;
}

/** A running mapping uses the connection's cached provider until it ends: no edits meanwhile. */
function refuseWhileRunning(deps: ApiDeps, connectionId: string): void {
  const running = runningMappings(deps).filter((m) => m.sourceConnectionId === connectionId || m.targetConnectionId === connectionId);
  if (running.length === 0) return;
  const name = deps.store.connections.get(connectionId)?.name ?? connectionId;
  throw new ApiFailure('Conflict', `connection "${name}" cannot be changed while ${namesOf(running)} running; wait for it or cancel it`);
}

/** "My MinIO" → "my-minio-3fa1": readable in config exports and logs, unique by its random tail. */
export function newConnectionId(name: string, taken: (id: string) => boolean): string {
  const slug =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'connection';
  for (;;) {
    const id = `${slug}-${randomBytes(2).toString('hex')}`;
    if (!taken(id)) return id;
  }
}
