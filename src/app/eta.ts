/**
 * Time left in a run, from the work done so far. The unit of work is one network-epoch: the
 * ancestor (when this run trains it) counts ancestorEpochs, each later generation
 * population × epochsPerGeneration. Evaluation is not modelled (it is short next to training).
 */
import type { RunConfig } from '../experiment/config';
import type { ProgressEvent } from '../worker/protocol';

export function totalUnits(
  config: Pick<RunConfig, 'ancestorEpochs' | 'epochsPerGeneration' | 'generations' | 'population'>,
  trainsAncestor: boolean,
): number {
  return (
    (trainsAncestor ? config.ancestorEpochs : 0) +
    Math.max(0, config.generations - 1) * config.population * config.epochsPerGeneration
  );
}

export function unitsDone(
  config: Pick<RunConfig, 'ancestorEpochs' | 'epochsPerGeneration' | 'population'>,
  trainsAncestor: boolean,
  p: Pick<ProgressEvent, 'generation' | 'individual' | 'phase' | 'epoch' | 'epochs' | 'batch' | 'batches'>,
): number {
  const within =
    p.phase === 'train' && p.batches > 0 ? p.epoch - 1 + p.batch / p.batches : p.phase === 'evaluate' ? p.epochs : 0;
  if (p.generation === 1) return trainsAncestor ? within : 0;
  const before =
    (trainsAncestor ? config.ancestorEpochs : 0) + (p.generation - 2) * config.population * config.epochsPerGeneration;
  return before + p.individual * config.epochsPerGeneration + within;
}

export interface RateSample {
  t0: number;
  u0: number;
}

/** Seconds left, or null until there is enough to go on (3 s of measured work). */
export function secondsLeft(sample: RateSample | null, now: number, done: number, total: number): number | null {
  if (!sample || now - sample.t0 < 3000 || done <= sample.u0) return null;
  const rate = (done - sample.u0) / ((now - sample.t0) / 1000);
  return Math.max(0, (total - done) / rate);
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'estimating…';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** How far through the current generation a run is, in [0, 1] (networks train one after another). */
export function generationFraction(
  p: Pick<ProgressEvent, 'individual' | 'population' | 'phase' | 'epoch' | 'epochs' | 'batch' | 'batches'>,
): number {
  const network =
    p.phase === 'evaluate'
      ? 1
      : p.phase === 'train' && p.batches > 0
        ? (p.epoch - 1 + p.batch / p.batches) / Math.max(1, p.epochs)
        : 0;
  return Math.min(1, (p.individual + network) / Math.max(1, p.population));
}
