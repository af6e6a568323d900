// Preloaded into a measured process (NODE_OPTIONS=--require): counts the bytes its TCP client
// sockets read and wrote, requests and answers together, and writes the total to the file named by
// CDS_BENCH_SOCKET_BYTES when the process exits. The copy-from-URL row uses it to show how many bytes
// passed through our process (bench/lib/copy-from-url.ts). Counts every client socket Node makes
// (http, https, undici's fetch); a server socket (none in a CLI run) is not counted.
'use strict';
const diagnostics = require('node:diagnostics_channel');
const fs = require('node:fs');

const file = process.env.CDS_BENCH_SOCKET_BYTES;
if (file) {
  const sockets = new Set();
  diagnostics.subscribe('net.client.socket', ({ socket }) => sockets.add(socket));
  process.on('exit', () => {
    let read = 0;
    let written = 0;
    for (const socket of sockets) {
      read += socket.bytesRead;
      written += socket.bytesWritten;
    }
    fs.writeFileSync(file, JSON.stringify({ read, written, sockets: sockets.size }));
  });
}
