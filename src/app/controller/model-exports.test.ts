/** Exporting a run's network from the lab: the Worker is asked, its files become downloads. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetworkRecord } from '../../experiment/records';
import { labHarness, MNIST_SERVED } from '../../testing/lab-harness';
import { genomesKey } from '../../worker/protocol';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const record = (generation: number, individual: number, testAccuracy: number) =>
  ({ generation, individual, testAccuracy, mode: 'sexual', exportBytes: 1000 / generation }) as NetworkRecord;

/** A comparison whose sexual run has finished generation 2 (two networks). */
async function finished() {
  const h = labHarness({ site: MNIST_SERVED });
  await h.lab.initLab();
  h.lab.startComparison();
  await vi.advanceTimersByTimeAsync(1000);
  const records = [record(1, 0, 0.9), record(2, 0, 0.8), record(2, 1, 0.85)];
  const data = { name: 'mnist', height: 28, width: 28, channels: 1, classNames: ['0'], trainImages: 1, testImages: 1 };
  h.store.setState((s) => ({ runs: s.runs.map((r, i) => (i === 1 ? { ...r, records, data } : r)) }));
  return { h, run: h.state().runs[1], data };
}

describe('exporting a model from the lab', () => {
  it('asks a Worker for the generation’s most accurate network and offers its files as downloads', async () => {
    const { h, run, data } = await finished();
    const exporting = h.lab.exportModel(run.id, 2);
    expect(h.state().exports[run.id]).toMatchObject({ status: 'working', generation: 2, individual: 1 });
    const w = h.workers.at(-1)!;
    expect(w.name).toBe('evolab model export');
    expect(w.commands).toEqual([
      {
        type: 'export-model',
        runId: run.id,
        record: record(2, 1, 0.85),
        run: { config: run.config, data },
        wasmBaseUrl: 'http://lab.test/tfjs-wasm/',
      },
    ]);
    const summary = { generation: 2, individual: 1, bytes: 7, parameters: 2, layers: [], imagesPerSecond: 5 };
    w.emit({
      type: 'model-exported',
      files: [
        { name: 'model.json', bytes: new Uint8Array([123, 125]), type: 'application/json' },
        { name: 'group1-shard1of1.bin', bytes: new Uint8Array(5), type: 'application/octet-stream' },
      ],
      summary,
    });
    await exporting;
    const done = h.state().exports[run.id];
    expect(done).toMatchObject({ status: 'done', summary });
    expect(done.files.map((f) => [f.name, f.bytes])).toEqual([
      ['model.json', 2],
      ['group1-shard1of1.bin', 5],
    ]);
    expect(await (await fetch(done.files[0].url)).text()).toBe('{}');
    expect(w.terminated).toBe(true);

    // The newest generation by default; a failure is said, on the card and as a notice.
    const again = h.lab.exportModel(run.id);
    expect(h.workers.at(-1)!.sent('export-model')[0].record).toEqual(record(2, 1, 0.85));
    h.workers.at(-1)!.emit({ type: 'export-failed', message: 'generation 2’s networks are not kept' });
    await again;
    expect(h.state().exports[run.id]).toMatchObject({
      status: 'failed',
      message: 'generation 2’s networks are not kept',
    });
    expect(h.notices().at(-1)).toBe(
      `error: ${run.label}: could not export generation 2: generation 2’s networks are not kept`,
    );
  });

  it('forgets the exports and the kept networks on reset', async () => {
    const { h, run } = await finished();
    for (const g of [1, 2]) await h.storage.put('checkpoints', genomesKey(run.id, g), {});
    await h.storage.put('checkpoints', genomesKey('other-0', 1), {});
    const exporting = h.lab.exportModel(run.id, 1);
    h.workers.at(-1)!.emit({ type: 'export-failed', message: 'no' });
    await exporting;
    await h.lab.resetLab();
    expect(h.state().exports).toEqual({});
    expect(h.storage.keys('checkpoints')).toEqual([genomesKey('other-0', 1)]);
  });
});
