/**
 * What the "try it" Worker does: reads networks from their checkpoints (cached per checkpoint
 * and generation), classifies one image with each, and serves test images. Everything it talks
 * to is handed in (classify.worker.ts wires the real ones), so it is tested without a browser.
 */
import { bestNetwork, classify } from '../experiment/classify';
import type { Checkpoint } from '../experiment/records';
import { deserialiseCheckpoint } from '../experiment/serialise';
import type { Genome } from '../evolution';
import type { ImageDataset, Split } from '../data';
import type { KeyValueStorage } from '../storage/idb';
import type { ClassifyCommand, ClassifyEvent, DataSpec, NetworkClassification, NetworkToClassify } from './protocol';
import type { DatasetName } from '../experiment/config';

export interface ClassifyDeps {
  post(event: ClassifyEvent): void;
  storage: KeyValueStorage;
  fetch(url: string): Promise<Response>;
  data: {
    /** One split of the dataset, served or dropped (classify.worker.ts: files.ts). */
    load(dataset: DatasetName, split: Split, spec: DataSpec): Promise<ImageDataset>;
  };
}

interface Network {
  genome: Genome;
  generation: number;
  individual: number;
  testAccuracy: number | null;
  poolSize: number;
}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class ClassifyController {
  private readonly networks = new Map<string, Promise<Network>>();
  /** Test sets by dataset (and dropped folder: another drop is another dataset). */
  private readonly tests = new Map<string, Promise<ImageDataset>>();

  constructor(private readonly deps: ClassifyDeps) {}

  handle(cmd: ClassifyCommand): void {
    const task = cmd.type === 'classify' ? this.classify(cmd) : this.testImage(cmd);
    task.catch((e) => this.deps.post({ type: 'classify-error', requestId: cmd.requestId, message: describe(e) }));
  }

  private async classify(cmd: Extract<ClassifyCommand, { type: 'classify' }>): Promise<void> {
    const results: NetworkClassification[] = [];
    const problems: { id: string; message: string }[] = [];
    for (const n of cmd.networks) {
      try {
        const net = await this.network(n);
        const c = classify(net.genome, cmd.image, cmd.shape, net.poolSize);
        results.push({
          id: n.id,
          generation: net.generation,
          individual: net.individual,
          testAccuracy: net.testAccuracy,
          ...c,
        });
      } catch (e) {
        problems.push({ id: n.id, message: describe(e) });
      }
    }
    this.deps.post({ type: 'classified', requestId: cmd.requestId, results, problems });
  }

  private network(n: NetworkToClassify): Promise<Network> {
    const where = n.source.kind === 'url' ? n.source.url : n.source.key;
    const key = `${where}@${n.generation}/${n.pick}`;
    let found = this.networks.get(key);
    if (!found) {
      found = this.read(n);
      // A failed read is tried again next time (the checkpoint may not be stored yet).
      found.catch(() => this.networks.delete(key));
      this.networks.set(key, found);
    }
    return found;
  }

  private async read(n: NetworkToClassify): Promise<Network> {
    let checkpoint: Checkpoint | undefined;
    if (n.source.kind === 'url') {
      const res = await this.deps.fetch(n.source.url);
      if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html'))
        throw new Error(`${n.source.url} is not there (HTTP ${res.status})`);
      checkpoint = deserialiseCheckpoint(await res.json());
    } else {
      checkpoint = await this.deps.storage.get<Checkpoint>('checkpoints', n.source.key);
      if (!checkpoint) throw new Error(`no stored network under ${n.source.key} yet`);
    }
    if (n.pick === 'ancestor') {
      if (checkpoint.generation !== 1)
        throw new Error(`the checkpoint holds generation ${checkpoint.generation}, not the ancestor`);
      const record = checkpoint.records.find((r) => r.generation === 1) ?? null;
      return {
        genome: checkpoint.population[0],
        generation: 1,
        individual: 0,
        testAccuracy: record?.testAccuracy ?? null,
        poolSize: checkpoint.config.poolSize,
      };
    }
    const { genome, record } = bestNetwork(checkpoint);
    return {
      genome,
      generation: checkpoint.generation,
      individual: record?.individual ?? 0,
      testAccuracy: record?.testAccuracy ?? null,
      poolSize: checkpoint.config.poolSize,
    };
  }

  private async testImage(cmd: Extract<ClassifyCommand, { type: 'test-image' }>): Promise<void> {
    const key = `${cmd.dataset}/${cmd.data.folder?.name ?? ''}`;
    let loading = this.tests.get(key);
    if (!loading) {
      loading = this.deps.data.load(cmd.dataset, 'test', cmd.data);
      loading.catch(() => this.tests.delete(key));
      this.tests.set(key, loading);
    }
    const d = await loading;
    const index = ((Math.trunc(cmd.index) % d.count) + d.count) % d.count;
    const size = d.height * d.width * d.channels;
    this.deps.post({
      type: 'test-image',
      requestId: cmd.requestId,
      index,
      count: d.count,
      label: d.labels[index],
      classNames: [...d.classNames],
      image: Float32Array.from(d.pixels.subarray(index * size, (index + 1) * size), (v) => v / 255),
      shape: { height: d.height, width: d.width, channels: d.channels },
    });
  }
}
