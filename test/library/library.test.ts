// The package as a user gets it: built by `npm run build:lib` (what `prepare` runs on `npm install`),
// imported by its name from a project outside the repository, in plain Node (no tsx, no vitest
// transforms). The project is a scratch folder in os.tmpdir() whose node_modules/cloud-data-sync is a
// symlink to this repository: what `npm install ../cloud-data-sync` (a folder dependency) or
// `npm link` make. Node resolves the symlink to the repository, so the package's own dependencies come
// from its node_modules, as they would from an installed copy's.
//
// Also here (one file, because all need the one build): every code block of docs/library.md is
// type-checked as a user's TypeScript (NodeNext, strict) against the built declarations, and run; and
// the built declarations show a user the synchronizer's public members only.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3TestServer } from '../support/s3-server';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A project folder with cloud-data-sync in its node_modules, as npm lays out a folder dependency. */
async function scratchProject(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `cds-${name}-`));
  await mkdir(path.join(dir, 'node_modules'));
  await symlink(REPO, path.join(dir, 'node_modules', 'cloud-data-sync'), 'dir');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: `${name}-user`, private: true, type: 'module' }));
  return dir;
}

const scratch: string[] = [];

beforeAll(async () => {
  const built = await run([path.join(REPO, 'scripts', 'build-library.mjs')], REPO);
  expect(built.code, built.stdout + built.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the package, imported by name', () => {
  let project: string;
  let s3: S3TestServer | undefined;

  beforeAll(async () => {
    project = await scratchProject('library');
    scratch.push(project);
  });

  afterAll(async () => {
    await s3?.stop();
  });

  /** Runs `source` as project/<file>.mjs with plain node; it prints one JSON line. */
  async function script(file: string, source: string): Promise<unknown> {
    await writeFile(path.join(project, file), source);
    const r = await run([file], project);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  }

  it('syncs local folders with the memory state, reports progress, and never loads the native SQLite module', async () => {
    const root = path.join(project, 'disk');
    await mkdir(path.join(root, 'src', 'sub'), { recursive: true });
    await mkdir(path.join(root, 'dst'));
    await writeFile(path.join(root, 'src', 'a.txt'), 'alpha');
    await writeFile(path.join(root, 'src', 'sub', 'b.txt'), 'bravo');
    const config = {
      providers: [{ id: 'disk', type: 'local', local: { root } }],
      mappings: [{ id: 'm', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' }],
    };
    const result = (await script(
      'memory.mjs',
      `
      // Every native addon this process loads passes through process.dlopen.
      const loaded = [];
      const dlopen = process.dlopen;
      process.dlopen = (module, file, ...rest) => (loaded.push(file), dlopen(module, file, ...rest));
      const { createSynchronizer, parseConfig, MemoryState } = await import('cloud-data-sync');
      const config = parseConfig(${JSON.stringify(JSON.stringify(config))});
      const synchronizer = createSynchronizer({ connections: config.connections, mappings: config.mappings });
      const phases = new Set();
      const first = await synchronizer.syncAll({ onProgress: (p, mapping) => phases.add(mapping.id + ':' + p.phase) });
      const second = await synchronizer.sync('m');
      await synchronizer.close();
      console.log(JSON.stringify({ first: first.map((o) => o.run), second: second.run, phases: [...phases], loaded, memory: typeof MemoryState }));
      `,
    )) as { first: { status: string; copied: number }[]; second: { status: string; copied: number; skipped: number }; phases: string[]; loaded: string[]; memory: string };
    expect(result.first).toMatchObject([{ status: 'success', copied: 2 }]);
    // The same synchronizer remembers what it synced: nothing is copied again.
    expect(result.second).toMatchObject({ status: 'success', copied: 0, skipped: 2 });
    expect(result.phases).toContain('m:done');
    expect(result.memory).toBe('function');
    expect(result.loaded.filter((file) => file.includes('better_sqlite3'))).toEqual([]);
    expect(await readFile(path.join(root, 'dst', 'sub', 'b.txt'), 'utf8')).toBe('bravo');
  });

  it('ends a run aborted through its AbortSignal as cancelled, and starts no further mapping', async () => {
    const root = path.join(project, 'abort');
    for (const bucket of ['src', 'one', 'two']) await mkdir(path.join(root, bucket), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.txt'), 'alpha');
    const config = {
      providers: [{ id: 'disk', type: 'local', local: { root } }],
      mappings: [
        { id: 'one', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'one' },
        { id: 'two', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'two' },
      ],
    };
    const result = (await script(
      'abort.mjs',
      `
      import { createSynchronizer, parseConfig } from 'cloud-data-sync';
      const config = parseConfig(${JSON.stringify(JSON.stringify(config))});
      const synchronizer = createSynchronizer({ connections: config.connections, mappings: config.mappings });
      const controller = new AbortController();
      // Aborted once the first run is recorded, before it lists anything.
      const outcomes = await synchronizer.syncAll({ signal: controller.signal, onStart: () => controller.abort() });
      await synchronizer.close();
      console.log(JSON.stringify(outcomes.map((o) => o.run)));
      `,
    )) as { mappingId: string; status: string; copied: number; errorCode: string | null }[];
    expect(result).toMatchObject([{ mappingId: 'one', status: 'cancelled', copied: 0 }]);
    expect(existsSync(path.join(root, 'one', 'a.txt'))).toBe(false);
    expect(existsSync(path.join(root, 'two', 'a.txt'))).toBe(false);
  });

  it('syncs a local folder to S3 (s3rver) with the SQLite state: a second process copies nothing again', async () => {
    s3 = await startS3Server();
    const root = path.join(project, 's3-source');
    await mkdir(path.join(root, 'photos', '2024'), { recursive: true });
    for (let i = 0; i < 5; i++) await writeFile(path.join(root, 'photos', '2024', `p${i}.jpg`), `picture ${i}`.repeat(100));
    const databasePath = path.join(project, 'state', 'sync.db');
    const config = {
      databasePath,
      providers: [
        { id: 'disk', type: 'local', local: { root } },
        { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
      ],
      mappings: [{ id: 'up', sourceProviderId: 'disk', sourceBucket: 'photos', targetProviderId: 's3', targetBucket: 'backup', targetPrefix: 'laptop/' }],
    };
    await writeFile(path.join(project, 'config.json'), JSON.stringify(config));
    const source = `
      import { createProvider, createSynchronizer, loadConfig, openSqliteState } from 'cloud-data-sync';
      const config = await loadConfig('config.json');
      const s3 = await createProvider(config.connections.find((c) => c.id === 's3'));
      await s3.createBucket('backup');
      const state = openSqliteState(config.databasePath);
      const synchronizer = createSynchronizer({ connections: config.connections, mappings: config.mappings, state });
      const [outcome] = await synchronizer.syncAll();
      await synchronizer.close();
      const keys = [];
      for await (const o of s3.list('backup', '')) keys.push(o.key);
      await s3.close();
      console.log(JSON.stringify({ run: outcome.run, keys, interrupted: state.interruptedRuns }));
    `;
    const first = (await script('s3.mjs', source)) as { run: { status: string; copied: number }; keys: string[] };
    expect(first.run).toMatchObject({ status: 'success', copied: 5 });
    expect(first.keys).toEqual([0, 1, 2, 3, 4].map((i) => `laptop/2024/p${i}.jpg`));
    expect(existsSync(databasePath)).toBe(true);

    const second = (await script('s3.mjs', source)) as { run: { status: string; copied: number; skipped: number }; interrupted: number };
    expect(second.run).toMatchObject({ status: 'success', copied: 0, skipped: 5 });
    expect(second.interrupted).toBe(0);
  });
});

describe('docs/library.md', () => {
  /** What the examples call /srv/sync. */
  let home: string;
  let project: string;
  let blocks: { lang: string; code: string }[];

  beforeAll(async () => {
    const text = await readFile(path.join(REPO, 'docs', 'library.md'), 'utf8');
    blocks = [...text.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
    project = await scratchProject('docs');
    scratch.push(project);
    home = path.join(project, 'srv');
    await mkdir(path.join(home, 'data', 'photos'), { recursive: true });
    await mkdir(path.join(home, 'data', 'backup'));
    await writeFile(path.join(home, 'data', 'photos', 'cat.jpg'), 'meow');
    await writeFile(path.join(home, 'data', 'photos', 'dog.jpg'), 'woof');
    const config = blocks.find((b) => b.lang === 'json');
    expect(config, 'a json block: the config the examples load').toBeDefined();
    await writeFile(path.join(project, 'config.json'), config!.code.replaceAll('/srv/sync', home));
  });

  it('has examples that type-check against the built declarations, as a user compiles them (NodeNext, strict)', async () => {
    const ts = blocks.filter((b) => b.lang === 'ts');
    expect(ts.length).toBeGreaterThanOrEqual(3);
    for (const [i, b] of ts.entries()) await writeFile(path.join(project, `example-${i}.ts`), b.code);
    await writeFile(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [path.join(REPO, 'node_modules', '@types')],
        },
        include: ['example-*.ts'],
      }),
    );
    const r = await run([TSC, '-p', 'tsconfig.json'], project);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 120_000);

  it('has examples that run: sync everything into SQLite, a dry run with a stop signal, a provider of your own', async () => {
    const ts = blocks.filter((b) => b.lang === 'ts');
    const outputs: string[] = [];
    for (const [i, b] of ts.entries()) {
      await writeFile(path.join(project, `example-${i}.ts`), b.code);
      const r = await run([TSX, `example-${i}.ts`], project);
      expect(r.code, `example ${i}:\n${b.code}\n${r.stdout}${r.stderr}`).toBe(0);
      outputs.push(r.stdout);
    }
    expect(outputs.join('')).toContain('photos: success, copied 2, skipped 0, failed 0');
    expect(await readFile(path.join(home, 'data', 'backup', 'cat.jpg'), 'utf8')).toBe('meow');
    expect(existsSync(path.join(home, 'state', 'sync.db'))).toBe(true);
    expect(outputs.join('')).toContain('success: copied 1');
    expect(await readFile(path.join(home, 'data', 'backup', 'notes', 'todo.txt'), 'utf8')).toBe('water the plants\n');
  }, 120_000);
});

describe('the built declarations', () => {
  /** The package's exports and the members of types, as the compiler sees them in a user's project. */
  async function userView(): Promise<{ exports: string[]; members: (name: string) => string[]; returned: (fn: string) => string[] }> {
    const project = await scratchProject('types');
    scratch.push(project);
    const file = path.join(project, 'check.ts');
    await writeFile(file, "import * as cds from 'cloud-data-sync';\nexport { cds };\n");
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [path.join(REPO, 'node_modules', '@types')],
    });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(file)!;
    const specifier = (source.statements[0] as ts.ImportDeclaration).moduleSpecifier;
    const entry = checker.getSymbolAtLocation(specifier)!;
    const exported = new Map(checker.getExportsOfModule(entry).map((s) => [s.name, s]));
    const resolved = (name: string): ts.Symbol => {
      const symbol = exported.get(name);
      expect(symbol, `the package exports ${name}`).toBeDefined();
      return symbol!.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol!) : symbol!;
    };
    const names = (type: ts.Type): string[] => checker.getPropertiesOfType(type).map((p) => p.name).sort();
    return {
      exports: [...exported.keys()],
      members: (name) => names(checker.getDeclaredTypeOfSymbol(resolved(name))),
      returned: (fn) => {
        const [signature] = checker.getSignaturesOfType(checker.getTypeOfSymbol(resolved(fn)), ts.SignatureKind.Call);
        return names(signature!.getReturnType());
      },
    };
  }

  it("show a Synchronizer with its public members only, not the sync service's; the core's factory is not exported and its declaration is stripped", async () => {
    const view = await userView();
    const publicMembers = ['close', 'mappings', 'provider', 'sync', 'syncAll'];
    expect(view.members('Synchronizer')).toEqual(publicMembers);
    expect(view.returned('createSynchronizer')).toEqual(publicMembers);
    for (const internal of ['createEngine', 'Engine', 'SyncService']) expect(view.exports).not.toContain(internal);
    const libraryTypes = path.join(REPO, 'out', 'library', 'types', 'electron', 'library');
    const engine = await readFile(path.join(libraryTypes, 'engine.d.ts'), 'utf8');
    expect(engine).toContain('createSynchronizer');
    expect(engine).not.toMatch(/createEngine|SyncService/);
  }, 60_000);
});
