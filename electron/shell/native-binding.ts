import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where scripts/native-electron.mjs puts the Electron-ABI build of better-sqlite3, relative to the
 * app root. The Node build in node_modules/better-sqlite3 stays as it is, for tests and the CLI.
 */
export const ELECTRON_NATIVE_BINDING = join('native', 'electron', 'better_sqlite3.node');

/**
 * The better-sqlite3 binary for the Electron main process, to pass to openStore as `nativeBinding`,
 * or undefined when it is missing (then better-sqlite3 would load the Node build and fail with a
 * NODE_MODULE_VERSION error, so the caller should report that `npm run rebuild:electron` is needed).
 *
 * `appRoot` is `app.getAppPath()`: the project folder in development, `.../resources/app.asar` in a
 * packaged app. A native module cannot be loaded from inside an asar archive, so electron-builder
 * unpacks it (asarUnpack) to `app.asar.unpacked`, which is looked at first.
 */
export function electronNativeBindingPath(appRoot: string): string | undefined {
  const roots = appRoot.endsWith('.asar') ? [`${appRoot}.unpacked`, appRoot] : [appRoot];
  return roots.map((root) => join(root, ELECTRON_NATIVE_BINDING)).find((file) => existsSync(file));
}
