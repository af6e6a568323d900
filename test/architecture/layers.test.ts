// The layer rules of .dependency-cruiser.cjs, run on the real tree (a wrong arrow fails CI) and on a
// small tree with known wrong arrows (so a rule that silently matches nothing fails too).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as IConfiguration;

async function violations(baseDir: string, dirs: string[]): Promise<string[]> {
  const { output } = await cruise(dirs, { ...config.options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden } });
  const result = output as ICruiseResult;
  return result.summary.violations.map((v) => {
    const via = v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : '';
    return `${v.rule.name}: ${v.from} → ${v.to}${via}`;
  });
}

describe('layers inside the code base', () => {
  it('has no import that breaks a layer rule, and no cycle', async () => {
    expect(await violations(root, ['electron', 'shared', 'renderer'])).toEqual([]);
  }, 120_000);

  const fixture = mkdtempSync(path.join(tmpdir(), 'cds-layers-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('catches each kind of wrong arrow', async () => {
    const files: Record<string, string> = {
      'electron/lib/order.ts': "import { engine } from '../sync/engine';\nexport const order = engine;\n",
      'electron/providers/s3.ts': "import { engine } from '../sync/engine';\nexport const s3 = engine;\n",
      'electron/sync/engine.ts': "import type { Row } from '../store/rows';\nexport const engine = 1;\nexport type R = Row;\n",
      'electron/sync/ports.ts': 'export type Port = number;\n',
      'electron/store/rows.ts': "import type { Port } from '../sync/ports';\nexport type Row = Port;\n",
      'electron/store/bad.ts': "import { engine } from '../sync/engine';\nexport const bad = engine;\n",
      'electron/core/app.ts': "import { app } from 'electron';\nimport { tray } from '../shell/tray';\nexport const a = [app, tray];\n",
      'electron/shell/tray.ts': 'export const tray = 1;\n',
      'electron/headless/cli.ts': "import { serve } from '../server/serve';\nexport const cli = serve;\n",
      'electron/server/serve.ts': "import { cli } from '../headless/cli';\nexport const serve = () => cli;\n",
      'shared/model.ts': "import { s3 } from '../electron/providers/s3';\nexport const m = s3;\n",
      'renderer/view.ts': "import { m } from '../shared/model';\nimport { engine } from '../electron/sync/engine';\nexport const v = [m, engine];\n",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
      writeFileSync(path.join(fixture, file), text);
    }
    const found = await violations(fixture, ['electron', 'shared', 'renderer']);
    const rules = new Set(found.map((line) => line.split(':')[0]));
    expect([...rules].sort()).toEqual(
      [
        'core-is-electron-free',
        'electron-only-in-the-shell',
        'lib-is-a-leaf',
        'no-cycles',
        'nothing-imports-the-shell',
        'providers-know-nothing-of-the-engine',
        'renderer-talks-through-the-contract',
        'shared-is-shared',
        'the-engine-owns-its-ports',
        'the-store-implements-the-ports',
      ].sort(),
    );
    // The store may import the engine's ports, and only them.
    expect(found.filter((line) => line.includes(': electron/store/rows.ts →'))).toEqual([]);
    expect(found).toContain('the-store-implements-the-ports: electron/store/bad.ts → electron/sync/engine.ts');
  }, 60_000);
});
