/**
 * Starting a new run from another run's trained ancestor (generation 1), so that runs of several
 * modes or settings evolve from the same network and the ancestor is trained once (`npm run evolve
 * -- --ancestor-from DIR`, and every sweep). Unlike a resume, the new run has its own settings.
 */
import { lenetSpecsFor, sameLayerShape } from '../evolution';
import type { RunConfig } from './config';
import { knownDataShape } from './datasets';
import type { Checkpoint } from './records';

export class AncestorMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AncestorMismatchError';
  }
}

/** Settings that shape the ancestor; a difference is allowed (it is the person's choice) but said. */
const ANCESTOR_SETTINGS = ['seed', 'trainSubset', 'testSubset', 'ancestorEpochs', 'training', 'backend'] as const;

/**
 * The checkpoint from which a run with `config` continues at generation 2, holding `source`'s
 * ancestor; `where` names the source in messages. Throws AncestorMismatchError when the source is
 * not an ancestor, or its dataset or architecture differs. `notes` lists the settings the ancestor
 * was trained with that differ from `config`'s.
 */
export function checkpointFromAncestor(
  source: Checkpoint,
  config: RunConfig,
  where: string,
): { checkpoint: Checkpoint; notes: string[] } {
  if (source.generation !== 1)
    throw new AncestorMismatchError(
      `${where} holds generation ${source.generation}, not a trained ancestor: a checkpoint keeps only its last generation's networks. Start from a run made with --generations 1.`,
    );
  if (source.config.dataset !== config.dataset)
    throw new AncestorMismatchError(
      `${where} holds an ancestor trained on ${source.config.dataset}, but this run is on ${config.dataset}: give --dataset ${source.config.dataset} or an ancestor trained on ${config.dataset}.`,
    );
  const genome = source.population[0];
  // A folder dataset's shape is known once it is read: the runner checks the ancestor against it then.
  const shape = knownDataShape(config.dataset) ?? source.data;
  const expected = shape ? lenetSpecsFor(shape) : (genome?.layers.map((l) => l.spec) ?? []);
  const shapes = (specs: readonly { name: string; filters: number; inChannels: number }[]) =>
    specs.map((s) => `${s.name} ${s.filters}×${s.inChannels}`).join(', ');
  if (
    !genome ||
    genome.layers.length !== expected.length ||
    genome.layers.some((l, i) => l.spec.name !== expected[i].name || !sameLayerShape(l.spec, expected[i]))
  )
    throw new AncestorMismatchError(
      `${where} holds a network of another architecture (${genome ? shapes(genome.layers.map((l) => l.spec)) : 'none'}; this run builds ${shapes(expected)}): start from an ancestor made by this version of EvoLab.`,
    );
  if (source.config.poolSize !== config.poolSize)
    throw new AncestorMismatchError(
      `${where} holds an ancestor with pooling window ${source.config.poolSize}, but this run uses ${config.poolSize}: set poolSize to ${source.config.poolSize} or train a new ancestor.`,
    );
  const notes = ANCESTOR_SETTINGS.filter(
    (key) => JSON.stringify(source.config[key]) !== JSON.stringify(config[key]),
  ).map(
    (key) =>
      `the ancestor was trained with ${key} ${JSON.stringify(source.config[key])}, this run has ${JSON.stringify(config[key])}`,
  );
  return {
    checkpoint: {
      version: 1,
      config,
      environment: source.environment,
      ...(source.data ? { data: source.data } : {}),
      ancestor: source.ancestor,
      generation: 1,
      population: source.population,
      records: source.records.filter((r) => r.generation === 1),
      configChanges: [],
    },
    notes,
  };
}
