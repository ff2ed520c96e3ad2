import { defineConfig } from 'vitest/config';

// Integration tests start real servers and processes: allow them time, and run files one at a
// time so two suites never compete for the same two cores.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 30_000, fileParallelism: false },
});
