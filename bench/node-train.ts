/**
 * One Node process measuring wasm throughput, printing JSON: run alone or several at once by
 * bench/run.ts to measure what both cores give.
 *   npx tsx bench/node-train.ts [batches] [fraction of filters alive]
 */
import { selectBackend } from '../src/nn/model/backend';
import { ancestorGenome, evolvedGenome, throughput } from './lenet';

const batches = Number(process.argv[2] ?? 20);
const fraction = Number(process.argv[3] ?? 1);
await selectBackend('wasm');
const genome = fraction >= 1 ? ancestorGenome() : evolvedGenome(fraction).genome;
const t0 = Date.now();
const r = await throughput(genome, { batches, inferBatches: 2 });
process.stdout.write(JSON.stringify({ ...r, startedAt: t0, finishedAt: Date.now() }) + '\n');
