/**
 * A gradient peer that holds its replica in this thread: the servant inside a gradient thread
 * (thread-peer.ts), and a deterministic peer for tests.
 */
import type { Batch } from '../../data/dataset';
import type { GradientPeer, NetworkBlueprint, PartGradients } from '../model/gradient-peer';
import { MaskedNetwork } from '../model/network';

export class ReplicaPeer implements GradientPeer {
  private replica: MaskedNetwork | null = null;
  private key: string | null = null;

  get loaded(): string | null {
    return this.key;
  }

  async load(key: string, blueprint: NetworkBlueprint): Promise<void> {
    this.replica?.dispose();
    this.replica = null;
    this.key = null;
    this.replica = MaskedNetwork.fromGenome(blueprint.genome, blueprint.input, {
      poolSize: blueprint.poolSize,
      compact: blueprint.compact,
      channelMultiple: blueprint.channelMultiple,
      tapeFreeStep: blueprint.tapeFreeStep,
    });
    this.key = key;
  }

  private at(weights: Float32Array[], what: string): MaskedNetwork {
    if (!this.replica) throw new Error(`gradient peer: ${what}() before load()`);
    this.replica.setWeightArrays(weights);
    return this.replica;
  }

  async gradients(weights: Float32Array[], part: Batch): Promise<PartGradients> {
    return this.at(weights, 'gradients').partGradients(part);
  }

  async predict(weights: Float32Array[], part: Batch): Promise<Int32Array> {
    return this.at(weights, 'predict').predictions(part);
  }

  dispose(): void {
    this.replica?.dispose();
    this.replica = null;
    this.key = null;
  }
}
