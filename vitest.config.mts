import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'shared/**/*.test.ts', 'electron/**/*.test.ts'],
    environment: 'node',
    // As in the CLI: the AWS SDK's "releases from 2027 need Node 22" notice would repeat in every file's output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Tests start real servers (s3rver, Azurite) per file; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
