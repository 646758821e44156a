import { describe, expect, it } from 'vitest';
import type { ImageDataset } from '../data';
import { defaultConfig } from '../experiment/config';
import type { Checkpoint } from '../experiment/records';
import { serialiseCheckpoint } from '../experiment/serialise';
import { ClassifyController } from './classify-controller';
import type { ClassifyEvent, NetworkToClassify } from './protocol';
import { MemoryStorage } from '../testing/fake-storage';
import { glorotGenome, randomlyMasked } from '../testing/genomes';
import { networkRecord } from '../testing/records';

const config = defaultConfig('mnist', 'sexual');
const rec = (generation: number, individual: number, testAccuracy: number) =>
  networkRecord({ generation, individual, testAccuracy });

function checkpoint(
  generation: number,
  population: ReturnType<typeof glorotGenome>[],
  accuracies: number[],
): Checkpoint {
  return {
    version: 1,
    config,
    environment: { backend: 'wasm', backendReason: '', runtime: '', tfjsVersion: '', startedAt: '' },
    ancestor: { synapses: 143_136, kernels: 7_200 },
    generation,
    population,
    records: accuracies.map((a, i) => rec(generation, i, a)),
    configChanges: [],
  };
}

function setup() {
  const events: ClassifyEvent[] = [];
  // The n-th answer, as a promise that the controller's post() settles (no clock involved).
  const settle: ((e: ClassifyEvent) => void)[] = [];
  const answers: Promise<ClassifyEvent>[] = Array.from({ length: 8 }, (_, i) => new Promise((r) => (settle[i] = r)));
  const storage = new MemoryStorage();
  const ancestor = checkpoint(1, [glorotGenome(1, 1)], [0.97]);
  const fetched: string[] = [];
  const controller = new ClassifyController({
    post: (e) => {
      settle[events.length](e);
      events.push(e);
    },
    storage,
    fetch: async (url) => {
      fetched.push(url);
      return url.endsWith('mnist.json')
        ? new Response(JSON.stringify(serialiseCheckpoint(ancestor)), {
            headers: { 'content-type': 'application/json' },
          })
        : new Response('<html>', { status: 404, headers: { 'content-type': 'text/html' } });
    },
    data: {
      load: async () =>
        ({
          count: 3,
          height: 2,
          width: 2,
          channels: 1,
          pixels: Uint8Array.from([0, 0, 0, 0, 255, 255, 0, 0, 51, 102, 153, 204]),
          labels: Uint8Array.from([4, 7, 9]),
          classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
        }) as unknown as ImageDataset,
    },
  });
  const answer = (n: number) => answers[n - 1];
  return { controller, storage, events, answer, fetched };
}

const image = new Float32Array(28 * 28).fill(0.5);
const shape = { height: 28, width: 28, channels: 1 };
const shipped: NetworkToClassify = {
  id: 'ancestor',
  source: { kind: 'url', url: 'http://x/ancestors/mnist.json' },
  generation: 1,
  pick: 'ancestor',
};
const run = (generation: number): NetworkToClassify => ({
  id: 'run-1',
  source: { kind: 'stored', key: 'checkpoint:run-1' },
  generation,
  pick: 'best',
});

describe('the try-it Worker', () => {
  it('classifies with the shipped ancestor and a run’s most accurate newest network', async () => {
    const { controller, storage, answer } = setup();
    const children = [randomlyMasked(glorotGenome(1, 2), 0.3, 3), randomlyMasked(glorotGenome(1, 4), 0.2, 5)];
    await storage.put('checkpoints', 'checkpoint:run-1', checkpoint(3, children, [0.8, 0.9]));
    controller.handle({ type: 'classify', requestId: 1, image, shape, networks: [shipped, run(3)] });
    const ev = await answer(1);
    if (ev.type !== 'classified') throw new Error(JSON.stringify(ev));
    expect(ev.problems).toEqual([]);
    const [a, b] = ev.results;
    expect([a.id, a.generation, a.testAccuracy, a.synapses]).toEqual(['ancestor', 1, 0.97, 143_136]);
    expect([b.id, b.generation, b.individual, b.testAccuracy]).toEqual(['run-1', 3, 1, 0.9]);
    const total = children[1].layers.reduce((s, l) => s + l.mask.reduce((x, y) => x + y, 0), 0);
    expect(b.synapses).toBe(total);
    for (const r of ev.results) {
      expect(r.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 9);
      expect(r.predicted).toBe(r.probabilities.indexOf(Math.max(...r.probabilities)));
    }
  });

  it('reads a stored checkpoint again only once the page knows of a newer generation', async () => {
    const { controller, storage, answer } = setup();
    await storage.put('checkpoints', 'checkpoint:run-1', checkpoint(2, [glorotGenome(1, 2)], [0.5]));
    let reads = 0;
    const get = storage.get.bind(storage);
    storage.get = async (s, k) => (reads++, get(s, k));
    controller.handle({ type: 'classify', requestId: 1, image, shape, networks: [run(2)] });
    await answer(1);
    controller.handle({ type: 'classify', requestId: 2, image, shape, networks: [run(2)] });
    await answer(2);
    expect(reads).toBe(1);
    await storage.put('checkpoints', 'checkpoint:run-1', checkpoint(3, [glorotGenome(1, 3)], [0.6]));
    controller.handle({ type: 'classify', requestId: 3, image, shape, networks: [run(3)] });
    const ev = await answer(3);
    expect(reads).toBe(2);
    expect(ev.type === 'classified' && ev.results[0].generation).toBe(3);
  });

  it('says which networks could not be read and classifies the others', async () => {
    const { controller, storage, answer } = setup();
    await storage.put('checkpoints', 'checkpoint:run-1', checkpoint(3, [glorotGenome(1, 2)], [0.5]));
    controller.handle({
      type: 'classify',
      requestId: 1,
      image,
      shape,
      networks: [
        { ...shipped, source: { kind: 'url', url: 'http://x/ancestors/none.json' } },
        { ...run(3), id: 'not-an-ancestor', pick: 'ancestor' },
        { ...run(3), id: 'missing', source: { kind: 'stored', key: 'checkpoint:nope' } },
        run(3),
      ],
    });
    const ev = await answer(1);
    if (ev.type !== 'classified') throw new Error(JSON.stringify(ev));
    expect(ev.results.map((r) => r.id)).toEqual(['run-1']);
    expect(ev.problems.map((p) => p.id)).toEqual(['ancestor', 'not-an-ancestor', 'missing']);
    expect(ev.problems[0].message).toMatch(/not there \(HTTP 404\)/);
    expect(ev.problems[1].message).toMatch(/generation 3, not the ancestor/);
    expect(ev.problems[2].message).toMatch(/no stored network/);
  });

  it('serves test images scaled to [0, 1], wrapping the index', async () => {
    const { controller, answer } = setup();
    controller.handle({
      type: 'test-image',
      requestId: 1,
      dataset: 'mnist',
      data: { baseUrl: 'http://x/data/', files: [] },
      index: 5,
    });
    const ev = await answer(1);
    if (ev.type !== 'test-image') throw new Error(JSON.stringify(ev));
    expect([ev.index, ev.count, ev.label]).toEqual([2, 3, 9]);
    expect(Array.from(ev.image)).toEqual([0.2, 0.4, 0.6, 0.8].map(Math.fround));
  });
});
