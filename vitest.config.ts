import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Client suites start their own servers on port 0; files run in parallel workers.
    pool: 'forks',
  },
});
