/** The network `auto` times to choose a run's backend: the run's input, batch, pooling and optimizer. Pure. */
import { MANIFESTS, type DatasetManifest } from '../data/manifest';
import { DEFAULT_MEASURED_NETWORK, type MeasuredNetwork } from '../nn/model/backend-chooser';
import type { RunConfig } from './config';

export function measuredNetwork(config: RunConfig): MeasuredNetwork {
  // A dataset without a manifest here is timed at MNIST's size: the choice rarely depends on it.
  const m = (MANIFESTS as Partial<Record<string, DatasetManifest>>)[config.dataset];
  const input = m ? { height: m.height, width: m.width, channels: m.channels } : DEFAULT_MEASURED_NETWORK.input;
  const { batchSize, optimizer, learningRate, momentum, weightDecay } = config.training;
  return { input, poolSize: config.poolSize, training: { batchSize, optimizer, learningRate, momentum, weightDecay } };
}
