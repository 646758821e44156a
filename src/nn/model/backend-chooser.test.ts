/**
 * The backend chooser with fake backends on a fake clock: a step "takes" its time by moving the
 * clock, so speeds are made to differ without any real waiting.
 */
import { describe, expect, it } from 'vitest';
import {
  chooseFastest,
  deviceKey,
  measureBackends,
  networkKey,
  summariseTimings,
  type CachedSelection,
  type MeasurableBackend,
  type SelectionCache,
} from './backend-chooser';

class FakeClock {
  t = 0;
  readonly now = () => this.t;
}

/** A backend whose warm-up step takes `warmUpMs` and every later step `stepMs` for `batch` images. */
class Throttled implements MeasurableBackend {
  steps = 0;
  started = 0;
  stopped = 0;
  constructor(
    readonly name: string,
    private readonly clock: FakeClock,
    private readonly stepMs: number,
    private readonly o: { batch?: number; warmUpMs?: number; startError?: string; failAtStep?: number } = {},
  ) {}
  async start() {
    this.started++;
    if (this.o.startError) throw new Error(this.o.startError);
  }
  async step() {
    this.steps++;
    if (this.steps === this.o.failAtStep) throw new Error('device lost');
    this.clock.t += this.steps === 1 ? (this.o.warmUpMs ?? this.stepMs) : this.stepMs;
    return this.o.batch ?? 64;
  }
  stop() {
    this.stopped++;
  }
}

class MemoryCache implements SelectionCache {
  readonly map = new Map<string, CachedSelection>();
  async get(key: string) {
    return this.map.get(key);
  }
  async put(key: string, value: CachedSelection) {
    this.map.set(key, value);
  }
}

const options = (clock: FakeClock, extra: Partial<Parameters<typeof chooseFastest>[2]> = {}) => ({
  key: 'device;network',
  now: clock.now,
  date: () => '2026-12-07T10:00:00.000Z',
  budgetMs: 1000,
  ...extra,
});

