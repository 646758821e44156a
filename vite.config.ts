/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  // The Workers stay unminified: tfjs' threaded wasm glue breaks under minification (PLATFORM.md),
  // and they load only when a run starts. Dead code is still dropped.
  worker: { format: 'es', rolldownOptions: { output: { minify: 'dce-only' } } },
  // Pre-bundle what the run Worker imports: otherwise the dev server discovers tfjs only when the
  // first run starts, re-optimises and reloads the page mid-run.
  optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu'] },
  build: {
    // The page is minified (it holds no tfjs); source maps for every bundle, the Workers' too.
    minify: true,
    sourcemap: true,
    target: 'es2022',
    // The lab, and our reproduction report (docs/RESULTS.md) that it links to.
    rolldownOptions: { input: { main: 'index.html', report: 'report.html' } },
  },
  test: {
    include: ['src/**/*.test.ts', '*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Training tests are CPU-bound; running files in parallel on 2 cores only slows each.
    fileParallelism: false,
  },
});
