// The tray icon: its image, tooltip and menu come from the electron-free model (tray-model.ts);
// this file only renders them and routes clicks.
import { join } from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { throttle } from './throttle';
import { buildTrayModel, trayIconFile, TRAY_STATES, type TrayAction, type TrayInput, type TrayMenuItem, type TrayState } from './tray-model';

/** Status events can come many times a second; the menu is rebuilt at most this often. */
export const TRAY_REFRESH_MS = 500;

export interface TrayOptions {
  assetsDir: string;
  /** The current mappings, statuses and paused flag (read when the menu is rebuilt). */
  input(): TrayInput;
  onAction(action: TrayAction): void;
}

export interface AppTray {
  /** Rebuilds icon, tooltip and menu soon (throttled). */
  refresh(): void;
  destroy(): void;
}

export function toMenuTemplate(items: TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'status':
        return { label: item.label, enabled: false };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => onAction(item.action) };
    }
  });
}

export function createTray(options: TrayOptions): AppTray {
  const icons = new Map<TrayState, NativeImage>(
    TRAY_STATES.map((state) => [state, nativeImage.createFromPath(join(options.assetsDir, trayIconFile(state)))]),
  );
  const tray = new Tray(icons.get('idle')!);
  let shownState: TrayState = 'idle';

  const render = (): void => {
    if (tray.isDestroyed()) return;
    const model = buildTrayModel(options.input());
    if (model.state !== shownState) {
      tray.setImage(icons.get(model.state)!);
      shownState = model.state;
    }
    tray.setToolTip(model.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(model.menu, options.onAction)));
  };
  const refresh = throttle(render, TRAY_REFRESH_MS);

  // Windows convention: a left click opens the window. On macOS a click shows the menu, and Linux
  // app indicators report no clicks at all.
  if (process.platform === 'win32') tray.on('click', () => options.onAction('open'));
  render();

  return {
    refresh,
    destroy() {
      refresh.cancel();
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
