import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarEntries } from './tar';

// Archives are made by the system's GNU tar, an independent writer, in each of its formats.
describe('tarEntries', () => {
  let tmp: string;
  const long = `${'deep/'.repeat(25)}name-longer-than-one-hundred-characters.bin`;
  const files: Record<string, Buffer> = {
    'cifar-10-batches-bin/batches.meta.txt': Buffer.from('airplane\nautomobile\n\n'),
    'cifar-10-batches-bin/data_batch_1.bin': Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251)),
    'cifar-10-batches-bin/empty.bin': Buffer.alloc(0),
    [long]: Buffer.from('long'),
  };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'evolab-tar-'));
    for (const [name, data] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(tmp, 'src', name)), { recursive: true });
      await writeFile(path.join(tmp, 'src', name), data);
    }
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  async function archive(format: string, names: string[]): Promise<Uint8Array> {
    const out = path.join(tmp, `${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', path.join(tmp, 'src'), ...names]);
    return new Uint8Array(await readFile(out));
  }

  for (const format of ['ustar', 'gnu', 'pax']) {
    it(`reads regular files from a ${format} archive`, async () => {
      // ustar cannot hold the long name in one field but splits it into prefix + name.
      const tar = await archive(format, Object.keys(files));
      const got = new Map([...tarEntries(tar)].map((e) => [e.name, Buffer.from(e.data)]));
      expect([...got.keys()].sort()).toEqual(Object.keys(files).sort());
      for (const [name, data] of Object.entries(files)) expect(got.get(name)?.equals(data), name).toBe(true);
    });
  }

  it('refuses a corrupt header and a truncated archive', async () => {
    const tar = await archive('gnu', ['cifar-10-batches-bin']);
    const bad = tar.slice();
    bad[3] ^= 0x55;
    expect(() => [...tarEntries(bad)]).toThrow(/bad header checksum at byte 0/);
    const cut = tar.slice(0, 512 + 100);
    expect(() => [...tarEntries(cut)]).toThrow(/archive truncated/);
  });
});
