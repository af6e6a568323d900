// An engine's health from its last-known mappings, and the tray's icon as the worst state of this
// engine and its remote engines (tray-model.ts; the icon itself: test/shell/tray.test.ts).
import { describe, expect, it } from 'vitest';
import type { EngineMappingSummary, MappingState } from '../../shared/contract';
import type { RunStatus } from '../../shared/model';
import { engineHealth } from '../../electron/remote/health';
import { buildTrayModel, pickTrayState, type TrayEngine, type TrayInput } from '../../electron/shell/tray-model';

function mapping(id: string, state: MappingState, lastRunStatus: RunStatus | null = null): EngineMappingSummary {
  return { id, name: id, state, lastRunStatus, lastRunAt: lastRunStatus ? 1 : null };
}

describe('engineHealth', () => {
  it('is the worst of its mappings: failed > running > paused > ok; unknown when never reached', () => {
    expect(engineHealth(null)).toBe('unknown');
    expect(engineHealth([])).toBe('ok');
    expect(engineHealth([mapping('a', 'idle', 'success'), mapping('b', 'idle', 'cancelled')])).toBe('ok');
    expect(engineHealth([mapping('a', 'paused'), mapping('b', 'idle', 'success')])).toBe('paused');
    expect(engineHealth([mapping('a', 'paused'), mapping('b', 'running', 'success')])).toBe('running');
    expect(engineHealth([mapping('a', 'running'), mapping('b', 'idle', 'partial')])).toBe('failed');
    expect(engineHealth([mapping('a', 'queued', 'failed')])).toBe('failed');
  });

  it('does not count the old failure of a disabled mapping', () => {
    expect(engineHealth([mapping('a', 'disabled', 'failed')])).toBe('ok');
  });
});

const idleHere: TrayInput = { mappings: [{ id: 'm', name: 'Photos', enabled: true }], statuses: [], paused: false };
const engine = (name: string, state: TrayEngine['state'], health: TrayEngine['health'] = 'ok'): TrayEngine => ({ name, state, health });

describe('the tray across engines', () => {
  it('shows the worst state of this engine and the remote ones', () => {
    expect(pickTrayState({ ...idleHere, engines: [engine('VM', 'online', 'ok')] })).toBe('idle');
    expect(pickTrayState({ ...idleHere, engines: [engine('VM', 'online', 'running')] })).toBe('syncing');
    expect(pickTrayState({ ...idleHere, engines: [engine('VM', 'online', 'paused'), engine('VM2', 'online', 'running')] })).toBe('syncing');
    expect(pickTrayState({ ...idleHere, engines: [engine('VM', 'online', 'failed'), engine('VM2', 'online', 'running')] })).toBe('error');
    // This engine syncing does not hide a remote's failure.
    expect(pickTrayState({ ...idleHere, statuses: [{ mappingId: 'm', state: 'running', followUpQueued: false, nextRunAt: null, lastRun: null, version: 1 }], engines: [engine('VM', 'online', 'failed')] })).toBe('error');
  });

  it('counts an engine that cannot be reached or refuses us as needing attention, one still connecting as nothing yet', () => {
    expect(pickTrayState({ ...idleHere, engines: [engine('VM', 'offline', 'ok')] })).toBe('error');
    expect(pickTrayState({ ...idleHere, engines: [engine('VM', 'refused', 'unknown')] })).toBe('error');
    expect(pickTrayState({ ...idleHere, engines: [engine('VM', 'connecting', 'unknown')] })).toBe('idle');
  });

  it('names the remote engines in the tooltip when they decide the state, and lists each in the menu', () => {
    const model = buildTrayModel({ ...idleHere, engines: [engine('VM', 'offline'), engine('Lab', 'online', 'running')] });
    expect(model.state).toBe('error');
    expect(model.tooltip).toBe('Cloud Data Sync — remote engine VM: needs attention');
    const lines = model.menu.filter((i) => i.kind === 'status').map((i) => (i as { label: string }).label);
    expect(lines).toEqual(['Photos — idle', 'VM (remote) — offline', 'Lab (remote) — syncing']);
    // Without remote engines the model is this engine's alone.
    expect(buildTrayModel(idleHere).tooltip).toBe('Cloud Data Sync — up to date');
  });
});
