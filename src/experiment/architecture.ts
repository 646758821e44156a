/** The ancestor's layers and counts for a dataset (ALGORITHM.md §3), for the page's explanation. */
import { describeArchitecture, lenetSpecs, LENET_CLASSES, type ArchitectureDescription } from '../evolution';
import type { DatasetName } from './config';

export type { ArchitectureDescription };

export function ancestorArchitecture(dataset: DatasetName): ArchitectureDescription {
  return describeArchitecture(lenetSpecs(dataset === 'mnist' ? 1 : 3), LENET_CLASSES);
}
