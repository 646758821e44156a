import { DatasetError } from './errors';

/** Throws for the first label >= numClasses, naming its position (shared by the IDX and CIFAR readers). */
export function checkLabels(labels: Uint8Array, file: string, numClasses: number, unit: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new DatasetError(file, `label ${labels[i]} at ${unit} ${i} is out of range (expected 0–${numClasses - 1})`);
    }
  }
}
