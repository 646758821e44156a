/** The ancestor's layers and counts for a dataset (ALGORITHM.md §3), for the page's explanation. */
import { describeArchitecture, lenetSpecsFor, type ArchitectureDescription } from '../evolution';
import type { DatasetName } from './config';
import { knownDataShape } from './datasets';

export type { ArchitectureDescription };

/** For a folder dataset, whose images are known only once read, MNIST's shape stands in. */
export function ancestorArchitecture(dataset: DatasetName): ArchitectureDescription {
  const shape = knownDataShape(dataset) ?? { height: 28, width: 28, channels: 1, classNames: Array(10) };
  return describeArchitecture(lenetSpecsFor(shape), shape.classNames.length);
}
