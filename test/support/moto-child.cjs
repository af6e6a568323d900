// Run by child-server.ts (after its stdin lifeline) to start moto's S3 server, a Python program,
// as a grandchild: child-server only runs Node entry points. This process stays in between so that
// every way it ends also ends moto: SIGTERM/SIGINT from stop(), the lifeline's exit when the test
// process is gone, or moto exiting on its own (a port taken: child-server then retries).
// Arguments: host port.
'use strict';
const { spawn } = require('child_process');

const [host, port] = process.argv.slice(2);
const moto = spawn('moto_server', ['-H', host, '-p', port], { stdio: ['ignore', 'ignore', 'inherit'] });
const stopMoto = () => {
  if (moto.exitCode === null && moto.signalCode === null) moto.kill('SIGKILL');
};
moto.on('error', (err) => {
  console.error(`could not start moto_server: ${err.message}`);
  process.exit(1);
});
moto.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
process.on('exit', stopMoto);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    stopMoto();
    process.exit(0);
  });
}
