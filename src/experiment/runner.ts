/**
 * The generation loop (ALGORITHM.md §5): train the ancestor, then synthesise, train, evaluate
 * and record each generation. The same code runs in the Node CLI and in the browser Worker; it
 * only emits events and never touches a page.
 */
import {
  Rng,
  chooseParentIndices,
  describeArchitecture,
  initialiseGenome,
  lenetSpecsFor,
  networkMetrics,
  sameLayerShape,
  pruneOffspring,
  scheduledRho,
  synthesiseOffspring,
  type Genome,
  type SynthesisSettings,
  type SynthesisStats,
} from '../evolution';
import type { ImageDataset } from '../data';
import type { GradientPeer } from '../nn/model/gradient-peer';
import { MaskedNetwork } from '../nn/model/network';
import {
  isPruningMode,
  matingWeights,
  resolveConfig,
  type DeepPartial,
  type LiveSettings,
  type RunConfig,
} from './config';
import { measureExport } from './export-size';
import { exportMetadata } from './model-export';
import { summariseKernelMasks } from './kernel-masks';
import { checkNetworkInput, summariseData } from './run-data';
import { getPath } from './setting';
import { subsetIndices } from './subsets';
import type {
  Checkpoint,
  ConfigChange,
  EnvironmentInfo,
  NetworkRecord,
  RunEvent,
  RunPhase,
  RunReport,
} from './records';

export interface RunnerOptions {
  train: ImageDataset;
  test: ImageDataset;
  environment: EnvironmentInfo;
  emit?: (event: RunEvent) => void;
  /** Called after every finished generation with the state to resume from. */
  onCheckpoint?: (checkpoint: Checkpoint) => void | Promise<void>;
  /** Called between batches; a Worker passes a macrotask yield here so that it can hear "pause". */
  yieldToHost?: () => Promise<void>;
  /** Resume from here instead of training a new ancestor. */
  checkpoint?: Checkpoint;
  /** Replicas on other cores that share every training step and evaluation (nn/model/gradient-peer.ts). */
  peers?: readonly GradientPeer[];
  /** Measure each network's compacted export (bytes, inference speed) for its record; default true. */
  measureExport?: boolean;
}

/** Settings that a person may change while a run goes; they apply from the next generation. */
export type { LiveSettings };

export class ExperimentRunner {
  private config: RunConfig;
  private readonly emit: (event: RunEvent) => void;
  private resumeGate: { promise: Promise<void>; release: () => void } | null = null;
  private stopRequested = false;
  /** "Next generation": pause once the generation in progress has finished. */
  private pauseAfterGeneration = false;
  private pendingChange: LiveSettings | null = null;
  private readonly configChanges: ConfigChange[];
  private readonly records: NetworkRecord[];

  constructor(
    config: RunConfig,
    private readonly options: RunnerOptions,
  ) {
    this.config = resolveConfig(config);
    this.emit = options.emit ?? (() => {});
    // The ancestor does not depend on the mode, so one trained ancestor can seed runs of every
    // mode (asexual beside sexual from the same network); its record takes the mode of the run.
    this.records = options.checkpoint
      ? options.checkpoint.records.map((r) => (r.generation === 1 ? { ...r, mode: this.config.mode } : r))
      : [];
    this.configChanges = options.checkpoint ? options.checkpoint.configChanges.slice() : [];
    const { train, test } = options;
    if (train.channels !== test.channels || train.height !== test.height || train.width !== test.width)
      throw new Error(
        `training images are ${train.height}×${train.width}×${train.channels} but test images are ${test.height}×${test.width}×${test.channels}; load both splits of one dataset`,
      );
    checkNetworkInput(train, train.name);
    if (options.checkpoint) checkFits(options.checkpoint.population, train);
  }

  get currentConfig(): RunConfig {
    return this.config;
  }

  pause(): void {
    if (this.resumeGate) return;
    let release = () => {};
    const promise = new Promise<void>((r) => (release = r));
    this.resumeGate = { promise, release };
    this.emit({ type: 'paused' });
  }

  resume(): void {
    if (!this.resumeGate) return;
    this.resumeGate.release();
    this.resumeGate = null;
    this.emit({ type: 'resumed' });
  }

  /** Finish the generation in progress, then stop; the run can be resumed from its checkpoint. */
  stopAfterGeneration(): void {
    this.stopRequested = true;
    this.resume();
  }

