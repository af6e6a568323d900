// A local HTTP receiver for alert tests: records every request (method, path, headers, raw body) and
// answers with what the test scripts (default 200). Listens on 127.0.0.1 only. Also a "down" URL: a
// port that was just listened on and closed, so a connection there is refused.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  /** http://127.0.0.1:<port> */
  url: string;
  readonly requests: Received[];
  /** Requests to `path` (exact), in arrival order. */
  to(path: string): Received[];
  close(): Promise<void>;
}

/** `answer` gives the status for the n-th request (0-based) to its path; default 200. */
export async function startReceiver(answer: (req: Received, nth: number) => number = () => 200): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const nth = requests.filter((r) => r.path === received.path).length;
      requests.push(received);
      res.writeHead(answer(received, nth), { 'Content-Type': 'text/plain' });
      res.end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An http URL nothing listens on: a port taken from the system and released again. */
export async function downUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
