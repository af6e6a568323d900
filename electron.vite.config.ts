import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// Outputs, as electron-builder.yml and package.json "main" expect them:
//   out/main/main.js        electron/shell/main.ts, an ES module (the package is "type": "module")
//   out/preload/preload.cjs electron/shell/preload.ts, CommonJS: a sandboxed preload cannot be an ES module
//   out/renderer/           renderer/index.html and what it imports; the headless server serves it too
// import.meta.url, not import.meta.dirname: electron-vite bundles this file to CommonJS and only
// rewrites import.meta.url.
const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  main: {
    build: {
      // Dependencies stay in node_modules and are required at run time (electron-vite's default,
      // spelled out). better-sqlite3 must never be bundled: it loads a native binary, which the
      // main process picks with `nativeBinding` (electron/shell/native-binding.ts).
      externalizeDeps: { include: ['better-sqlite3'] },
      rolldownOptions: {
        input: { main: resolve(root, 'electron/shell/main.ts') },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require from node_modules: bundle everything it imports.
      externalizeDeps: false,
      rolldownOptions: {
        input: { preload: resolve(root, 'electron/shell/preload.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      rolldownOptions: {
        input: resolve(root, 'renderer/index.html'),
      },
    },
  },
});
