// The layers of the code base, checked in `npm test` (test/architecture/layers.test.ts) and by hand with
// `npx depcruise electron shared renderer`. A wrong arrow fails CI. Read from the bottom up:
//
//   shared/                      contract, model, config rules: imports nothing of electron/ or renderer/
//   electron/lib/                small utilities (key order, ordered blocks)
//   electron/providers/          protocol code per storage service: lib/ only
//   electron/sync/               the engine and its ports: providers/ and lib/
//   electron/store/              SQLite: implements sync's ports (sync/ports only)
//   electron/remote/             links to remote engines (other `serve`s): shared/, lib/ and store/ only
//   electron/services/, api/     build providers, run the engine, answer the contract
//   electron/library/            the public library API (package.json "exports")
//   electron/ops/                metrics, traces, alerts: watch the engine's events (sync/telemetry), change nothing
//   electron/core/               the Electron-free app: store, scheduler, API and event bus wired once
//   electron/headless/, server/  the CLI and `serve`
//   electron/shell/              the Electron shell: the only code that imports `electron`; nothing imports it
//   renderer/                    React; talks to electron/ only through shared/contract.ts
//
// Type-only imports count: a type cycle is still a cycle, and a type arrow is still an arrow.

/** Every electron/ layer except the ones listed: the `to` of a "may not import" rule. */
const electronExcept = (...allowed) => `^electron/(?!(${allowed.join('|')})/)`;

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules that import each other (directly or round a loop) cannot be understood or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-is-shared',
      severity: 'error',
      comment: 'shared/ is imported by both sides and must import neither.',
      from: { path: '^shared/' },
      to: { path: '^(electron|renderer)/' },
    },
    {
      name: 'renderer-talks-through-the-contract',
      severity: 'error',
      comment: 'The renderer reaches main only through shared/contract.ts (IPC or WebSocket).',
      from: { path: '^renderer/' },
      to: { path: '^electron/' },
    },
    {
      name: 'main-does-not-import-the-renderer',
      severity: 'error',
      from: { path: '^electron/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'electron-only-in-the-shell',
      severity: 'error',
      comment: 'Everything but the shell runs under plain Node (tests, CLI, serve, library).',
      from: { pathNot: '^electron/shell/' },
      to: { path: '^(node_modules/electron/|electron$)' },
    },
    {
      name: 'lib-is-a-leaf',
      severity: 'error',
      from: { path: '^electron/lib/' },
      to: { path: electronExcept('lib') },
    },
    {
      name: 'providers-know-nothing-of-the-engine',
      severity: 'error',
      comment: 'A provider is protocol code; what the engine does with it is not its business.',
      from: { path: '^electron/providers/' },
      to: { path: electronExcept('providers', 'lib') },
    },
    {
      name: 'the-engine-owns-its-ports',
      severity: 'error',
      comment: 'sync/ uses providers and its own ports; the database implements the ports, never the reverse.',
      from: { path: '^electron/sync/' },
      to: { path: electronExcept('sync', 'providers', 'lib') },
    },
    {
      name: 'the-store-implements-the-ports',
      severity: 'error',
      comment: 'store/ may know the engine only through sync/ports.',
      from: { path: '^electron/store/' },
      to: { path: '^electron/', pathNot: '^electron/(store/|lib/|sync/ports\\.ts$)' },
    },
    {
      name: 'remote-links-only-relay',
      severity: 'error',
      comment: 'A link to a remote engine relays the contract; it reaches no provider, engine or API of this process.',
      from: { path: '^electron/remote/' },
      to: { path: electronExcept('remote', 'lib', 'store') },
    },
    {
      name: 'services-and-api-below-the-app',
      severity: 'error',
      from: { path: '^electron/(services|api)/' },
      to: { path: '^electron/(library|core|headless|server|shell)/' },
    },
    {
      name: 'the-library-below-its-users',
      severity: 'error',
      comment: 'The CLI, serve and the app are built on the library, not the other way round.',
      from: { path: '^electron/library/' },
      to: { path: '^electron/(core|headless|server|shell)/' },
    },
    {
      name: 'ops-only-watch',
      severity: 'error',
      comment: 'Metrics, traces and alerts read the engine\'s events; they reach no provider, store or API, so they cannot change a run.',
      from: { path: '^electron/ops/' },
      to: { path: electronExcept('ops', 'sync', 'lib') },
    },
    {
      name: 'core-is-electron-free',
      severity: 'error',
      from: { path: '^electron/core/' },
      to: { path: '^electron/(headless|server|shell)/' },
    },
    {
      name: 'nothing-imports-the-shell',
      severity: 'error',
      from: { pathNot: '^electron/shell/' },
      to: { path: '^electron/shell/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|out|\\.build)/' },
    // Type-only imports are arrows too.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
