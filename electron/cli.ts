// Entry point of the headless CLI (`cloud-data-sync`). Plain Node: never imports electron.
import { readFileSync } from 'node:fs';
import { runCli } from './headless/run-cli';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  version: packageJson.version,
  onShutdownRequest(listener) {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    for (const s of signals) process.on(s, listener);
    return () => signals.forEach((s) => process.off(s, listener));
  },
});
process.exitCode = code;
