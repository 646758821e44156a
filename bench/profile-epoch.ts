/**
 * Where one training epoch's time goes, on Node wasm: a CPU profile of the epoch only (the
 * inspector's Profiler around `train`, after a warm-up), as self time per function and per part,
 * in ms per step. Our SIMD kernels appear by name (the module has a name section); tfjs' own
 * wasm kernels are unnamed.
 *   npx tsx bench/profile-epoch.ts [fraction of filters kept, 1 = ancestor] [rows] [--tape]
 * (--tape: the step through tfjs' tape instead of wasm-step.ts)
 */
import { Session } from 'node:inspector/promises';
import { Rng } from '../src/evolution/rng';
import { selectBackend } from '../src/nn/model/backend';
import { MaskedNetwork } from '../src/nn/model/network';
import { ancestorGenome, evolvedGenome, MNIST_SHAPE, PAPER_TRAINING, randomImages } from './lenet';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const fraction = Number(process.argv[2] ?? 0.316);
const rows = Number(process.argv[3] ?? 25);
const IMAGES = 6000;

/** The part of a step a sampled frame belongs to. */
function part({ functionName, url }: ProfileNode['callFrame']): string {
  if (url.startsWith('wasm'))
    return /^wasm-function\[/.test(functionName) ? 'tfjs wasm kernels' : 'EvoLab wasm kernels';
  if (url.includes('tf-core')) return 'tfjs core (JavaScript)';
  if (url.includes('tf-backend-wasm')) return 'tfjs wasm backend (JavaScript)';
  if (url.includes('/src/')) return `src/${url.split('/src/')[1]}`;
  if (functionName === '(garbage collector)') return functionName;
  if (functionName === 'dispatch' && url === '') return "the profiler's own (inspector dispatch)";
  return 'other';
}

function table(totals: Map<string, number>, steps: number, limit: number): string[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, us]) => `${(us / 1000 / steps).toFixed(3).padStart(8)}  ${key}`);
}

await selectBackend('wasm');
const genome = fraction >= 1 ? ancestorGenome() : evolvedGenome(fraction).genome;
const net = MaskedNetwork.fromGenome(genome, MNIST_SHAPE, { tapeFreeStep: !process.argv.includes('--tape') });
const data = randomImages(IMAGES, 1);
const all = Array.from({ length: IMAGES }, (_, i) => i);
const session = new Session();
session.connect();
try {
  await net.train(data, all.slice(0, 128), PAPER_TRAINING, new Rng(1));
  const plain = await net.train(data, all, PAPER_TRAINING, new Rng(2));
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const profiled = await net.train(data, all, PAPER_TRAINING, new Rng(2));
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  const steps = Math.ceil(IMAGES / PAPER_TRAINING.batchSize);
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byPart = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id)!;
    const where = part(frame);
    const fn = `${frame.functionName || '(anonymous)'}  [${where}]`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + profile.timeDeltas[i]);
    byPart.set(where, (byPart.get(where) ?? 0) + profile.timeDeltas[i]);
  });
  console.log(
    `filters ${net.physicalFilters.join('/')}: epoch ${plain.seconds.toFixed(2)} s unprofiled, ${profiled.seconds.toFixed(2)} s profiled; ms per step (${steps} steps of ${PAPER_TRAINING.batchSize})`,
  );
  console.log('\nby part');
  console.log(table(byPart, steps, rows).join('\n'));
  console.log('\nby function (self time)');
  console.log(table(byFunction, steps, rows).join('\n'));
} finally {
  session.disconnect();
  net.dispose();
}