describe('measuring backends', () => {
  it('picks the faster of two backends whose speeds differ, whichever is listed first', async () => {
    for (const order of [0, 1]) {
      const clock = new FakeClock();
      const quick = new Throttled('webgpu', clock, 20); // 64 images / 20 ms = 3,200 img/s
      const slow = new Throttled('wasm', clock, 32); // 2,000 img/s
      const list = order ? [slow, quick] : [quick, slow];
      const { selection } = await chooseFastest(list, [], options(clock));
      expect(selection.how).toBe('measured');
      expect(selection.chosen).toBe('webgpu');
      const rates = Object.fromEntries(selection.timings.map((t) => [t.backend, t.imagesPerSecond]));
      expect(rates.webgpu).toBeCloseTo(3200, 6);
      expect(rates.wasm).toBeCloseTo(2000, 6);
      expect(selection.summary).toBe('WebGPU 3,200 img/s vs wasm 2,000 img/s → WebGPU');
      expect([quick.stopped, slow.stopped]).toEqual([1, 1]);
    }
  });

  it('keeps the timed steps within the budget, the warm-up steps aside', async () => {
    const clock = new FakeClock();
    // A 5 s warm-up (shader compilation) is not counted against the budget.
    const a = new Throttled('webgpu', clock, 70, { warmUpMs: 5000 });
    const b = new Throttled('wasm', clock, 45);
    const timings = await measureBackends([a, b], { budgetMs: 1000, now: clock.now });
    const timed = timings.reduce((s, t) => s + t.seconds!, 0);
    expect(timed).toBeLessThanOrEqual(1.0);
    // Each used most of its share: 7 × 70 = 490 ms of 500, then 11 × 45 = 495 ms of the 510 left.
    expect(timings.map((t) => t.steps)).toEqual([7, 11]);
    expect(timings[0].warmUpSeconds).toBe(5);
    expect(timings[1].seconds).toBeCloseTo(0.495, 9);
    expect(clock.t).toBe(5000 + 490 + 45 + 495);
  });

  it('gives a backend slower than its whole share one timed step, and caps fast ones', async () => {
    const clock = new FakeClock();
    const crawling = new Throttled('webgpu', clock, 3000); // one step is 6× its share
    const fast = new Throttled('wasm', clock, 1);
    const timings = await measureBackends([crawling, fast], { budgetMs: 1000, now: clock.now, maxSteps: 50 });
    expect(timings.map((t) => t.steps)).toEqual([1, 50]);
    expect(timings[0].imagesPerSecond).toBeCloseTo(64 / 3, 9);
  });

  it('skips a backend that cannot start or fails while timed, saying why', async () => {
    const clock = new FakeClock();
    const broken = new Throttled('webgpu', clock, 5, { startError: 'no device' });
    const dying = new Throttled('webgl', clock, 5, { failAtStep: 3 });
    const wasm = new Throttled('wasm', clock, 40);
    const { selection, failed } = await chooseFastest([broken, dying, wasm], [], options(clock));
    expect(failed).toEqual([{ backend: 'webgpu', skipped: 'could not start: no device' }]);
    expect(selection.chosen).toBe('wasm');
    expect(selection.timings.find((t) => t.backend === 'webgl')?.skipped).toBe(
      'failed while being measured: device lost',
    );
    expect(broken.steps).toBe(0);
  });

  it('measures nothing when only one backend can run, and says so', async () => {
    const clock = new FakeClock();
    const wasm = new Throttled('wasm', clock, 40);
    const cache = new MemoryCache();
    const { selection } = await chooseFastest(
      [wasm],
      [
        { backend: 'webgpu', skipped: 'WebGPU adapter is a CPU fallback (swiftshader)' },
        { backend: 'cpu', skipped: 'not measured: slow' },
      ],
      options(clock, { cache }),
    );
    expect(selection).toMatchObject({ how: 'only-candidate', chosen: 'wasm' });
    expect(selection.summary).toBe(
      'only wasm can run here, so there is nothing to measure (WebGPU: WebGPU adapter is a CPU fallback (swiftshader); cpu: not measured: slow)',
    );
    expect([wasm.steps, clock.t, cache.map.size]).toEqual([0, 0, 0]);
  });

  it('throws when no candidate starts, listing why', async () => {
    const clock = new FakeClock();
    const a = new Throttled('webgpu', clock, 5, { startError: 'no device' });
    const b = new Throttled('wasm', clock, 5, { startError: 'no wasm files' });
    await expect(chooseFastest([a, b], [], options(clock))).rejects.toThrow(
      'no candidate backend started: webgpu: could not start: no device; wasm: could not start: no wasm files',
    );
  });
});

