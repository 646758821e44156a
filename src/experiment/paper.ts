/** The points the paper reports (ALGORITHM.md §4, from SEED §3.2), for the charts' overlay. */
import type { DatasetName } from './config';

export interface PaperPoint {
  mode: 'ancestor' | 'asexual' | 'sexual';
  generation: number;
  testAccuracy: number;
  synapticEfficiency: number;
  clusterEfficiency: number;
  note?: string;
}

/** The paper reports MNIST and CIFAR-10 only; the other datasets have no points to compare with. */
export const PAPER_POINTS: Record<DatasetName, PaperPoint[]> = {
  'fashion-mnist': [],
  kmnist: [],
  'emnist-digits': [],
  idx: [],
  images: [],
  mnist: [
    { mode: 'ancestor', generation: 1, testAccuracy: 0.995, synapticEfficiency: 1, clusterEfficiency: 1 },
    { mode: 'asexual', generation: 13, testAccuracy: 0.971, synapticEfficiency: 139, clusterEfficiency: 14.1 },
    { mode: 'sexual', generation: 8, testAccuracy: 0.974, synapticEfficiency: 258.37, clusterEfficiency: 34.29 },
  ],
  cifar10: [
    { mode: 'ancestor', generation: 1, testAccuracy: 0.771, synapticEfficiency: 1, clusterEfficiency: 1 },
    {
      mode: 'asexual',
      generation: 7,
      testAccuracy: 0.734,
      synapticEfficiency: 13.8,
      clusterEfficiency: 1.96,
      note: '3–4 % drop',
    },
    {
      mode: 'sexual',
      generation: 4,
      testAccuracy: 0.741,
      synapticEfficiency: 10.7,
      clusterEfficiency: 2.2,
      note: '3–4 % drop',
    },
    {
      mode: 'asexual',
      generation: 10,
      testAccuracy: 0.679,
      synapticEfficiency: 30.7,
      clusterEfficiency: 3.06,
      note: '~10 % drop',
    },
    {
      mode: 'sexual',
      generation: 5,
      testAccuracy: 0.679,
      synapticEfficiency: 36.3,
      clusterEfficiency: 4.82,
      note: '~10 % drop',
    },
  ],
};
