import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { configureWasmPaths, judgeAdapter, probeWebGpu, selectBackend, type GpuLike } from './backend';

const fakeGpu = (adapter: Parameters<typeof judgeAdapter>[0]): GpuLike => ({ requestAdapter: async () => adapter });
const swiftshader = {
  isFallbackAdapter: true,
  info: { vendor: 'google', architecture: 'swiftshader', description: '' },
};

describe('judging a WebGPU adapter', () => {
  it('rejects CPU fallbacks, by flag or by name', () => {
    expect(judgeAdapter(swiftshader)).toMatchObject({ usable: false, present: true });
    expect(judgeAdapter(swiftshader).why).toMatch(/CPU fallback \(swiftshader\)/);
    expect(judgeAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } }).usable).toBe(false);
    expect(judgeAdapter({ info: { isFallbackAdapter: true, vendor: 'x' } }).usable).toBe(false);
    expect(judgeAdapter(null)).toMatchObject({ usable: false, present: false });
  });

  it('accepts a hardware adapter', () => {
    const p = judgeAdapter({ isFallbackAdapter: false, info: { vendor: 'nvidia', architecture: 'ampere' } });
    expect(p.usable).toBe(true);
    expect(p.why).toMatch(/nvidia, ampere/);
  });

  it('reports a missing navigator.gpu and a failing requestAdapter', async () => {
    expect((await probeWebGpu(null)).why).toMatch(/no navigator\.gpu/);
    const failing: GpuLike = { requestAdapter: async () => Promise.reject(new Error('boom')) };
    expect((await probeWebGpu(failing)).why).toMatch(/boom/);
  });
});

describe('selectBackend in Node', () => {
  it('auto picks wasm and says why webgpu was skipped', async () => {
    const c = await selectBackend('auto');
    expect(c.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(c.tried.map((t) => [t.backend, t.ok])).toEqual([
      ['webgpu', false],
      ['wasm', true],
    ]);
    expect(c.reason).toMatch(/navigator\.gpu.*using wasm/);
  });

  it('auto skips a SwiftShader adapter for wasm', async () => {
    const c = await selectBackend('auto', { gpu: fakeGpu(swiftshader) });
    expect(c.backend).toBe('wasm');
    expect(c.reason).toMatch(/WebGPU adapter is a CPU fallback \(swiftshader\).*using wasm/);
  });

  it('an unavailable preference falls back along the automatic order', async () => {
    const gpu = await selectBackend('webgpu');
    expect(gpu.backend).toBe('wasm');
    expect(gpu.tried[0]).toMatchObject({ backend: 'webgpu', ok: false });
    const gl = await selectBackend('webgl');
    expect(gl.backend).toBe('wasm');
    expect(gl.tried.map((t) => t.backend)).toEqual(['webgl', 'webgpu', 'wasm']);
    expect(gl.reason).toMatch(/webgl: WebGL needs a canvas/);
  });

  it('honours an available preference', async () => {
    const c = await selectBackend('cpu');
    expect(c.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(c.reason).toMatch(/^cpu as requested/);
    expect((await selectBackend('wasm')).backend).toBe('wasm');
  });

  it('rejects unknown preferences and relative wasm URLs', async () => {
    await expect(selectBackend('tpu' as never)).rejects.toThrow(/unknown backend preference 'tpu'/);
    expect(() => configureWasmPaths('/tfjs-wasm/')).toThrow(/absolute URL/);
  });
});
