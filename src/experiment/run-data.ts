/**
 * A run's data: both splits of its dataset (a registered one, any IDX folder or an image
 * folder), checked to be something the network can take. Shared by the CLI and the Worker, each
 * handing in its source and, for image folders, its decoder.
 */
import { inputShapeProblem, type InputSize } from '../evolution';
import { DatasetError, openDatasetSplits, type DataSource, type ImageDataset, type OpenOptions } from '../data';
import { datasetSpec, type DataSummary, type DatasetName } from './datasets';

export interface RunData {
  train: ImageDataset;
  test: ImageDataset;
}

/** Refuses images the network cannot take (too small, too large, other than grey or RGB), naming where they came from. */
export function checkNetworkInput(data: InputSize, where: string): void {
  const problem = inputShapeProblem(data);
  if (problem)
    throw new DatasetError(
      where,
      `cannot be learnt by the network: ${problem}`,
      'Use images between 8×8 and 128×128 pixels, grey or RGB.',
    );
}

/**
 * Opens both splits of `dataset` from `source`; `label` names a folder dataset in records (by
 * default its kind). Throws DatasetError for files that are missing, broken or unusable.
 */
export async function openRunData(
  dataset: DatasetName,
  source: DataSource,
  options: OpenOptions & { label?: string } = {},
): Promise<RunData> {
  const { train, test } = await openDatasetSplits(source, datasetSpec(dataset, options.label), options);
  checkNetworkInput(train, source.describe());
  return { train, test };
}

/** What a run learnt from, for its report and checkpoints. */
export const summariseData = ({ train, test }: RunData): DataSummary => ({
  name: train.name,
  height: train.height,
  width: train.width,
  channels: train.channels,
  classNames: [...train.classNames],
  trainImages: train.count,
  testImages: test.count,
});
