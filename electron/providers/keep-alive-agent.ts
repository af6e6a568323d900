// The keep-alive pool of the HTTP providers (s3.ts, minio.ts): it never hands out a socket that
// sat idle longer than a server keeps its end open.
//
// Servers close idle keep-alive connections: s3rver (a Node server) after 5 s, S3, MinIO and load
// balancers after some seconds, announced or not. A request written on a socket the server has
// already closed fails with ECONNRESET ("socket hang up"). Node's agent forgets a closed socket
// only once its event loop reads the FIN, and a busy process (hashing 64 MiB in promise callbacks
// on a loaded machine) can take the socket first: this was the "read ECONNRESET" of a 64 MiB write
// on s3rver. An idle timer (the agent's `timeout` option) has the same blind spot, as a timer
// does not fire while the loop is busy either. So a socket's idle age is checked by the clock
// when a request asks for a socket; the timer only tidies up in the background.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Below every idle timeout we know of (Node servers such as s3rver: 5 s; S3, nginx, load balancers: longer). */
export const MAX_IDLE_MS = 2_000;

/** When each pooled socket was last handed back, by the clock. */
const idleSince = new WeakMap<Duplex, number>();

/** Node's request entry point: not in its typings, but the one place every request passes (agent-base overrides it too). */
interface AgentInternals {
  addRequest(req: http.ClientRequest, options: http.RequestOptions): void;
}

// A mixin's base must take `...any[]` (TS2545); both agents take AgentOptions.
type AgentClass = new (...args: any[]) => http.Agent;

function idleLimited<Base extends AgentClass>(Agent: Base, maxIdleMs: number): Base {
  return class extends Agent {
    override keepSocketAlive(socket: Duplex): void {
      // Node's answer (false: the server's Keep-Alive hint is too short to reuse at all; typed void) must pass on.
      const keep: unknown = super.keepSocketAlive(socket);
      idleSince.set(socket, Date.now());
      (socket as Socket).setTimeout(maxIdleMs);
      return keep as void;
    }

    override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
      super.reuseSocket(socket, request);
      idleSince.delete(socket);
      // Busy sockets had no timeout before; the request's own (if any) is set after this.
      (socket as Socket).setTimeout(0);
    }

    addRequest(req: http.ClientRequest, options: http.RequestOptions): void {
      const now = Date.now();
      for (const sockets of Object.values(this.freeSockets)) {
        // A destroyed socket is skipped by the agent at once, and leaves the pool when it closes.
        for (const socket of sockets ?? []) if (now - (idleSince.get(socket) ?? now) >= maxIdleMs) socket.destroy();
      }
      (Agent.prototype as unknown as AgentInternals).addRequest.call(this, req, options);
    }
  };
}

const IdleLimitedHttpAgent = idleLimited(http.Agent, MAX_IDLE_MS);
const IdleLimitedHttpsAgent = idleLimited(https.Agent, MAX_IDLE_MS);

/** A keep-alive agent for one provider's connections (one pool per provider, so `close()` can end them). */
export function keepAliveAgent(tls: boolean): http.Agent {
  const options: http.AgentOptions = { keepAlive: true, maxSockets: 64 };
  return tls ? new IdleLimitedHttpsAgent(options) : new IdleLimitedHttpAgent(options);
}
