// The CLI bundle requires the npm packages Node would load as CommonJS instead of importing them
// (scripts/bundle-packages.mjs); the format is decided as Node decides it.
import { describe, expect, it } from 'vitest';
import { formatOfPackageImport } from '../../scripts/bundle-packages.mjs';
import { REPO_ROOT } from '../support/cli-child';

describe('which packages the CLI bundle requires', () => {
  it.each([
    ['@aws-sdk/client-s3', 'cjs'], // "main" into dist-cjs, no "type"
    ['@smithy/core/endpoints', 'cjs'], // "node" is listed before "import": Node loads dist-cjs
    ['better-sqlite3', 'cjs'],
    ['valibot', 'esm'], // "import" → .mjs
    ['@google-cloud/storage', 'esm'], // "import" → a .js under "type": "module"
    ['minio', 'esm'], // "require" is no import condition; "default" → .mjs
    ['no-such-package', null],
  ])('%s loads as %s', (specifier, format) => {
    expect(formatOfPackageImport(REPO_ROOT, specifier)).toBe(format);
  });
});

describe('the CLI bundle plugin', () => {
  it('bundles the storage SDKs and what they import, requires CommonJS packages left outside, imports ES ones', async () => {
    const { build } = await import('esbuild');
    const { bundlePackages } = await import('../../scripts/bundle-packages.mjs');
    const result = await build({
      absWorkingDir: REPO_ROOT,
      stdin: { contents: "import { S3Client } from '@aws-sdk/client-s3'; import Database from 'better-sqlite3'; import * as v from 'valibot'; export { S3Client, Database, v };", resolveDir: REPO_ROOT, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      write: false,
      plugins: [bundlePackages(REPO_ROOT) as never],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/["']@aws-sdk\/client-s3["']/); // inside the bundle
    expect(code).toContain('node_modules/@aws-sdk/client-s3/dist-cjs/index.js'); // esbuild's path comment of the bundled module
    expect(code).toMatch(/__require\("better-sqlite3"\)/);
    expect(code).toMatch(/from "valibot"/);
  });
});
