import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyStartAtLogin, AUTOSTART_FILE, autostartEntry, HIDDEN_FLAG } from '../../electron/shell/login-item';
import { throttle } from '../../electron/shell/throttle';

describe('applyStartAtLogin', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('uses app.setLoginItemSettings on macOS and Windows, starting hidden', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const setLoginItemSettings = vi.fn();
      applyStartAtLogin(true, { platform, setLoginItemSettings, executable: '/x', configHome: '/nowhere' });
      applyStartAtLogin(false, { platform, setLoginItemSettings, executable: '/x', configHome: '/nowhere' });
      expect(setLoginItemSettings.mock.calls).toEqual([[{ openAtLogin: true, args: [HIDDEN_FLAG] }], [{ openAtLogin: false, args: [] }]]);
    }
  });

  it('writes and removes an XDG autostart entry on Linux', () => {
    dir = mkdtempSync(join(tmpdir(), 'cds-autostart-'));
    const setLoginItemSettings = vi.fn();
    const env = { platform: 'linux' as const, setLoginItemSettings, executable: '/opt/Cloud Data Sync/cloud-data-sync', configHome: dir };
    applyStartAtLogin(true, env);
    const file = join(dir, 'autostart', AUTOSTART_FILE);
    expect(readFileSync(file, 'utf8')).toContain('Exec="/opt/Cloud Data Sync/cloud-data-sync" --hidden\n');
    applyStartAtLogin(false, env);
    expect(existsSync(file)).toBe(false);
    applyStartAtLogin(false, env); // already gone: no error
    expect(setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('quotes the executable as the desktop entry spec requires', () => {
    expect(autostartEntry('/a/$b"c`d')).toContain('Exec="/a/\\\\$b\\\\"c\\\\`d" --hidden');
  });
});

describe('throttle', () => {
  afterEach(() => vi.useRealTimers());

  it('runs at once, then once at the end of the interval for any calls during it', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const t = throttle(fn, 100);
    t();
    expect(fn).toHaveBeenCalledTimes(1);
    t();
    t();
    vi.advanceTimersByTime(99);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(2);
    t.cancel();
    t();
    expect(fn).toHaveBeenCalledTimes(3);
    t();
    t.cancel();
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(3);
  });
});
