// The CLI bundle requires the npm packages Node would load as CommonJS instead of importing them
// (scripts/require-cjs-packages.mjs); the format is decided as Node decides it.
import { describe, expect, it } from 'vitest';
import { formatOfPackageImport } from '../../scripts/require-cjs-packages.mjs';
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
