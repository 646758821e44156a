/**
 * Once per e2e run: make sure the MNIST files are in public/data, build the app, and serve the
 * build with `vite preview` on a free port (stopped, with its process group, at the end).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the preview server did not answer at ${url} within ${ms / 1000} s`);
}

export default async function setup(project: TestProject) {
  mkdirSync(path.join(root, 'e2e-artifacts'), { recursive: true });
  const mnist = path.join(root, 'public/data/mnist/train-images-idx3-ubyte.gz');
  if (!existsSync(mnist) || !existsSync(path.join(root, 'public/data/mnist/t10k-labels-idx1-ubyte.gz'))) {
    const dataDir = process.env.EVOLAB_DATASETS ?? path.resolve(root, '../shared/datasets');
    run(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/data.ts', '--dataset', 'mnist'],
      existsSync(dataDir) ? { DATA_DIR: dataDir } : {},
    );
  }
  if (process.env.EVOLAB_E2E_NO_BUILD !== '1' || !existsSync(path.join(root, 'dist/index.html'))) {
    run(process.execPath, ['scripts/copy-wasm.mjs']);
    // vitest sets NODE_ENV=test, which would make vite bundle React's development build.
    run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { NODE_ENV: 'production' });
  }
  const port = await freePort();
  // Started directly (not through npx), in its own process group, so that teardown stops it all.
  const server = spawn(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForServer(`${baseUrl}/`, 30_000);
  } catch (e) {
    process.kill(-server.pid!, 'SIGTERM');
    throw e;
  }
  project.provide('baseUrl', baseUrl);
  return async () => {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
}