describe('caching the choice', () => {
  it('measures once per key, then takes the cached choice without timing anything', async () => {
    const clock = new FakeClock();
    const cache = new MemoryCache();
    const gpu = new Throttled('webgpu', clock, 50);
    const wasm = new Throttled('wasm', clock, 20);
    const first = await chooseFastest([gpu, wasm], [], options(clock, { cache }));
    expect(first.selection).toMatchObject({ how: 'measured', chosen: 'wasm', key: 'device;network' });
    expect(cache.map.get('device;network')).toMatchObject({ chosen: 'wasm', measuredAt: '2026-12-07T10:00:00.000Z' });
    const steps = [gpu.steps, wasm.steps];
    const t = clock.t;

    const again = await chooseFastest([gpu, wasm], [], options(clock, { cache }));
    expect(again.selection.how).toBe('cached');
    expect(again.selection.chosen).toBe('wasm');
    expect(again.selection.summary).toBe(
      'wasm 3,200 img/s vs WebGPU 1,280 img/s → wasm (measured 2026-12-07 on this device)',
    );
    expect([gpu.steps, wasm.steps, clock.t]).toEqual([...steps, t]);

    // Another network shape (or device) is measured on its own.
    const other = await chooseFastest([gpu, wasm], [], options(clock, { cache, key: 'device;other network' }));
    expect(other.selection.how).toBe('measured');
    expect(cache.map.size).toBe(2);
  });

  it('measures again once the cache forgot the choice (the page’s "Measure again"), and when it is stale', async () => {
    const clock = new FakeClock();
    const cache = new MemoryCache();
    let gpuStep = 50;
    const gpu: MeasurableBackend = {
      name: 'webgpu',
      start: async () => {},
      step: async () => {
        clock.t += gpuStep;
        return 64;
      },
      stop: () => {},
    };
    const wasm = new Throttled('wasm', clock, 20);
    expect((await chooseFastest([gpu, wasm], [], options(clock, { cache }))).selection.chosen).toBe('wasm');
    gpuStep = 5; // a new driver, say
    expect((await chooseFastest([gpu, wasm], [], options(clock, { cache }))).selection.how).toBe('cached');
    cache.map.clear();
    const again = await chooseFastest([gpu, wasm], [], options(clock, { cache }));
    expect(again.selection).toMatchObject({ how: 'measured', chosen: 'webgpu' });
    expect(cache.map.get('device;network')?.chosen).toBe('webgpu');
    // Older than maxAgeDays: measured again, too.
    const later = await chooseFastest(
      [gpu, wasm],
      [],
      options(clock, { cache, date: () => '2027-02-01T00:00:00.000Z', maxAgeDays: 30 }),
    );
    expect(later.selection.how).toBe('measured');
  });

  it('ignores a cached choice that cannot start now, and survives a failing cache', async () => {
    const clock = new FakeClock();
    const cache = new MemoryCache();
    cache.map.set('device;network', { chosen: 'webgpu', timings: [], measuredAt: '2026-12-01', budgetSeconds: 1 });
    const gpu = new Throttled('webgpu', clock, 5, { startError: 'device lost' });
    const wasm = new Throttled('wasm', clock, 20);
    const webgl = new Throttled('webgl', clock, 30);
    const { selection } = await chooseFastest([gpu, wasm, webgl], [], options(clock, { cache }));
    expect(selection).toMatchObject({ how: 'measured', chosen: 'wasm' });

    const broken: SelectionCache = {
      get: () => Promise.reject(new Error('IndexedDB is blocked')),
      put: () => Promise.reject(new Error('disk full')),
    };
    const r = await chooseFastest([wasm, webgl], [], options(clock, { cache: broken }));
    expect(r.selection).toMatchObject({ how: 'measured', chosen: 'wasm' });
  });

  it('runs measurements one at a time under the lock, so a second run takes the first run’s choice', async () => {
    const clock = new FakeClock();
    const cache = new MemoryCache();
    let queue = Promise.resolve();
    const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = queue.then(fn);
      queue = run.then(
        () => {},
        () => {},
      );
      return run;
    };
    const make = () => [new Throttled('webgpu', clock, 50), new Throttled('wasm', clock, 20)];
    const [a, b] = await Promise.all([
      chooseFastest(make(), [], options(clock, { cache, exclusive })),
      chooseFastest(make(), [], options(clock, { cache, exclusive })),
    ]);
    expect([a.selection.how, b.selection.how]).toEqual(['measured', 'cached']);
    expect(b.selection.chosen).toBe(a.selection.chosen);
  });

  it('announces the measurement before timing', async () => {
    const clock = new FakeClock();
    const seen: string[][] = [];
    await chooseFastest([new Throttled('webgpu', clock, 50), new Throttled('wasm', clock, 20)], [], {
      ...options(clock),
      onMeasure: (names) => seen.push(names),
    });
    expect(seen).toEqual([['webgpu', 'wasm']]);
  });
});

describe('keys and words', () => {
  it('keys a device by its adapter and cores, a network by its shape and helpers', () => {
    expect(deviceKey({ adapter: { vendor: 'intel', architecture: 'gen-12lp', description: '' }, cores: 8 })).toBe(
      'gpu=intel/gen-12lp;cores=8',
    );
    expect(deviceKey({ adapter: null, cores: 2 })).toBe('gpu=none;cores=2');
    expect(
      networkKey({
        input: { height: 32, width: 32, channels: 3 },
        batchSize: 64,
        poolSize: 3,
        optimizer: 'sgd',
        helpers: 2,
      }),
    ).toBe('input=32x32x3;batch=64;pool=3;sgd;helpers=2');
  });

  it('sums up measured speeds fastest first, with helpers', () => {
    expect(
      summariseTimings(
        [
          { backend: 'webgpu', imagesPerSecond: 5.44 },
          { backend: 'wasm', helpers: 1, imagesPerSecond: 2403.4 },
          { backend: 'cpu', skipped: 'slow' },
        ],
        'wasm',
      ),
    ).toBe('wasm + 1 helper 2,403 img/s vs WebGPU 5.4 img/s → wasm');
  });
});
