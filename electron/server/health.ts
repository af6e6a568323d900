// GET /healthz: whether this server can do its job, for Docker's HEALTHCHECK, systemd watchers and
// load balancers, none of which has the token. So the answer says only "ok" or which part is not,
// never a mapping, a path, an error message or a version.
//
// Contract: 200 when the server is past its start, the scheduler is running (not stopping) and the
// database answers a read; 503 otherwise. The body is JSON either way:
//   {"status":"ok","checks":{"scheduler":"running","database":"ok"}}
//   {"status":"stopping","checks":{"scheduler":"stopping","database":"ok"}}
// status: ok | starting | stopping | error; checks.scheduler: starting | running | stopping;
// checks.database: ok | error. HEAD answers the same status without the body. It costs one indexed
// SQLite read, so probing every few seconds is fine.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerRoute } from './server';

export const HEALTH_PATH = '/healthz';

/** Where the server is in its life: answering only while 'running'. */
export type ServePhase = 'starting' | 'running' | 'stopping';

export interface HealthSources {
  phase(): ServePhase;
  /** A cheap read of the database; throws when it cannot answer (closed, unreadable). */
  readDatabase(): void;
}

export interface HealthReport {
  status: 'ok' | 'starting' | 'stopping' | 'error';
  checks: { scheduler: ServePhase; database: 'ok' | 'error' };
}

export function healthReport(sources: HealthSources): HealthReport {
  const phase = sources.phase();
  let database: 'ok' | 'error' = 'ok';
  try {
    sources.readDatabase();
  } catch {
    // The reason stays out of an unauthenticated answer (it may name a path); the log has the run's errors.
    database = 'error';
  }
  const status = phase !== 'running' ? phase : database === 'ok' ? 'ok' : 'error';
  return { status, checks: { scheduler: phase, database } };
}

/** The route for server.ts: open (no token), GET and HEAD. */
export function healthRoute(sources: HealthSources): ServerRoute {
  return {
    open: true,
    handle(req: IncomingMessage, res: ServerResponse) {
      const report = healthReport(sources);
      res.writeHead(report.status === 'ok' ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : `${JSON.stringify(report)}\n`);
    },
  };
}
