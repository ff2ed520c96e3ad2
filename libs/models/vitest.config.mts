import { defineConfig } from 'vitest/config';

// Model tests build and train small networks on the tfjs cpu backend: allow them a little time.
export default defineConfig({ test: { testTimeout: 30_000 } });
