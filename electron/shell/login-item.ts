// "Start at login", per platform. macOS and Windows have app.setLoginItemSettings; on Linux Electron
// has none, so the freedesktop way is used: a .desktop file in ~/.config/autostart. Electron-free:
// main.ts injects setLoginItemSettings and the paths.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Passed at login, so the app starts in the tray without opening its window. */
export const HIDDEN_FLAG = '--hidden';

export interface LoginItemEnv {
  platform: NodeJS.Platform;
  /** Electron's app.setLoginItemSettings (macOS, Windows). */
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  /** What to start: process.env.APPIMAGE for an AppImage (its execPath is a temporary mount), else process.execPath. */
  executable: string;
  /** $XDG_CONFIG_HOME, or ~/.config. */
  configHome: string;
}

export const AUTOSTART_FILE = 'cloud-data-sync.desktop';

/** Quotes one argument of a desktop entry's Exec key (freedesktop Desktop Entry spec, "Exec"). */
function quoteExecArg(arg: string): string {
  const quoted = `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
  // The value is a string key too, whose own escape rule doubles each backslash again.
  return quoted.replace(/\\/g, '\\\\');
}

export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Cloud Data Sync',
    'Comment=Keep object-storage buckets in sync',
    `Exec=${quoteExecArg(executable)} ${HIDDEN_FLAG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function applyStartAtLogin(enabled: boolean, env: LoginItemEnv): void {
  if (env.platform === 'linux') {
    const dir = join(env.configHome, 'autostart');
    const file = join(dir, AUTOSTART_FILE);
    if (enabled) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, autostartEntry(env.executable));
    } else {
      rmSync(file, { force: true });
    }
    return;
  }
  env.setLoginItemSettings({ openAtLogin: enabled, args: enabled ? [HIDDEN_FLAG] : [] });
}
