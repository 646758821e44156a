/**
 * Browser tests (e2e/*.e2e.ts): Debian's Chromium through playwright-core against a production
 * build served by `vite preview`. One file at a time: each drives Workers that use the CPU.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['verbose'],
  },
});
