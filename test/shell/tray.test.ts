import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MappingState, MappingStatus } from '../../shared/contract';
import type { RunStatus, RunSummary } from '../../shared/model';
import { buildTrayModel, MAX_STATUS_LINES, pickTrayState, trayIconFile, TRAY_STATES, type TrayEngine, type TrayInput } from '../../electron/shell/tray-model';

// A fake of the few Electron classes tray.ts uses; the tray records what it was given.
const fake = vi.hoisted(() => {
  class FakeTray {
    static last: FakeTray | undefined;
    image: unknown;
    tooltip = '';
    menu: Array<{ label?: string; type?: string; enabled?: boolean; click?: () => void }> = [];
    destroyed = false;
    listeners = new Map<string, () => void>();
    constructor(image: unknown) {
      this.image = image;
      FakeTray.last = this;
    }
    setImage(image: unknown) {
      this.image = image;
    }
    setToolTip(text: string) {
      this.tooltip = text;
    }
    setContextMenu(menu: { items: FakeTray['menu'] }) {
      this.menu = menu.items;
    }
    on(event: string, listener: () => void) {
      this.listeners.set(event, listener);
    }
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  return { FakeTray };
});
vi.mock('electron', () => ({
  Tray: fake.FakeTray,
  Menu: { buildFromTemplate: (items: unknown[]) => ({ items }) },
  nativeImage: { createFromPath: (path: string) => ({ path }) },
}));

const { createTray, TRAY_REFRESH_MS } = await import('../../electron/shell/tray');

function run(mappingId: string, status: RunStatus, failed = 0): RunSummary {
  return {
    id: 1, mappingId, status, dryRun: false, startedAt: 0, finishedAt: 1, durationMs: 1,
    copied: 0, adopted: 0, skipped: 0, deleted: 0, failed, bytesCopied: 0, firstError: null, errorCode: null,
  };
}

function status(mappingId: string, state: MappingState, lastRun: RunSummary | null = null): MappingStatus {
  return { mappingId, state, followUpQueued: false, nextRunAt: null, lastRun, version: 0 };
}

function input(statuses: MappingStatus[], paused = false, disabled: string[] = []): TrayInput {
  const names: Record<string, string> = { a: 'Photos', b: 'Backups', c: 'Logs' };
  return {
    mappings: statuses.map((s) => ({ id: s.mappingId, name: names[s.mappingId] ?? s.mappingId, enabled: !disabled.includes(s.mappingId) })),
    statuses,
    paused,
  };
}

describe('pickTrayState', () => {
  it('is idle when nothing runs and no last run failed', () => {
    expect(pickTrayState(input([status('a', 'idle', run('a', 'success')), status('b', 'idle')]))).toBe('idle');
    expect(pickTrayState(input([]))).toBe('idle');
  });

  it('is syncing while any mapping runs, even if another one failed', () => {
    expect(pickTrayState(input([status('a', 'running'), status('b', 'idle', run('b', 'failed'))]))).toBe('syncing');
  });

  it('is error when a last run failed or partly failed and none is running', () => {
    expect(pickTrayState(input([status('a', 'idle', run('a', 'success')), status('b', 'idle', run('b', 'failed'))]))).toBe('error');
    expect(pickTrayState(input([status('a', 'queued', run('a', 'partial', 2))]))).toBe('error');
  });

  it('ignores the old failure of a disabled mapping, and cancelled or interrupted runs', () => {
    expect(pickTrayState(input([status('a', 'disabled', run('a', 'failed'))], false, ['a']))).toBe('idle');
    expect(pickTrayState(input([status('a', 'idle', run('a', 'cancelled')), status('b', 'idle', run('b', 'interrupted'))]))).toBe('idle');
  });

  it('is paused when paused and nothing runs any more, whatever failed before', () => {
    expect(pickTrayState(input([status('a', 'paused', run('a', 'failed'))], true))).toBe('paused');
    expect(pickTrayState(input([status('a', 'running')], true))).toBe('syncing');
  });
});

describe('buildTrayModel', () => {
  const labels = (model: ReturnType<typeof buildTrayModel>) => model.menu.map((i) => (i.kind === 'separator' ? '---' : i.label));

  it('lists each mapping with its state and last result, then the actions', () => {
    const model = buildTrayModel(input([status('a', 'running', run('a', 'success')), status('b', 'idle', run('b', 'partial', 3)), status('c', 'idle')]));
    expect(labels(model)).toEqual([
      'Photos — syncing',
      'Backups — idle, last run: 3 failed',
      'Logs — idle, never run',
      '---',
      'Sync all now',
      // Pausing stops the running sync too: the words say so.
      'Pause and stop running syncs',
      '---',
      'Open Cloud Data Sync',
      'Quit',
    ]);
    expect(model.menu.filter((i) => i.kind === 'status')).toHaveLength(3);
    expect(model.menu.find((i) => i.kind === 'action' && i.action === 'syncAll')).toMatchObject({ enabled: true });
    expect(model.state).toBe('syncing');
    expect(model.tooltip).toBe('Cloud Data Sync — syncing 1 of 3 mappings');
  });

  it('offers Resume all instead of Pause all while paused, and no Sync all now', () => {
    const model = buildTrayModel(input([status('a', 'paused', run('a', 'success'))], true));
    expect(labels(model)).toContain('Resume all');
    expect(labels(model)).not.toContain('Pause all');
    expect(model.menu.find((i) => i.kind === 'action' && i.action === 'syncAll')).toMatchObject({ enabled: false });
    expect(model.menu.find((i) => i.kind === 'action' && i.action === 'resumeAll')).toMatchObject({ enabled: true });
    expect(model.tooltip).toBe('Cloud Data Sync — paused');
  });

  it('says how many mappings need attention in the error state', () => {
    const model = buildTrayModel(input([status('a', 'idle', run('a', 'failed')), status('b', 'idle', run('b', 'success'))]));
    expect(model.state).toBe('error');
    expect(model.tooltip).toBe('Cloud Data Sync — 1 mapping needs attention');
    expect(labels(model)[0]).toBe('Photos — idle, last run failed');
  });

  it('with no mappings, says so and disables Sync all now', () => {
    const model = buildTrayModel(input([]));
    expect(labels(model)[0]).toBe('No mappings yet');
    expect(model.menu.find((i) => i.kind === 'action' && i.action === 'syncAll')).toMatchObject({ enabled: false });
    expect(model.tooltip).toBe('Cloud Data Sync — no mappings yet');
  });

  it(`shows at most ${MAX_STATUS_LINES} mapping lines and summarises the rest`, () => {
    const many = Array.from({ length: MAX_STATUS_LINES + 3 }, (_, i) => status(`m${i}`, 'idle'));
    const statusLines = buildTrayModel(input(many)).menu.filter((i) => i.kind === 'status');
    expect(statusLines).toHaveLength(MAX_STATUS_LINES + 1);
    expect(statusLines.at(-1)).toMatchObject({ label: '… and 3 more (open the window to see all)' });
  });
});

describe('tray icons', () => {
  it('has a 32×32 and a 64×64 (@2x) PNG for every state', () => {
    for (const state of TRAY_STATES) {
      const base = join('assets', trayIconFile(state));
      for (const [file, size] of [[base, 32], [base.replace('.png', '@2x.png'), 64]] as const) {
        expect(existsSync(file), file).toBe(true);
        const png = readFileSync(file);
        expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
      }
    }
    const icon = readFileSync(join('assets', 'icon.png'));
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([1024, 1024]);
  });
});

describe('createTray (electron mocked)', () => {
  let current: TrayInput;
  const onAction = vi.fn();
  beforeEach(() => {
    vi.useFakeTimers();
    current = input([status('a', 'idle', run('a', 'success'))]);
    onAction.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  const make = () => {
    const tray = createTray({ assetsDir: '/app/assets', input: () => current, onAction });
    return { tray, electronTray: fake.FakeTray.last! };
  };

  it('starts with the icon, tooltip and menu of the current state', () => {
    const { electronTray } = make();
    expect(electronTray.image).toEqual({ path: join('/app/assets', 'tray-idle.png') });
    expect(electronTray.tooltip).toBe('Cloud Data Sync — up to date');
    expect(electronTray.menu.map((i) => i.label ?? i.type)).toEqual([
      'Photos — idle, last run OK', 'separator', 'Sync all now', 'Pause all', 'separator', 'Open Cloud Data Sync', 'Quit',
    ]);
    expect(electronTray.menu[0]).toMatchObject({ enabled: false });
  });

  it('routes menu clicks to onAction', () => {
    const { electronTray } = make();
    for (const label of ['Sync all now', 'Pause all', 'Open Cloud Data Sync', 'Quit']) electronTray.menu.find((i) => i.label === label)!.click!();
    expect(onAction.mock.calls.map((c) => c[0])).toEqual(['syncAll', 'pauseAll', 'open', 'quit']);
  });

  it('switches the icon with the state, rebuilding at most once per interval with the latest state', () => {
    const { tray, electronTray } = make();
    current = input([status('a', 'running')]);
    tray.refresh(); // the first refresh renders at once
    expect(electronTray.image).toEqual({ path: join('/app/assets', 'tray-syncing.png') });
    current = input([status('a', 'idle', run('a', 'failed'))]);
    tray.refresh();
    tray.refresh();
    expect(electronTray.image).toEqual({ path: join('/app/assets', 'tray-syncing.png') });
    vi.advanceTimersByTime(TRAY_REFRESH_MS);
    expect(electronTray.image).toEqual({ path: join('/app/assets', 'tray-error.png') });
    expect(electronTray.tooltip).toBe('Cloud Data Sync — 1 mapping needs attention');
  });

  it('does nothing after destroy, even for a refresh already pending', () => {
    const { tray, electronTray } = make();
    tray.refresh();
    current = input([status('a', 'running')]);
    tray.refresh();
    tray.destroy();
    vi.advanceTimersByTime(TRAY_REFRESH_MS * 2);
    tray.refresh();
    expect(electronTray.destroyed).toBe(true);
    expect(electronTray.image).toEqual({ path: join('/app/assets', 'tray-idle.png') });
  });
});

describe('createTray with remote engines (electron mocked)', () => {
  const idleHere: TrayInput = { mappings: [{ id: 'm', name: 'Photos', enabled: true }], statuses: [], paused: false };
  const engine = (name: string, state: TrayEngine['state'], health: TrayEngine['health'] = 'ok'): TrayEngine => ({ name, state, health });

  it('changes the icon when a remote engine goes offline (tray.ts, electron mocked)', () => {
    let current: TrayInput = { ...idleHere, engines: [engine('VM', 'online')] };
    const tray = createTray({ assetsDir: '/assets', input: () => current, onAction: () => undefined });
    const shown = () => (fake.FakeTray.last!.image as { path: string }).path;
    expect(shown()).toBe('/assets/tray-idle.png');
    current = { ...idleHere, engines: [engine('VM', 'offline')] };
    tray.refresh();
    expect(shown()).toBe('/assets/tray-error.png');
    expect(fake.FakeTray.last!.tooltip).toContain('VM');
    tray.destroy();
  });
});
