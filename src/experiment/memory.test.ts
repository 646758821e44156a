/**
 * Memory stays flat over a long run: after generation 30 the runner holds as many tensors,
 * wasm buffers and bytes as after generation 2, and the wasm heap has not grown. Tiny synthetic
 * data (one batch per network) keeps 30 sexual generations to a few seconds.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { resolveConfig } from './config';
import { environmentInfo, startBackend } from './environment';
import { ExperimentRunner } from './runner';
import { syntheticDataset } from '../testing/data';

interface Snapshot {
  generation: number;
  tensors: number;
  dataIds: number;
  bytes: number;
  wasmHeapBytes: number;
}

let environment: ReturnType<typeof environmentInfo>;
beforeAll(async () => {
  environment = environmentInfo(await startBackend('wasm'));
});

it('tensor count, wasm buffers and wasm heap after generation 30 equal those after generation 2', async () => {
  expect(environment.backend).toBe('wasm');
  const backend = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
  const snapshots: Snapshot[] = [];
  const runner = new ExperimentRunner(
    resolveConfig({
      mode: 'sexual',
      generations: 30,
      ancestorEpochs: 1,
      epochsPerGeneration: 1,
      trainSubset: null,
      testSubset: null,
      training: { batchSize: 16 },
      seed: 3,
    }),
    {
      train: syntheticDataset(16, 1),
      test: syntheticDataset(16, 2),
      environment,
      onCheckpoint: (c) => {
        snapshots.push({
          generation: c.generation,
          tensors: tf.memory().numTensors,
          dataIds: backend.numDataIds(),
          bytes: tf.memory().numBytes,
          wasmHeapBytes: backend.wasm.HEAPU8.length,
        });
      },
    },
  );
  const report = await runner.run();
  expect(report.finished).toBe(true);
  expect(report.records).toHaveLength(1 + 29 * 2);
  // Evolution really happened: later networks are smaller (so a leak would not hide behind growth).
  const last = report.records[report.records.length - 1];
  expect(last.synapses).toBeLessThan(report.records[0].synapses / 4);
  const g2 = snapshots.find((s) => s.generation === 2)!;
  const g30 = snapshots.find((s) => s.generation === 30)!;
  expect({ ...g30, generation: 2 }).toEqual(g2);
  // Every generation in between too, not just the end points.
  for (const s of snapshots.filter((x) => x.generation >= 2)) expect(s.tensors).toBe(g2.tensors);
});
