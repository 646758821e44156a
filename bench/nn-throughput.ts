/**
 * Training and inference throughput of the paper's LeNet on MNIST-size input.
 *   npx tsx bench/nn-throughput.ts [auto|wasm|cpu|...] [batches]
 * Train: forward + backward + Adam step at batch 64, after a warm-up; infer: batch 256.
 * Also an evolved genome (half the synapses alive, a third of the filters dead) to show
 * what compaction buys.
 */
import { Rng } from '../src/evolution/rng';
import { selectBackend, type BackendPreference } from '../src/nn/model/backend';
import { range } from '../src/nn/model/layout';
import { MaskedNetwork } from '../src/nn/model/network';
import { mnistSlice } from '../src/testing/data';
import { glorotGenome, killFilters, randomlyMasked } from '../src/testing/genomes';

const preference = (process.argv[2] ?? 'auto') as BackendPreference;
const batches = Number(process.argv[3] ?? 30);
const choice = await selectBackend(preference);
console.log(`backend ${choice.backend}: ${choice.reason}`);

const data = mnistSlice('train', 64 * batches + 128);
const test = mnistSlice('test', 2048);
const settings = {
  epochs: 1,
  batchSize: 64,
  optimizer: 'adam',
  learningRate: 1e-3,
  momentum: 0.9,
  weightDecay: 0,
} as const;

const evolved = randomlyMasked(glorotGenome(1, 2), 0.5, 3);
evolved.layers.forEach((l, i) =>
  killFilters(
    evolved,
    i,
    Array.from(range(l.spec.filters)).filter((f) => f % 3 === 0),
  ),
);

for (const [name, genome] of [
  ['ancestor (dense)', glorotGenome(1, 1)],
  ['evolved (1/3 filters dead)', evolved],
] as const) {
  const net = MaskedNetwork.fromGenome(genome, { height: 28, width: 28, channels: 1 });
  await net.train(data, range(128), settings, new Rng(1)); // warm-up: XNNPACK operators, wasm heap growth
  const r = await net.train(
    data,
    range(64 * batches).map((i) => i + 128),
    settings,
    new Rng(2),
  );
  await net.evaluate(test, range(256), 256);
  const t0 = performance.now();
  const ev = await net.evaluate(test, undefined, 256);
  const inferSeconds = (performance.now() - t0) / 1000;
  console.log(
    `${name} [${net.physicalFilters.join(', ')} filters]: train ${(r.images / r.seconds).toFixed(0)} img/s ` +
      `(${r.images} images in ${r.seconds.toFixed(1)} s); infer ${(ev.total / inferSeconds).toFixed(0)} img/s`,
  );
  net.dispose();
}
