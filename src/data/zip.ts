/**
 * Reading zip archives (EMNIST's download; later, a zip dropped on the page): the central
 * directory, stored and deflated entries, CRC-checked. Browser-safe: deflate goes through the
 * platform's DecompressionStream('deflate-raw'). No zip64, no encryption: both are refused.
 */
import { DatasetError } from './errors';
import { MAX_GUNZIPPED_BYTES, plainBytes } from './gzip';
import { readGzOrPlain, type DataSource } from './sources';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated. */
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  /** Offset of the entry's local header. */
  readonly headerOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const HINT = 'Is it a complete zip file? Download or create it again.';

/** The entries of a zip's central directory; folders end with `/` and have no data. */
export function zipEntries(bytes: Uint8Array, file: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record is 22 bytes plus a comment of up to 65,535 bytes, so search backwards.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new DatasetError(file, 'not a zip file (no end-of-directory record)', HINT);
  const count = view.getUint16(eocd + 10, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) {
    throw new DatasetError(file, 'is a zip64 archive, which is not supported', 'Unpack it and use the folder instead.');
  }
  const decoder = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw new DatasetError(file, `damaged zip: central directory entry ${i + 1} of ${count} is missing`, HINT);
    }
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (flags & 1) {
      throw new DatasetError(file, `${name} is encrypted`, 'Create the zip without a password.');
    }
    entries.push({
      name,
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      headerOffset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

let crcTable: Uint32Array | null = null;

export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The decompressed bytes of one entry. */
export async function zipRead(bytes: Uint8Array, entry: ZipEntry, file: string): Promise<Uint8Array> {
  const where = `${file}: ${entry.name}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = entry.headerOffset;
  if (h + 30 > bytes.length || view.getUint32(h, true) !== LOCAL_SIGNATURE) {
    throw new DatasetError(where, 'damaged zip: the entry’s local header is missing', HINT);
  }
  const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
  if (start + entry.compressedSize > bytes.length) throw new DatasetError(where, 'truncated zip entry', HINT);
  const packed = bytes.subarray(start, start + entry.compressedSize);
  // A dropped zip is anyone's: an entry that would inflate past any dataset file (a "zip bomb") is
  // refused from its directory, and inflating stops at the size the directory declares.
  if (entry.size > MAX_GUNZIPPED_BYTES)
    throw new DatasetError(
      where,
      `it decompresses to ${Math.round(entry.size / 2 ** 20)} MB, more than any dataset file (${MAX_GUNZIPPED_BYTES / 2 ** 20} MB at most)`,
      'Check that this is the right zip.',
    );
  let out: Uint8Array;
  if (entry.method === 0) {
    out = packed.slice();
  } else if (entry.method === 8) {
    try {
      const stream = new Blob([plainBytes(packed)]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
      const inflated = await inflateAtMost(stream.getReader(), entry.size);
      if (!inflated)
        throw new DatasetError(where, 'damaged zip entry (it inflates to more than its declared size)', HINT);
      out = inflated;
    } catch (err) {
      if (err instanceof DatasetError) throw err;
      throw new DatasetError(where, `corrupt deflate data (${(err as Error).message})`, HINT, { cause: err });
    }
  } else {
    throw new DatasetError(
      where,
      `uses compression method ${entry.method} (only stored and deflate are supported)`,
      'Create the zip with ordinary deflate compression.',
    );
  }
  if (out.length !== entry.size || crc32(out) !== entry.crc32) {
    throw new DatasetError(where, 'damaged zip entry (size or CRC-32 does not match the directory)', HINT);
  }
  return out;
}

/** The stream's bytes, or null as soon as there are more than `size` (the entry lies about its size). */
async function inflateAtMost(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  size: number,
): Promise<Uint8Array | null> {
  const out = new Uint8Array(size);
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return at === size ? out : out.subarray(0, at);
    if (at + value.length > size) {
      await reader.cancel().catch(() => {});
      return null;
    }
    out.set(value, at);
    at += value.length;
  }
}

/** A zip's files as a DataSource (entries decompressed when read). */
export function zipSource(bytes: Uint8Array, file: string): DataSource {
  const all = zipEntries(bytes, file);
  const entries = new Map(all.filter((e) => !e.name.endsWith('/')).map((e) => [e.name, e]));
  // Folders are listed only when nothing is in them, as folderSource does.
  const emptyFolders = all
    .filter((e) => e.name.endsWith('/') && ![...entries.keys()].some((n) => n.startsWith(e.name)))
    .map((e) => e.name);
  const where = `zip ${file}`;
  return {
    describe: () => where,
    list: async () => [...entries.keys(), ...emptyFolders],
    read: (name) =>
      readGzOrPlain(name, where, async (candidate) => {
        const e = entries.get(candidate);
        return e ? zipRead(bytes, e, file) : null;
      }),
  };
}
