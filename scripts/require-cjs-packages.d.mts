// Types of require-cjs-packages.mjs, for the tests.
export declare function formatOfPackageImport(root: string, specifier: string): 'cjs' | 'esm' | null;
export declare function requireCjsPackages(root: string): { name: string; setup(build: unknown): void };
