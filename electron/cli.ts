// Entry point of the headless CLI (`cloud-data-sync`). Plain Node: never imports electron.
import { readFileSync } from 'node:fs';
import { runCli } from './headless/run-cli';

/** The version from the project's package.json, found upwards from this file (source or bundle). */
function readVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 4; depth++, dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cloud-data-sync' && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level
    }
  }
  return 'unknown';
}

// The AWS SDK warns on every start that its releases from 2027 need Node 22; the CLI supports Node 20
// with the pinned SDK, so the warning only adds noise to every run's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  version: readVersion(),
  onShutdownRequest(listener) {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    for (const s of signals) process.on(s, listener);
    return () => signals.forEach((s) => process.off(s, listener));
  },
});
process.exitCode = code;
