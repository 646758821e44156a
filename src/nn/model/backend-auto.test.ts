/** `auto` with tfjs in Node: only wasm can run here (no navigator.gpu; cpu is never timed). */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { chooseAutoBackend, TfjsCandidate } from './backend-auto';
import type { CachedSelection, SelectionCache } from './backend-chooser';

/** A cache that records what the chooser asks of it. */
function spyCache(): SelectionCache & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    get: async (key: string) => {
      calls.push(`get ${key}`);
      return undefined;
    },
    put: async (key: string, _value: CachedSelection) => {
      calls.push(`put ${key}`);
    },
  };
}

describe('auto in Node', () => {
  it('takes wasm without measuring, and says why nothing else was a candidate', async () => {
    const cache = spyCache();
    const stages: string[] = [];
    const c = await chooseAutoBackend({ cache, onStage: (m) => stages.push(m), cores: 2 });
    expect(c.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(c.selection.how).toBe('only-candidate');
    expect(c.reason).toBe(
      'only wasm can run here, so there is nothing to measure (WebGPU: WebGPU is not available here (no navigator.gpu); cpu: not measured: plain JavaScript trains about 100× slower than wasm; used only if wasm cannot start)',
    );
    expect(c.tried.map((t) => [t.backend, t.ok])).toEqual([
      ['webgpu', false],
      ['wasm', true],
    ]);
    expect([cache.calls, stages]).toEqual([[], []]);
  });

  it('a GPU adapter whose backend cannot start here is skipped with its reason', async () => {
    const gpu = { requestAdapter: async () => ({ isFallbackAdapter: false, info: { vendor: 'nvidia' } }) };
    const c = await chooseAutoBackend({ gpu, cores: 2 });
    expect(c.backend).toBe('wasm');
    expect(c.selection.timings[0]).toMatchObject({
      backend: 'webgpu',
      skipped: expect.stringMatching(/^could not start: /),
    });
    expect(c.tried[0]).toMatchObject({ backend: 'webgpu', ok: false });
  });
});

describe('a tfjs candidate', () => {
  it("trains steps of the run's network on its backend and frees them when stopped", async () => {
    const network = {
      input: { height: 32, width: 32, channels: 3 },
      poolSize: 3,
      training: { batchSize: 8, optimizer: 'sgd' as const, learningRate: 0.01, momentum: 0.9, weightDecay: 0 },
    };
    const wasm = new TfjsCandidate('wasm', network, null);
    await wasm.start();
    const before = tf.memory().numTensors;
    expect(await wasm.step()).toBe(8);
    expect(await wasm.step()).toBe(8);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    wasm.stop();
    expect(tf.memory().numTensors).toBe(before);
  });
});
