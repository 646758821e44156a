/** What the generation-loop tests start from: real MNIST from ../shared and the backend's environment. */
import { loadDataset, type ImageDataset } from '../data';
import { folderSource } from '../data/node-source';
import { environmentInfo, startBackend } from '../experiment/environment';
import { datasetsDir } from './data';

export interface RunnerData {
  train: ImageDataset;
  test: ImageDataset;
  environment: ReturnType<typeof environmentInfo>;
}

export async function loadRunnerData(): Promise<RunnerData> {
  const environment = environmentInfo(await startBackend('auto'));
  const source = folderSource(datasetsDir());
  return {
    environment,
    train: await loadDataset('mnist', 'train', source),
    test: await loadDataset('mnist', 'test', source),
  };
}
