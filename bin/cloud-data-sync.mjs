#!/usr/bin/env node
// The `cloud-data-sync` command: runs electron/cli.ts straight from the sources, no build step.
// tsx compiles TypeScript inside this process (not in a child), so cli.ts itself receives SIGINT and
// SIGTERM, and its exit code is the command's.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'electron', 'cli.ts');

// The compiler settings of the main-process code, wherever the command is run from.
process.env.TSX_TSCONFIG_PATH ??= path.join(root, 'electron', 'tsconfig.json');
// Both hooks, as the `tsx` command installs them, so `npm run cli` and this command behave alike:
// ES modules (import), and CommonJS (require of a .ts or .cts file).
const { register: registerEsm } = await import('tsx/esm/api');
const { register: registerCjs } = await import('tsx/cjs/api');
registerEsm();
registerCjs();

// As if started as `tsx electron/cli.ts`: arguments stay at process.argv.slice(2), and a
// "am I the entry point" check in cli.ts sees itself.
process.argv[1] = cli;
await import(pathToFileURL(cli).href);
