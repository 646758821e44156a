/** Valid checkpoints for tests of what uses them (the artefact gate checks every field). */
import { emptyGenome, lenetSpecs, LENET_CLASSES } from '../evolution';
import type { RunConfig } from '../experiment/config';
import type { Checkpoint, EnvironmentInfo } from '../experiment/records';
import { networkRecord } from './records';

export const testEnvironment = (backend = 'wasm', threads = 1): EnvironmentInfo => ({
  backend,
  backendReason: 'test',
  runtime: 'test',
  tfjsVersion: '4.22.0',
  startedAt: '2026-01-01T00:00:00.000Z',
  threads,
});

/** A checkpoint of `config` at `generation`: untrained networks of the dataset's shape, one record each. */
export function validCheckpoint(
  config: RunConfig,
  generation: number,
  environment: EnvironmentInfo = testEnvironment(),
): Checkpoint {
  const channels = config.dataset === 'cifar10' ? 3 : 1;
  const size = (g: number) => (g === 1 ? 1 : config.population);
  const records = Array.from({ length: generation }, (_, g) =>
    Array.from({ length: size(g + 1) }, (_, individual) =>
      networkRecord({ generation: g + 1, individual, mode: config.mode, parents: g === 0 ? [] : [0] }),
    ),
  ).flat();
  return {
    version: 1,
    config,
    environment,
    ancestor: { synapses: 143_136, kernels: 7_200 },
    generation,
    population: Array.from({ length: size(generation) }, () => emptyGenome(lenetSpecs(channels), LENET_CLASSES)),
    records,
    configChanges: [],
  };
}
