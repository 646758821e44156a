/**
 * Every number the lab reports, described once for a student (the companion of the settings
 * table): its label, how it is computed, and what it says. The page's explanations (the charts,
 * the run cards, the mating view, the verdict, "How it works") read them from here.
 */

export interface MetricRow {
  readonly id: string;
  readonly label: string;
  /** How it is computed, in symbols a student can follow. */
  readonly formula: string;
  /** One or two plain sentences: what it means and which way is better. */
  readonly help: string;
}

export const METRIC_ROWS = [
  {
    id: 'testAccuracy',
    label: 'Test accuracy',
    formula: 'correctly classified test images ÷ test images',
    help: 'How often the network names the right class for images it never trained on. The lab compares drops from the ancestor’s accuracy, because the ancestor here is trained on fewer images than the paper’s.',
  },
  {
    id: 'synapticEfficiency',
    label: 'Synaptic efficiency',
    formula: 'synapses of the ancestor ÷ synapses of this network',
    help: 'How many times fewer connections (weights) the network has than the ancestor: 10× means one in ten is left. Higher is more compact.',
  },
  {
    id: 'clusterEfficiency',
    label: 'Cluster (kernel) efficiency',
    formula: 'kernels of the ancestor ÷ kernels of this network',
    help: 'How many times fewer kernels (the small weight grids a filter applies to one input channel) the network has. Filters are what synthesis keeps or drops, but, as in the paper, this counts kernels: a kernel counts while any of its synapses lives.',
  },
  {
    id: 'synapses',
    label: 'Synapses',
    formula: 'weights whose mask bit is 1, in conv1–conv3 and fc1',
    help: 'The connections still alive. The output layer is never evolved and not counted, as in the paper (143,136 for the MNIST ancestor).',
  },
  {
    id: 'kernels',
    label: 'Kernels',
    formula: 'kernels (filter × input channel) with at least one live synapse',
    help: 'A kernel is the small grid of weights (5×5 in the conv layers, 4×4 in fc1) that one filter applies to one input channel (7,200 in the MNIST ancestor).',
  },
  {
    id: 'exportBytes',
    label: 'Model size',
    formula: 'bytes of model.json + its weights, with dead filters removed (TensorFlow.js LayersModel)',
    help: 'What the network weighs as a file another page or app can load. Filters that can no longer change the output are cut out, so it shrinks as whole filters die; single dead synapses inside a kept filter are stored as zeros, so it shrinks less than the synapse count.',
  },
  {
    id: 'inferenceImagesPerSecond',
    label: 'Inference speed',
    formula:
      'images classified per second by the exported model (one batch of 256, the fastest of 3 tries, one thread)',
    help: 'How fast the compacted network classifies, measured once per network on this machine. Fewer filters mean less work per image, so it rises as the network shrinks; it also varies with what else the machine is doing.',
  },
  {
    id: 'retention',
    label: 'Retention',
    formula: 'synapses of the offspring ÷ N_ref (its parent’s count, or the mean of its parents’)',
    help: 'The share of synapses an offspring kept. The budget ρ caps it; with ρ = 0.7 an offspring keeps at most about 70 %.',
  },
  {
    id: 'k',
    label: 'Environmental factor k',
    formula: 'k = min(1, ρ·N_ref ÷ expected synapses) in cap mode',
    help: 'What the budget multiplied every synapse’s chance of surviving by. 1 means the budget did not bind; below 1 it pruned harder than the weights alone would.',
  },
  {
    id: 'meanProbability',
    label: 'Mean survival probability',
    formula: 'mean of P_c·P_s over the synapses alive in some parent',
    help: 'How likely a synapse was to survive on average, from the weights alone (before the budget).',
  },
  {
    id: 'aliveInAllParents',
    label: 'Kept synapses alive in both parents',
    formula: 'child synapses alive in every parent ÷ child synapses',
    help: 'Mating blends the parents’ weights, so a synapse alive in only one parent has about half the strength and survives less often: this share shows how much the child relies on what both parents agree on.',
  },
  {
    id: 'parentUnion',
    label: 'Parents’ union',
    formula: 'synapses alive in at least one parent',
    help: 'Every synapse the child could inherit: a synapse dead in every parent never grows back.',
  },
  {
    id: 'parentIntersection',
    label: 'Parents’ overlap',
    formula: 'synapses alive in every parent',
    help: 'The synapses the parents share. Siblings made from the same parents overlap a lot; the less they overlap, the more the blend weakens.',
  },
  {
    id: 'clusterStrength',
    label: 'Cluster strength S(c)',
    formula: 'S(c) = Σ |w| over the filter’s live synapses with |w| ≥ τ (τ = the layer’s mean |w|)',
    help: 'How strong a filter is: the sum of its strong weights. Strong filters are likely to survive.',
  },
  {
    id: 'clusterProbability',
    label: 'Cluster probability P_c',
    formula: 'P_c = min(1, exp(M_c ÷ Z − 1)), M_c = α·S_A(c) + β·S_B(c), Z = the layer’s mean M_c',
    help: 'The chance that a filter survives into the child. A filter as strong as the layer’s average gets e^−1 ≈ 0.37 … up to 1 for strong ones; a filter dead in both parents gets 0.',
  },
  {
    id: 'synapseProbability',
    label: 'Synapse probability P_s',
    formula: 'P_s = min(1, exp(m_j ÷ z − 1)), m_j = α·|w_A,j| + β·|w_B,j|, z = the layer’s mean m_j',
    help: 'The chance that a synapse inside a surviving filter survives, before the budget: strong weights are kept, weak ones tend to go.',
  },
  {
    id: 'imagesTrained',
    label: 'Images trained',
    formula: 'Σ over every network trained since the ancestor of epochs × training images',
    help: 'The training work a run has done. A sexual run trains two networks a generation, so it needs about twice the work of an asexual run per generation.',
  },
  {
    id: 'trainSeconds',
    label: 'Training seconds',
    formula: 'Σ over every network trained since the ancestor of its training time',
    help: 'Wall-clock time spent training, which depends on this machine and on the runs sharing its cores.',
  },
  {
    id: 'loss',
    label: 'Training loss',
    formula: 'mean cross-entropy of the training batches',
    help: 'How wrong the network is on the images it trains on: it falls as the network learns, and jumps when synthesis removes synapses.',
  },
] as const satisfies readonly MetricRow[];

export type MetricId = (typeof METRIC_ROWS)[number]['id'];

export function metricById(id: MetricId): MetricRow {
  return METRIC_ROWS.find((m) => m.id === id)!;
}
