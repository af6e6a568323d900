// Run by child-server.ts (after its stdin lifeline) to start moto's S3 server, a Python program,
// as a grandchild: child-server only runs Node entry points. moto itself has a lifeline too: a
// shell starts it beside a `cat` that reads a pipe from this process and kills moto at EOF, so
// however this process ends (SIGTERM from stop(), the stdin lifeline, or the SIGKILL child-server
// sends when the test process exits), moto ends with it. When moto exits on its own (a port taken),
// this process exits too and child-server retries. Arguments: host port.
'use strict';
const { spawn } = require('child_process');

const [host, port] = process.argv.slice(2);
// A background job's stdin is /dev/null unless redirected, hence the pipe kept on fd 3 for `cat`.
const SCRIPT = 'exec 3<&0; moto_server -H "$1" -p "$2" </dev/null & pid=$!; (cat <&3 >/dev/null; kill -9 $pid 2>/dev/null) & wait $pid';
const moto = spawn('/bin/sh', ['-c', SCRIPT, 'moto-lifeline', host, port], { stdio: ['pipe', 'ignore', 'inherit'] });
moto.on('error', (err) => {
  console.error(`could not start moto_server: ${err.message}`);
  process.exit(1);
});
moto.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