  /**
   * Runs exactly one more generation, then pauses: the one in progress when asked during a
   * generation, else (paused between generations) the next one. Asking twice before it ends
   * still runs one; at the last generation the run simply completes.
   */
  step(): void {
    this.pauseAfterGeneration = true;
    this.resume();
  }

  /** Queue a change of the environment or mating weights; it applies from the next generation. */
  changeSettings(patch: LiveSettings): void {
    this.pendingChange = mergePatch(this.pendingChange ?? {}, patch);
  }

  async run(): Promise<RunReport> {
    const { train, test, checkpoint } = this.options;
    const config = this.config;
    const trainIndices = subsetIndices(train, config.trainSubset, config.seed, 'train');
    const testIndices = subsetIndices(test, config.testSubset, config.seed, 'test');
    const input = { height: train.height, width: train.width, channels: train.channels };

    let population: Genome[];
    let ancestor: { synapses: number; kernels: number };
    let generation: number;
    const job = { trainIndices, testIndices, input };
    if (checkpoint) {
      population = checkpoint.population;
      ancestor = checkpoint.ancestor;
      generation = checkpoint.generation;
      this.emit({ type: 'started', config, environment: this.options.environment, fromGeneration: generation + 1 });
      // One trained ancestor can seed a run with more (outbreeding): the others are trained here,
      // exactly as a fresh run would train them.
      if (generation === 1 && population.length < config.ancestors) {
        const more = await this.trainAncestors(population.length, ancestor, job);
        population = [...population, ...more.genomes];
        await this.finishGeneration(1, more.records, population, ancestor);
      } else if (generation === 1 && population.length > config.ancestors)
        throw new Error(
          `the checkpoint's generation 1 holds ${population.length} ancestors but the configuration asks for ${config.ancestors}; set ancestors to ${population.length}`,
        );
    } else {
      this.emit({ type: 'started', config, environment: this.options.environment, fromGeneration: 1 });
      // Every ancestor starts dense: the efficiencies count against this.
      const dense = describeArchitecture(lenetSpecsFor(train));
      ancestor = { synapses: dense.synapses, kernels: dense.kernels };
      const trained = await this.trainAncestors(0, ancestor, job);
      population = trained.genomes;
      generation = 1;
      await this.finishGeneration(1, trained.records, population, ancestor);
    }

    while (generation < this.config.generations && !this.stopRequested) {
      // A pause between generations (after a step) holds here, before the next one's settings apply.
      await this.whilePaused();
      if (this.stopRequested) break;
      generation++;
      this.applyPendingChange(generation);
      const cfg = this.config;
      const offspring: Genome[] = [];
      const records: NetworkRecord[] = [];
      const previous = this.records.filter((r) => r.generation === generation - 1);
      const fitness = previous.map((r) => r.testAccuracy);
      // A ρ schedule (a changing environment) sets this generation's ρ; the rest of the budget stays.
      const settings: SynthesisSettings = {
        ...cfg.synthesis,
        budget: {
          ...cfg.synthesis.budget,
          rho: scheduledRho(cfg.rhoSchedule, generation, cfg.synthesis.budget.rho, cfg.generations),
        },
      };
      for (let individual = 0; individual < cfg.population; individual++) {
        // A pause asked for during the previous network's evaluation holds here, before any new work.
        await this.whilePaused();
        const parentIndices = chooseParents(cfg, previous, generation, individual);
        this.progress(generation, individual, 'synthesise', 0, 0, 0, 0, null);
        const parents = parentIndices.map((p) => population[p]);
        const rng = Rng.derive(cfg.seed, `synthesis/g${generation}/i${individual}`);
        const initRng = Rng.derive(cfg.seed, `reinit/g${generation}/i${individual}`);
        const { child, stats } = isPruningMode(cfg.mode)
          ? pruneOffspring(parents[0], cfg.mode, settings, rng, initRng)
          : synthesiseOffspring(
              parents,
              matingWeights(
                cfg,
                parents.length,
                parentIndices.map((p) => fitness[p]),
              ),
              settings,
              rng,
              initRng,
            );
        const { genome, record } = await this.trainAndEvaluate(child, {
          generation,
          individual,
          parents: parentIndices,
          epochs: cfg.epochsPerGeneration,
          synthesis: stats,
          ancestor,
          ...job,
        });
        offspring.push(genome);
        records.push(record);
      }
      population = offspring;
      await this.finishGeneration(generation, records, population, ancestor);
    }

    const finished = generation >= this.config.generations;
    this.emit({ type: 'finished', reason: finished ? 'completed' : 'stopped', generations: generation });
    return {
      config: this.config,
      environment: this.options.environment,
      data: summariseData(this.options),
      ancestor,
      records: this.records.slice(),
      configChanges: this.configChanges.slice(),
      finished,
    };
  }

