// A child process for lock.test.ts: opens the store given as argv[2] and reports what happened on
// stdout as one JSON line; when it got the lock it starts a run (left 'running') and holds on until killed.
import { DatabaseLockedError, openStore } from '../../electron/store';

const path = process.argv[2]!;
try {
  const store = openStore(path);
  store.connections.upsert({ id: 'disk', name: 'Disk', type: 'local', local: { root: '/tmp' } });
  store.mappings.upsert({
    id: 'm1', name: 'M1', sourceConnectionId: 'disk', sourceBucket: 'a', sourcePrefix: '', targetConnectionId: 'disk', targetBucket: 'b',
    targetPrefix: '', transfers: 1, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
  });
  const run = store.runs.start('m1', false);
  console.log(JSON.stringify({ held: true, pid: process.pid, runId: run.id }));
  setInterval(() => undefined, 1 << 30); // until SIGKILL
} catch (err) {
  if (!(err instanceof DatabaseLockedError)) throw err;
  console.log(JSON.stringify({ held: false, pid: process.pid, holder: err.holder, message: err.message }));
}
