// The desktop's opt-in Prometheus listener address (app settings `metricsAddr`): HOST:PORT on a
// loopback host, since /metrics has no token. The one HOST:PORT form and loopback rule: the CLI's
// --metrics-addr (electron/headless/args.ts) and serve's host checks (electron/server/security.ts) use
// them too; the setting refuses port 0, which the flag allows (a free port, printed at start).

/** "127.0.0.1:9464" → host and port; "[::1]:9464" → "::1". Null when it is not HOST:PORT. */
export function splitHostPort(text: string): { host: string; port: number } | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) return null;
  const port = Number(match[3]);
  return port > 65535 ? null : { host: match[1] ?? match[2]!, port };
}

/** localhost, ::1 and the whole 127/8 block (names as written: no resolution). */
export function isLoopbackName(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** What is wrong with a metricsAddr setting, or null. */
export function metricsAddrProblem(text: string): string | null {
  const hostPort = splitHostPort(text.trim());
  if (!hostPort || hostPort.port < 1) return `must be HOST:PORT with a port from 1 to 65535, e.g. "127.0.0.1:9464"`;
  if (!isLoopbackName(hostPort.host)) return 'must be on a loopback address (127.0.0.1, [::1] or localhost): the metrics listener has no token';
  return null;
}
