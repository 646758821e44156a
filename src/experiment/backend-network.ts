/** The network `auto` times to choose a run's backend: the run's input, batch, pooling and optimizer. Pure. */
import { DEFAULT_MEASURED_NETWORK, type MeasuredNetwork } from '../nn/model/backend-chooser';
import type { RunConfig } from './config';
import { knownDataShape } from './datasets';

export function measuredNetwork(config: RunConfig): MeasuredNetwork {
  // A folder dataset (its shape known only once read) is timed at MNIST's size: the choice rarely depends on it.
  const shape = knownDataShape(config.dataset);
  const input = shape
    ? { height: shape.height, width: shape.width, channels: shape.channels }
    : DEFAULT_MEASURED_NETWORK.input;
  const { batchSize, optimizer, learningRate, momentum, weightDecay } = config.training;
  return { input, poolSize: config.poolSize, training: { batchSize, optimizer, learningRate, momentum, weightDecay } };
}
