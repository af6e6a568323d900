// Shared by the shell tests: a temp folder with two local "clouds", and a real app core wired to it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Envelope, EventName, Events, MappingInput } from '../../shared/contract';
import type { AppCore } from '../../electron/core/core';

export interface Sandbox {
  dir: string;
  dbPath: string;
  srcRoot: string;
  dstRoot: string;
  cleanup(): void;
}

/** src/bucket holding `files` (name → content) and dst/bucket holding `targetFiles`. */
export function makeSandbox(files: Record<string, string> = { 'a.txt': 'alpha', 'dir/b.txt': 'bravo' }, targetFiles: Record<string, string> = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'cds-shell-'));
  const srcRoot = join(dir, 'src');
  const dstRoot = join(dir, 'dst');
  fill(join(srcRoot, 'bucket'), files);
  fill(join(dstRoot, 'bucket'), targetFiles);
  return { dir, dbPath: join(dir, 'data.db'), srcRoot, dstRoot, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function fill(folder: string, files: Record<string, string>): void {
  mkdirSync(folder, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, name)), { recursive: true });
    writeFileSync(join(folder, name), content);
  }
}

export function value<T>(envelope: Envelope<T>): T {
  if (!envelope.ok) throw new Error(`command failed: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value;
}

export function mappingInput(extra: Partial<MappingInput> = {}): MappingInput {
  return {
    id: 'm1',
    name: 'Photos',
    sourceConnectionId: 'src',
    sourceBucket: 'bucket',
    sourcePrefix: '',
    targetConnectionId: 'dst',
    targetBucket: 'bucket',
    targetPrefix: '',
    transfers: 4,
    deleteMode: 'synced',
    maxDelete: null,
    dryRun: false,
    enabled: true,
    intervalSeconds: null,
    ...extra,
  };
}

/** Two local connections (src, dst) and one mapping between them, created through the contract. */
export async function addLocalMapping(core: AppCore, sandbox: Sandbox, extra: Partial<MappingInput> = {}): Promise<void> {
  value(await core.dispatch('connections.create', { id: 'src', name: 'Source', type: 'local', local: { root: sandbox.srcRoot } }));
  value(await core.dispatch('connections.create', { id: 'dst', name: 'Target', type: 'local', local: { root: sandbox.dstRoot } }));
  value(await core.dispatch('mappings.create', mappingInput(extra)));
}

/** Resolves with the next `name` event matching `filter`. */
export function nextEvent<E extends EventName>(core: AppCore, name: E, filter: (payload: Events[E]) => boolean = () => true): Promise<Events[E]> {
  return new Promise((resolve) => {
    const off = core.events.on(name, (payload) => {
      if (!filter(payload)) return;
      off();
      resolve(payload);
    });
  });
}
