// Types of bundle-packages.mjs, for the tests.
export declare function formatOfPackageImport(root: string, specifier: string): 'cjs' | 'esm' | null;
export declare function bundlePackages(root: string): { name: string; setup(build: unknown): void };
