// Our TCP connections to a loopback port as the kernel sees them (Linux /proc/net/tcp), for the
// keep-alive tests: they wait on the server closing idle connections, never on time.
import { readFileSync } from 'node:fs';

/** Our IPv4 connections to 127.0.0.1:`port`: established, and closed by the server but not by us (CLOSE_WAIT). */
export function connectionsTo(port: number): { established: number; closeWait: number } {
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const states = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[2] === remote)
    .map((fields) => fields[3]);
  return { established: states.filter((s) => s === '01').length, closeWait: states.filter((s) => s === '08').length };
}

/**
 * Keeps the event loop busy (no I/O is read, no timer fires) until the server on `port` has closed
 * at least `count` of our connections and none is left established, as a process hashing a large
 * source under load would. Bounded (60 s).
 */
export function busyUntilServerClosed(port: number, count: number): void {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = connectionsTo(port);
    if (now.established === 0 && now.closeWait >= count) return;
    if (Date.now() > deadline) throw new Error(`the server did not close our idle connections: ${JSON.stringify(now)}`);
  }
}