  /**
   * Trains ancestors `from`, `from` + 1, … up to the configured count. Ancestor 0 is the paper's
   * (its streams are those of a one-ancestor run); ancestor i > 0 starts from its own weights.
   */
  private async trainAncestors(
    from: number,
    ancestor: { synapses: number; kernels: number },
    job: {
      trainIndices: Int32Array;
      testIndices: Int32Array;
      input: { height: number; width: number; channels: number };
    },
  ): Promise<{ genomes: Genome[]; records: NetworkRecord[] }> {
    const genomes: Genome[] = [];
    const records: NetworkRecord[] = [];
    for (let individual = from; individual < this.config.ancestors; individual++) {
      // trainAndEvaluate starts at a batch boundary, where a pause holds.
      const seedGenome = initialiseGenome(
        lenetSpecsFor(job.input),
        this.options.train.classNames.length,
        Rng.derive(this.config.seed, individual === 0 ? 'init/ancestor' : `init/ancestor/${individual}`),
      );
      const { genome, record } = await this.trainAndEvaluate(seedGenome, {
        generation: 1,
        individual,
        parents: [],
        epochs: this.config.ancestorEpochs,
        synthesis: null,
        ancestor,
        ...job,
      });
      genomes.push(genome);
      records.push(record);
    }
    return { genomes, records };
  }

  private async trainAndEvaluate(
    genome: Genome,
    job: {
      generation: number;
      individual: number;
      parents: number[];
      epochs: number;
      synthesis: SynthesisStats | null;
      ancestor: { synapses: number; kernels: number };
      trainIndices: Int32Array;
      testIndices: Int32Array;
      input: { height: number; width: number; channels: number };
    },
  ): Promise<{ genome: Genome; record: NetworkRecord }> {
    const cfg = this.config;
    // A boundary like the one between batches: a pause that arrived during synthesis (queued
    // behind synchronous work) is taken here, before the first batch.
    await this.betweenBatches();
    const network = MaskedNetwork.fromGenome(genome, job.input, { poolSize: cfg.poolSize });
    try {
      const trained = await network.train(
        this.options.train,
        job.trainIndices,
        { epochs: job.epochs, ...cfg.training },
        Rng.derive(cfg.seed, `shuffle/g${job.generation}/i${job.individual}`),
        {
          onBatch: async (p) => {
            this.progress(job.generation, job.individual, 'train', p.epoch, p.epochs, p.batch, p.batches, p.loss);
            await this.betweenBatches();
          },
          peers: this.options.peers,
        },
      );
      this.progress(job.generation, job.individual, 'evaluate', job.epochs, job.epochs, 0, 0, null);
      const evaluation = await network.evaluate(this.options.test, job.testIndices, undefined, this.options.peers);
      const trainedGenome = await network.readGenome();
      const metrics = networkMetrics(trainedGenome, job.ancestor);
      const { perLayer: _perLayerStats, ...synthesis } = job.synthesis ?? { perLayer: null };
      const record: NetworkRecord = {
        generation: job.generation,
        mode: cfg.mode,
        individual: job.individual,
        parents: job.parents,
        testAccuracy: evaluation.accuracy,
        testImages: evaluation.total,
        synapses: metrics.synapses,
        kernels: metrics.kernels,
        effectiveKernels: metrics.effectiveKernels,
        clusters: metrics.clusters,
        synapticEfficiency: metrics.synapticEfficiency,
        clusterEfficiency: metrics.clusterEfficiency,
        storageBytes: metrics.storageBytes,
        denseBytes: metrics.denseBytes,
        perLayer: metrics.perLayer,
        trainSeconds: trained.seconds,
        trainImages: trained.images,
        imagesPerSecond: trained.seconds > 0 ? trained.images / trained.seconds : 0,
        epochLosses: trained.epochLosses,
        synthesis: job.synthesis ? (synthesis as Omit<SynthesisStats, 'perLayer'>) : null,
        kernelMasks: summariseKernelMasks(trainedGenome, cfg.synthesis.truncation),
      };
      if (this.options.measureExport !== false) {
        const { test } = this.options;
        const metadata = exportMetadata(record, { config: cfg, data: summariseData(this.options) }, test.classNames);
        Object.assign(record, await measureExport(trainedGenome, test, job.testIndices, cfg.poolSize, metadata));
      }
      return { genome: trainedGenome, record };
    } finally {
      network.dispose();
    }
  }

