import { describe, expect, it } from 'vitest';
import type { ClassifyCommand, ClassifyEvent } from '../worker/protocol';
import { createClassifier, tryItNetworks } from './classifier';
import { newRun } from './state';
import { defaultConfig } from '../experiment/config';

describe('the try-it client', () => {
  it('makes the Worker on first use and answers each request by its id', async () => {
    const sent: ClassifyCommand[] = [];
    let deliver: (e: ClassifyEvent) => void = () => {};
    let spawned = 0;
    const c = createClassifier((on) => {
      spawned++;
      deliver = on;
      return { post: (cmd) => sent.push(cmd) };
    });
    expect(spawned).toBe(0);
    const a = c.classify(new Float32Array(4), { height: 2, width: 2, channels: 1 }, []);
    const b = c.testImage('mnist', { baseUrl: 'x', files: [] }, 3);
    expect(spawned).toBe(1);
    expect(sent.map((x) => [x.type, x.requestId])).toEqual([
      ['classify', 1],
      ['test-image', 2],
    ]);
    deliver({ type: 'classify-error', requestId: 2, message: 'no data' });
    deliver({ type: 'classified', requestId: 1, results: [], problems: [] });
    await expect(a).resolves.toMatchObject({ type: 'classified' });
    await expect(b).rejects.toThrow('no data');
  });

  it('asks the shipped or stored ancestor and every run past generation 1', () => {
    const run = (id: string, stored: number) => ({
      ...newRun(id, { mode: 'sexual' }, id, '#000', defaultConfig()),
      storedGeneration: stored,
    });
    const base = {
      sessionId: 's1',
      ancestorStored: false,
      shippedAncestor: 'present' as const,
      runs: [run('a', 1), run('b', 3)],
      setup: { ancestor: 'shipped' as const, dataset: 'mnist' as const },
    };
    const shipped = tryItNetworks(base, 'http://lab');
    expect(shipped.ancestor?.source).toEqual({ kind: 'url', url: 'http://lab/ancestors/mnist.json' });
    expect(shipped.runs.map((r) => [r.network.id, r.network.generation, r.network.source])).toEqual([
      ['b', 3, { kind: 'stored', key: 'checkpoint:b' }],
    ]);
    expect(tryItNetworks({ ...base, ancestorStored: true }, 'http://lab').ancestor?.source).toEqual({
      kind: 'stored',
      key: 'ancestor:s1',
    });
    const none = tryItNetworks({ ...base, setup: { ancestor: 'train', dataset: 'mnist' } }, 'http://lab');
    expect(none.ancestor).toBeNull();
    expect(none.noAncestor).toMatch(/trained here/);
  });
});
