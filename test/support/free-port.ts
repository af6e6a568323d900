import net from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on: bound to port 0, then released. Another process
 * may take it before the caller uses it, so a server started on it must be retried on failure.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not get a free port'));
      });
    });
  });
}