  private async betweenBatches(): Promise<void> {
    if (this.options.yieldToHost) await this.options.yieldToHost();
    await this.whilePaused();
  }

  private async whilePaused(): Promise<void> {
    if (!this.resumeGate) return;
    while (this.resumeGate) await this.resumeGate.promise;
    // A paused Worker gives its core back: wait for a turn again before any work.
    if (this.options.yieldToHost) await this.options.yieldToHost();
  }

  private async finishGeneration(
    generation: number,
    records: NetworkRecord[],
    population: Genome[],
    ancestor: { synapses: number; kernels: number },
  ) {
    this.records.push(...records);
    this.emit({ type: 'generation', generation, records });
    await this.options.onCheckpoint?.({
      version: 1,
      config: this.config,
      environment: this.options.environment,
      data: summariseData(this.options),
      ancestor,
      generation,
      population,
      records: this.records.slice(),
      configChanges: this.configChanges.slice(),
    });
    if (this.pauseAfterGeneration) {
      this.pauseAfterGeneration = false;
      if (generation < this.config.generations && !this.stopRequested) this.pause();
    }
  }

  private applyPendingChange(generation: number) {
    if (!this.pendingChange) return;
    const patch = this.pendingChange;
    this.pendingChange = null;
    const before = this.config;
    const after = resolveConfig(mergePatch(before as DeepPartial<RunConfig>, patch) as DeepPartial<RunConfig>);
    const changed = changedPaths(before, after);
    if (changed.length === 0) return;
    this.config = after;
    const values = (c: RunConfig) => Object.fromEntries(changed.map((p) => [p, getPath(c, p)]));
    const change: ConfigChange = { generation, changed, from: values(before), to: values(after) };
    this.configChanges.push(change);
    this.emit({ type: 'config-changed', config: after, ...change });
  }

  private progress(
    generation: number,
    individual: number,
    phase: RunPhase,
    epoch: number,
    epochs: number,
    batch: number,
    batches: number,
    loss: number | null,
  ) {
    this.emit({
      type: 'progress',
      generation,
      generations: this.config.generations,
      individual,
      population: generation === 1 ? this.config.ancestors : this.config.population,
      phase,
      epoch,
      epochs,
      batch,
      batches,
      loss,
    });
  }
}

/** Refuses a checkpoint whose networks take other images or classes than the dataset's. */
function checkFits(population: readonly Genome[], train: ImageDataset): void {
  const expected = lenetSpecsFor(train);
  const classes = train.classNames.length;
  const wanted = `${train.height}×${train.width}×${train.channels} images of ${classes} classes`;
  for (const g of population) {
    const fits =
      g.layers.length === expected.length &&
      g.layers.every((l, i) => sameLayerShape(l.spec, expected[i])) &&
      g.output.outUnits === classes;
    if (!fits) {
      const [c1, , , fc1] = g.layers.map((l) => l.spec);
      throw new Error(
        `the checkpoint's networks were made for other data (conv1 reads ${c1?.inChannels ?? '?'} channel(s), fc1 a ${fc1?.kernelH ?? '?'}×${fc1?.kernelW ?? '?'} map, ${g.output.outUnits} classes); the dataset has ${wanted}. Start from a checkpoint of this dataset, or train a new ancestor.`,
      );
    }
  }
}

/** Parents of one offspring from the previous generation's records (ALGORITHM.md §2 [P], §6). */
export function chooseParents(
  cfg: RunConfig,
  previous: NetworkRecord[],
  generation: number,
  individual: number,
): number[] {
  const m = cfg.parents;
  const n = previous.length;
  // One ancestor is mated with itself; otherwise each parent is a distinct network of the pool.
  if (m > n && n > 1 && cfg.islands === 1)
    throw new Error(
      `generation ${generation} needs ${m} parents but generation ${generation - 1} has only ${n} network(s)`,
    );
  return chooseParentIndices(
    previous.map((r) => r.testAccuracy),
    generation,
    individual,
    cfg.population,
    {
      parents: m,
      selection: cfg.parentSelection,
      tournamentSize: cfg.tournamentSize,
      islands: cfg.islands,
      migrationInterval: cfg.migrationInterval,
    },
    Rng.derive(cfg.seed, `parents/g${generation}/i${individual}`),
  );
}

function mergePatch<T extends object>(base: T, patch: object): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object' &&
      !Array.isArray(current)
        ? mergePatch(current as object, value as object)
        : value;
  }
  return out as T;
}

function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}
